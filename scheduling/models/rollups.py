"""Tables only triggers write, kept so that a figure over all history is a read of constant size.

- AppointmentStatusTotal: appointments per status over all dates, for the operator's unfiltered list count and
  status_counts/ without a date (summing the (date, status) counters grew with history). Written by the same
  statement-level triggers as AppointmentStatusCount (scheduling/models/triggers_sql.py). Each status is split
  into TOTAL_SHARDS rows, picked by the writing backend: a single row per status would make every booking in
  the business wait for the one before it to commit; a read sums at most statuses x shards rows.
- Report roll-ups: one table per daily report view with the view's own columns (report_rollup_*), so a report
  reads pre-aggregated days, the same time for 30 days whether the history holds 60 days or 2 years. Kept
  incrementally: a statement-level trigger on appointment_item_cache (which the item-cache triggers refresh on
  every change an appointment's JSON shows, and every report input is in it) marks the appointment dates it
  touched in ReportDirtyDay; a report first recomputes the dirty days of its window from the views
  (scheduling/selectors/reports.py), then reads. A write pays one small upsert per statement; the first report
  after it pays the recount of that day. `manage.py verify_report_rollups [--fix]` compares with a recount.
"""

import pgtrigger
from django.db import models

from scheduling.models.reports import _DriverWorkload, _Funnel, _Revenue, _TherapistWorkload
from scheduling.models.trigger_only import trigger_only

TOTAL_TABLE = "scheduling_appointmentstatustotal"
TOTAL_SHARDS = 8


class AppointmentStatusTotal(models.Model):
    status = models.CharField(max_length=32)
    shard = models.SmallIntegerField()
    count = models.IntegerField(default=0)

    class Meta:
        db_table = TOTAL_TABLE
        constraints = [
            models.UniqueConstraint(fields=["status", "shard"], name="appointment_status_total_key"),
        ]
        triggers = [
            trigger_only("status_total_trigger_only"),
        ]

    def __str__(self) -> str:
        return f"{self.status} (shard {self.shard}): {self.count}"


DIRTY_TABLE = "report_dirty_day"


class ReportDirtyDay(models.Model):
    """An appointment date whose report roll-up rows may be out of date. `marks` counts the statements that
    marked it: a marking statement updates the row (rather than skipping it) so that it holds the row lock until
    it commits, and a refresh that deletes the mark waits for it and then recounts with its data."""

    date = models.DateField(primary_key=True)
    marks = models.BigIntegerField(default=1)

    class Meta:
        db_table = DIRTY_TABLE

    def __str__(self) -> str:
        return f"{self.date} ({self.marks} marks)"


def _mark_func(days_sql: str) -> str:
    return f"""
    INSERT INTO {DIRTY_TABLE} AS d (date, marks)
    SELECT k.day, 1 FROM ({days_sql}) AS k (day) WHERE k.day IS NOT NULL GROUP BY k.day ORDER BY k.day
    ON CONFLICT (date) DO UPDATE SET marks = d.marks + 1;
    RETURN NULL;
    """


def mark_report_days() -> list[pgtrigger.Trigger]:
    """For AppointmentItemCache: the dates of the items a statement wrote or removed (old and new)."""
    new, old = "SELECT (item->>'date')::date FROM new_rows", "SELECT (item->>'date')::date FROM old_rows"
    return [
        pgtrigger.Trigger(
            name="report_days_ins",
            level=pgtrigger.Statement,
            when=pgtrigger.After,
            operation=pgtrigger.Insert,
            referencing=pgtrigger.Referencing(new="new_rows"),
            func=_mark_func(new),
        ),
        pgtrigger.Trigger(
            name="report_days_upd",
            level=pgtrigger.Statement,
            when=pgtrigger.After,
            operation=pgtrigger.Update,
            referencing=pgtrigger.Referencing(old="old_rows", new="new_rows"),
            func=_mark_func(f"{new} UNION ALL {old}"),
        ),
        pgtrigger.Trigger(
            name="report_days_del",
            level=pgtrigger.Statement,
            when=pgtrigger.After,
            operation=pgtrigger.Delete,
            referencing=pgtrigger.Referencing(old="old_rows"),
            func=_mark_func(old),
        ),
    ]


class RevenueDayRollup(_Revenue):
    class Meta:
        db_table = "report_rollup_revenue_daily"

    def __str__(self) -> str:
        return f"revenue roll-up {self.date}"


class FunnelDayRollup(_Funnel):
    class Meta:
        db_table = "report_rollup_funnel_daily"

    def __str__(self) -> str:
        return f"funnel roll-up {self.date}"


class TherapistDayRollup(_TherapistWorkload):
    pk = models.CompositePrimaryKey("date", "therapist_id")
    date = models.DateField()

    class Meta:
        db_table = "report_rollup_therapist_daily"

    def __str__(self) -> str:
        return f"therapist {self.therapist_id} roll-up {self.date}"


class DriverDayRollup(_DriverWorkload):
    pk = models.CompositePrimaryKey("date", "driver_id")
    date = models.DateField()

    class Meta:
        db_table = "report_rollup_driver_daily"

    def __str__(self) -> str:
        return f"driver {self.driver_id} roll-up {self.date}"


class ServiceDayRollup(models.Model):
    pk = models.CompositePrimaryKey("date", "service_id")
    date = models.DateField()
    service_id = models.IntegerField()
    service_name = models.CharField(max_length=100)
    bookings = models.IntegerField()
    completed = models.IntegerField()
    dropped = models.IntegerField()
    revenue_billed = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        db_table = "report_rollup_service_daily"

    def __str__(self) -> str:
        return f"service {self.service_id} roll-up {self.date}"


# Each roll-up table and the daily view it copies (same column names).
ROLLUPS: list[tuple[type[models.Model], str]] = [
    (RevenueDayRollup, "report_revenue_daily"),
    (FunnelDayRollup, "report_funnel_daily"),
    (TherapistDayRollup, "report_therapist_workload_daily"),
    (DriverDayRollup, "report_driver_workload_daily"),
    (ServiceDayRollup, "report_service_popularity_daily"),
]
