import os
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.test import override_settings

from config.serving import server_command
from config.settings import static_storages
from scheduling.demo import SIZES, demo_usernames
from scheduling.management.commands.seed_demo import print_demo_logins


class Command(BaseCommand):
    help = (
        "Collect static files, migrate, seed the small demo set if the database is empty, then serve the API, "
        "docs, admin and the live WebSocket channel on one port (uvicorn, config/asgi.py)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-seed", action="store_true")
        parser.add_argument("--workers", type=int, default=None, help="default: one per core (WEB_WORKERS)")

    def handle(self, *args, **options):
        # hashed, compressed copies for WhiteNoise (the admin's styles), then served under those names
        with override_settings(STORAGES=static_storages(hashed=True)):
            call_command("collectstatic", interactive=False, verbosity=0)
        os.environ["STATIC_HASHED"] = "true"
        call_command("migrate", interactive=False, verbosity=0)
        if not options["no_seed"]:
            call_command("seed_demo", size="small", if_empty=True, no_progress=True)
        print_demo_logins(self.stdout, demo_usernames(SIZES["small"]))
        host = os.environ.get("HOST", "127.0.0.1")
        port = int(os.environ.get("PORT", "8000"))
        self.stdout.write(
            f"serving on http://{host}:{port}/api/docs  (admin: /admin/, live: ws://{host}:{port}/ws/scheduling/"
            "appointments/?token=..., Ctrl+C stops)"
        )
        sys.stdout.flush()
        # exec: the server replaces this process, so the caller's signal forwarding reaches it directly;
        # a fresh interpreter reads the settings again and finds the manifest collectstatic just wrote
        argv = server_command(host, port, options["workers"])
        os.execv(argv[0], argv)
