import os
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.test import override_settings

from config.serving import server_command
from config.settings import static_storages
from config.startup import check_database_connection, check_port_free


class Command(BaseCommand):
    help = (
        "Collect static files, migrate, seed the small demo set if the database is empty, then serve the API, "
        "docs, admin and the live WebSocket channel on one port (uvicorn, config/asgi.py)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-seed", action="store_true")
        parser.add_argument("--workers", type=int, default=None, help="default: one per core (WEB_WORKERS)")

    def handle(self, *args, **options):
        host = os.environ.get("HOST", "127.0.0.1")
        # one line each, before anything is printed as served: a taken port (or no number), an unreachable database
        check_port_free(host, os.environ.get("PORT", "8000"))
        port = int(os.environ.get("PORT", "8000"))
        check_database_connection()
        # hashed, compressed copies for WhiteNoise (the admin's styles), then served under those names
        with override_settings(STORAGES=static_storages(hashed=True)):
            call_command("collectstatic", interactive=False, verbosity=0)
        os.environ["STATIC_HASHED"] = "true"
        call_command("migrate", interactive=False, verbosity=0)
        if not options["no_seed"]:  # prints the demo logins, once
            call_command("seed_demo", size="small", if_empty=True, no_progress=True)
        self.stdout.write(
            f"serving on http://{host}:{port}/api/docs  (admin: /admin/, live: ws://{host}:{port}/ws/scheduling/"
            "appointments/?token=..., Ctrl+C stops)"
        )
        sys.stdout.flush()
        # exec: the server replaces this process, so the caller's signal forwarding reaches it directly;
        # a fresh interpreter reads the settings again and finds the manifest collectstatic just wrote
        argv = server_command(host, port, options["workers"])
        os.execv(argv[0], argv)
