"""Checking (and, if ever needed, repairing) the trigger-kept AttendanceDaySummary against a full recount. The
recount is the `attendance_summary_drift` view (scheduling/sql_views/attendance_summary_drift.sql)."""

import datetime as dt
import json
from typing import NamedTuple

import pgtrigger
from django.db import connection, transaction

from scheduling.models.attendance import SUMMARY_COLUMNS, SUMMARY_TABLE

PROTECT_TRIGGER = "scheduling.AttendanceDaySummary:attendance_summary_trigger_only"


class Drift(NamedTuple):
    date: dt.date
    summary: dict | None  # the kept row's counts, None when the day has no row
    recount: dict  # the same keys recounted from the records (zeros when the day has none)


def drift() -> list[Drift]:
    """Days whose summary differs from a recount. One statement, so one snapshot of both tables: a summary and
    the records it counts change in the same transaction, and a concurrent writer cannot cause a false
    difference."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT date, summary, recount FROM attendance_summary_drift ORDER BY date")
        # Django's connection hands json(b) back as text (its JSONField parses it), so parse here.
        return [
            Drift(day, None if summary is None else json.loads(summary), json.loads(recount))
            for day, summary, recount in cursor.fetchall()
        ]


def repair() -> list[Drift]:
    """Rewrite every differing day from the recount and return what differed. Writers of attendance wait (SHARE
    lock) while this runs, so nothing changes between the recount and the rewrite."""
    counted = SUMMARY_COLUMNS[1:]
    with transaction.atomic(), pgtrigger.ignore(PROTECT_TRIGGER):
        with connection.cursor() as cursor:
            cursor.execute("LOCK TABLE scheduling_attendancerecord IN SHARE MODE")
        differences = drift()
        if differences:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO {SUMMARY_TABLE} ({', '.join(SUMMARY_COLUMNS)})"
                    f" SELECT (r).* FROM (SELECT jsonb_populate_record(NULL::{SUMMARY_TABLE},"
                    " d.recount || jsonb_build_object('date', d.date)) AS r"
                    " FROM attendance_summary_drift AS d WHERE (d.recount->>'total')::integer > 0) AS s"
                    " ORDER BY (r).date"
                    f" ON CONFLICT (date) DO UPDATE SET {', '.join(f'{c} = EXCLUDED.{c}' for c in counted)}"
                )
                cursor.execute(
                    f"DELETE FROM {SUMMARY_TABLE} AS s WHERE NOT EXISTS"
                    " (SELECT 1 FROM scheduling_attendancerecord AS r WHERE r.date = s.date)"
                )
        return differences
