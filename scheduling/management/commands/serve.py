import os
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from config.startup import check_database_connection, check_port_free


class Command(BaseCommand):
    help = "Migrate, seed the small demo set if the database is empty, then serve the API with gunicorn."

    def add_arguments(self, parser):
        parser.add_argument("--no-seed", action="store_true")
        parser.add_argument("--workers", type=int, default=None, help="default: config/gunicorn_conf.py (WEB_WORKERS)")

    def handle(self, *args, **options):
        host = os.environ.get("HOST", "127.0.0.1")
        port = os.environ.get("PORT", "8000")
        # one line each, before anything is printed as served: a taken port, an unreachable database
        check_port_free(host, port)
        check_database_connection()
        call_command("migrate", interactive=False, verbosity=0)
        if not options["no_seed"]:
            call_command("seed_demo", size="small", if_empty=True, no_progress=True)
        self.stdout.write(f"serving on http://{host}:{port}/api/docs  (admin: /admin/, Ctrl+C stops)")
        sys.stdout.flush()
        # exec: gunicorn replaces this process, so the caller's signal forwarding reaches it directly
        gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
        conf = os.path.join(settings.BASE_DIR, "config", "gunicorn_conf.py")
        argv = [gunicorn, "-c", conf, "config.wsgi:application", "--bind", f"{host}:{port}"]
        if options["workers"]:
            argv += ["--workers", str(options["workers"])]
        os.execv(gunicorn, argv)
