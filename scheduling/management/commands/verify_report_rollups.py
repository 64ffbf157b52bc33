"""Compare the report roll-ups with a recount from the daily report views; --fix rewrites them all."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from scheduling.models.rollups import DIRTY_TABLE, ROLLUPS
from scheduling.selectors.reports import REFRESH_LOCK, columns_of


def _differences(cursor, table: str, view: str, columns: str) -> int:
    """Rows that differ between the roll-up and the view, over the days no write has marked dirty since."""
    clean = f"date NOT IN (SELECT date FROM {DIRTY_TABLE})"
    cursor.execute(
        f"SELECT count(*) FROM ("
        f"(SELECT {columns} FROM {view} WHERE {clean} EXCEPT ALL SELECT {columns} FROM {table} WHERE {clean})"
        f" UNION ALL "
        f"(SELECT {columns} FROM {table} WHERE {clean} EXCEPT ALL SELECT {columns} FROM {view} WHERE {clean})"
        f") AS diff"
    )
    return cursor.fetchone()[0]


class Command(BaseCommand):
    help = "Check the report roll-up tables against their daily views (days not marked dirty); --fix recounts all."

    def add_arguments(self, parser):
        parser.add_argument("--fix", action="store_true", help="recount every day from the views")

    def handle(self, *args, fix: bool = False, **options):
        wrong: dict[str, int] = {}
        with transaction.atomic(), connection.cursor() as cursor:
            if fix:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [REFRESH_LOCK])  # no refresh meanwhile
                cursor.execute("LOCK TABLE scheduling_appointment IN SHARE MODE")  # nor a write
            for model, view in ROLLUPS:
                table = model._meta.db_table
                columns = ", ".join(f'"{c}"' for c in columns_of(model))
                if fix:
                    cursor.execute(f"DELETE FROM {table}")
                    cursor.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {view}")
                wrong[table] = _differences(cursor, table, view, columns)
            if fix:
                cursor.execute(f"DELETE FROM {DIRTY_TABLE}")
            cursor.execute(f"SELECT count(*) FROM {DIRTY_TABLE}")
            (dirty,) = cursor.fetchone()
        listed = "; ".join(f"{table}: {n}" for table, n in wrong.items())
        self.stdout.write(f"rows differing from a recount: {listed}; days waiting for a recount: {dirty}")
        if any(wrong.values()):
            raise CommandError("Report roll-ups differ from a recount (run with --fix).")
