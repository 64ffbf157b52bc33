"""Checking (and, if ever needed, repairing) the trigger-kept appointment tables against a full recount:
`appointment_item_cache` against the `appointment_items` view, and the (date, status) counters against a count
of the appointments, and the per-status totals (all dates) against a count by status."""

import datetime as dt
from typing import NamedTuple

import pgtrigger
from django.db import connection, transaction

# The Protect triggers that keep client statements out of the trigger-kept tables; only repair() sets them aside.
PROTECT_TRIGGERS = (
    "scheduling.AppointmentItemCache:appt_item_trigger_only",
    "scheduling.AppointmentStatusCount:status_count_trigger_only",
    "scheduling.AppointmentStatusTotal:status_total_trigger_only",
)

# Appointments whose cached item is not what the view builds now (stale, missing, or left over).
ITEM_DRIFT_SQL = """
    SELECT appointment_id, c.appointment_id IS NULL AS missing, i.appointment_id IS NULL AS left_over
    FROM appointment_items AS i FULL JOIN appointment_item_cache AS c USING (appointment_id)
    WHERE i.item::text IS DISTINCT FROM c.item::text
    ORDER BY appointment_id
"""
# (date, status) pairs whose counter differs from a count (a zero counter is the same as no row).
COUNT_DRIFT_SQL = """
    SELECT date, status, coalesce(c.n, 0), coalesce(real.n, 0) FROM (
        SELECT date, status, count(*)::integer AS n FROM scheduling_appointment GROUP BY date, status
    ) AS real FULL JOIN (SELECT date, status, count AS n FROM scheduling_appointmentstatuscount WHERE count <> 0) AS c
        USING (date, status)
    WHERE real.n IS DISTINCT FROM c.n
    ORDER BY date, status
"""


# Statuses whose total over every date (the sum of the totals' shards) differs from a count.
TOTAL_DRIFT_SQL = """
    SELECT status, coalesce(t.n, 0), coalesce(real.n, 0) FROM (
        SELECT status, count(*)::integer AS n FROM scheduling_appointment GROUP BY status
    ) AS real FULL JOIN (
        SELECT status, sum(count)::integer AS n FROM scheduling_appointmentstatustotal GROUP BY status
        HAVING sum(count) <> 0
    ) AS t USING (status)
    WHERE real.n IS DISTINCT FROM t.n
    ORDER BY status
"""


class ItemDrift(NamedTuple):
    appointment_id: int
    state: str  # "stale", "missing" or "left over"


class CountDrift(NamedTuple):
    date: dt.date
    status: str
    counter: int
    recount: int


class TotalDrift(NamedTuple):
    status: str
    total: int
    recount: int


Drift = ItemDrift | CountDrift | TotalDrift


def drift() -> list[Drift]:
    """Every cached item and every counter that differs from a recount."""
    with connection.cursor() as cursor:
        cursor.execute(ITEM_DRIFT_SQL)
        items = [
            ItemDrift(pk, "missing" if missing else "left over" if left_over else "stale")
            for pk, missing, left_over in cursor.fetchall()
        ]
        cursor.execute(COUNT_DRIFT_SQL)
        counts = [CountDrift(*row) for row in cursor.fetchall()]
        cursor.execute(TOTAL_DRIFT_SQL)
        return [*items, *counts, *(TotalDrift(*row) for row in cursor.fetchall())]


def repair() -> list[Drift]:
    """Rebuild both tables from the source tables and return what differed. Writers of appointments wait (SHARE
    lock) while this runs, so nothing changes between the recount and the rewrite."""
    with transaction.atomic(), pgtrigger.ignore(*PROTECT_TRIGGERS):
        with connection.cursor() as cursor:
            cursor.execute("LOCK TABLE scheduling_appointment IN SHARE MODE")
        differences = drift()
        if differences:
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM appointment_item_cache")
                cursor.execute("SELECT refresh_appointment_items(ARRAY(SELECT id FROM scheduling_appointment))")
                cursor.execute("DELETE FROM scheduling_appointmentstatuscount")
                cursor.execute(
                    "INSERT INTO scheduling_appointmentstatuscount (date, status, count) "
                    "SELECT date, status, count(*) FROM scheduling_appointment GROUP BY date, status"
                )
                cursor.execute("DELETE FROM scheduling_appointmentstatustotal")
                cursor.execute(
                    "INSERT INTO scheduling_appointmentstatustotal (status, shard, count) "
                    "SELECT status, 0, count(*) FROM scheduling_appointment GROUP BY status"
                )
        return differences
