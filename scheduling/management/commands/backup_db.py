import datetime as dt
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from config import backup


class Command(BaseCommand):
    help = "Back the database up with pg_dump in custom format (default: backups/<database>-<UTC time>.dump)."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="where to write the dump")

    def handle(self, *args, **options):
        name = connection.settings_dict["NAME"]
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        path = Path(options["file"] or settings.BASE_DIR / "backups" / f"{name}-{stamp}.dump")
        try:
            backup.dump(backup.url_from_settings(connection.settings_dict), path)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"backup of {name!r} written to {path} ({path.stat().st_size:,} bytes)")
