"""Compare the trigger-maintained appointment tables with a full recount; --fix rewrites them."""

import pgtrigger
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

STALE_ITEMS = """
    SELECT count(*) FROM appointment_items AS i FULL JOIN appointment_item_cache AS c USING (appointment_id)
    WHERE i.item::text IS DISTINCT FROM c.item::text
"""
WRONG_COUNTS = """
    SELECT count(*) FROM (
        SELECT date, status, count(*)::integer AS n FROM scheduling_appointment GROUP BY date, status
    ) AS real FULL JOIN (SELECT date, status, count AS n FROM scheduling_appointmentstatuscount WHERE count <> 0) AS c
        USING (date, status)
    WHERE real.n IS DISTINCT FROM c.n
"""
WRONG_TOTALS = """
    SELECT count(*) FROM (
        SELECT status, count(*)::integer AS n FROM scheduling_appointment GROUP BY status
    ) AS real FULL JOIN (
        SELECT status, sum(count)::integer AS n FROM scheduling_appointmentstatustotal GROUP BY status
        HAVING sum(count) <> 0
    ) AS t USING (status)
    WHERE real.n IS DISTINCT FROM t.n
"""


class Command(BaseCommand):
    help = "Check appointment_item_cache, the (date, status) counters and the status totals against a recount (--fix)."

    def add_arguments(self, parser):
        parser.add_argument("--fix", action="store_true", help="rewrite them from the source tables")

    def handle(self, *args, fix: bool = False, **options):
        with transaction.atomic(), connection.cursor() as cursor:
            if fix:
                cursor.execute("LOCK TABLE scheduling_appointment IN SHARE MODE")
                cursor.execute("DELETE FROM appointment_item_cache")
                cursor.execute("SELECT refresh_appointment_items(ARRAY(SELECT id FROM scheduling_appointment))")
                cursor.execute("DELETE FROM scheduling_appointmentstatuscount")
                cursor.execute(
                    "INSERT INTO scheduling_appointmentstatuscount (date, status, count) "
                    "SELECT date, status, count(*) FROM scheduling_appointment GROUP BY date, status"
                )
                with pgtrigger.ignore("scheduling.AppointmentStatusTotal:status_total_trigger_only"):
                    cursor.execute("DELETE FROM scheduling_appointmentstatustotal")
                    cursor.execute(
                        "INSERT INTO scheduling_appointmentstatustotal (status, shard, count) "
                        "SELECT status, 0, count(*) FROM scheduling_appointment GROUP BY status"
                    )
            cursor.execute(STALE_ITEMS)
            (stale,) = cursor.fetchone()
            cursor.execute(WRONG_COUNTS)
            (wrong,) = cursor.fetchone()
            cursor.execute(WRONG_TOTALS)
            (wrong_totals,) = cursor.fetchone()
        self.stdout.write(
            f"stale cached items: {stale}; wrong (date, status) counters: {wrong}; wrong status totals: {wrong_totals}"
        )
        if stale or wrong or wrong_totals:
            raise CommandError("Appointment caches differ from a recount (run with --fix).")
