from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from scheduling.demo import SIZES


class Command(BaseCommand):
    help = (
        "Start the demo over: drop every table, view and trigger of the database (its public schema), migrate "
        "anew and seed the demo data. Keeps the virtual environment and the database server."
    )

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=sorted(SIZES), default="small")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args, **options):
        name = connection.settings_dict["NAME"]
        if not options["yes"]:
            answer = input(f"Delete ALL data in database {name!r} and seed the demo again? [y/N] ")
            if answer.strip().lower() not in {"y", "yes"}:
                raise CommandError("nothing changed")
        with connection.cursor() as cursor:
            # the schema, not the database: the database owner may drop it, and open sessions need not end
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        self.stdout.write(f"database {name!r} emptied; migrating")
        call_command("migrate", interactive=False, verbosity=0)
        call_command("seed_demo", size=options["size"], no_progress=True, stdout=self.stdout)
