from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from config import backup


class Command(BaseCommand):
    help = (
        "Restore a backup_db dump into an empty database on the same server: the project database when it has "
        "no tables yet (a fresh server), else the one named by --database (created when missing)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="a dump written by backup_db (pg_dump --format=custom)")
        parser.add_argument("--database", help="restore into this database instead (must be new or empty)")

    def handle(self, *args, **options):
        url = backup.url_from_settings(connection.settings_dict)
        if options["database"]:
            url = backup.with_database(url, options["database"])
        connection.close()  # our own session must not hold the target open
        try:
            backup.restore(Path(options["file"]), url)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        name = backup.database_name(url)
        self.stdout.write(f"restored {options['file']} into database {name!r}")
        if options["database"]:
            self.stdout.write(f"to serve it: DATABASE_URL='{url}' make run, or compare it with psql '{url}'")
