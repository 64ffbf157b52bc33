"""Attendance: one record per therapist or driver and local day (check-in, check-out, hours, approval), and the
per-day summary the statement-level triggers below keep exact (CONTRACT.md section 2a)."""

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import F, Func, Q

from scheduling.live.triggers import live_event
from scheduling.models.trigger_only import trigger_only


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", "Present"  # checked in by the cut-off (settings.ATTENDANCE_LATE_AFTER)
    LATE = "late", "Late"  # checked in after it
    ABSENT = "absent", "Absent"  # marked absent by an operator, no check-in
    # Checked in after an operator had marked them absent: the operator decides (approve turns it into
    # present or late by the check-in time).
    PENDING_APPROVAL = "pending_approval", "Pending approval"


class HoursBetween(Func):
    """Hours from the first timestamp to the second, to the hundredth (NULL while either is NULL). Immutable in
    PostgreSQL (timestamptz minus timestamptz, then extract epoch), so it can define a generated column."""

    arg_joiner = " - "
    template = "round(extract(epoch FROM (%(expressions)s)) / 3600, 2)"
    output_field = models.DecimalField(max_digits=5, decimal_places=2)


SUMMARY_TABLE = "scheduling_attendancedaysummary"

# The summary's columns and which records each counts; the drift view (sql_views/attendance_summary_drift.sql)
# recounts the same definitions from the records, and tests/database/test_attendance_summary.py proves they agree.
SUMMARY_COUNTS = {
    "total": "true",
    "present": "status = 'present'",
    "late": "status = 'late'",
    "absent": "status = 'absent'",
    "pending_approval": "status = 'pending_approval'",
    "checked_in": "check_in_time IS NOT NULL AND check_out_time IS NULL",
    "checked_out": "check_out_time IS NOT NULL",
}


SUMMARY_COLUMNS = ["date", *SUMMARY_COUNTS, "hours_total"]  # AttendanceDaySummary's columns, in table order


def _summary_trigger_func(sources: str) -> str:
    """PL/pgSQL body of the three statement-level triggers on AttendanceRecord: `sources` yields the statement's
    rows with a sign (+1 new, -1 old). The per-day deltas are gathered once (as summary-shaped rows); existing
    summary rows are locked in date order (the one lock order of every writer, so concurrent statements never
    deadlock) and updated, missing ones upserted (a concurrent first record of the same day adds instead of
    colliding). Each affected day's row is written once per statement, whatever the row count; a day left with
    no record loses its row."""
    sums = ", ".join(f"sum(r.sign * ({condition})::integer)" for condition in SUMMARY_COUNTS.values())
    counted = SUMMARY_COLUMNS[1:]
    adds = ", ".join(f"{name} = c.{name} + {{src}}.{name}" for name in counted)
    return f"""
        SELECT array_agg(d.s ORDER BY (d.s).date) INTO _deltas
          FROM (SELECT ROW(r.date, {sums}, coalesce(sum(r.sign * r.hours_worked), 0))::{SUMMARY_TABLE} AS s
                  FROM ({sources}) AS r
                 GROUP BY r.date) AS d
         WHERE {" OR ".join(f"(d.s).{name} <> 0" for name in counted)};
        IF _deltas IS NULL THEN
            RETURN NULL;
        END IF;
        PERFORM 1 FROM {SUMMARY_TABLE} AS c
          WHERE c.date IN (SELECT u.date FROM unnest(_deltas) AS u) ORDER BY c.date FOR UPDATE;
        UPDATE {SUMMARY_TABLE} AS c SET {adds.format(src="u")}
          FROM unnest(_deltas) AS u WHERE c.date = u.date;
        INSERT INTO {SUMMARY_TABLE} AS c ({", ".join(SUMMARY_COLUMNS)})
        SELECT {", ".join(f"u.{name}" for name in SUMMARY_COLUMNS)} FROM unnest(_deltas) AS u
         WHERE NOT EXISTS (SELECT 1 FROM {SUMMARY_TABLE} AS x WHERE x.date = u.date)
         ORDER BY u.date
            ON CONFLICT (date) DO UPDATE SET {adds.format(src="EXCLUDED")};
        DELETE FROM {SUMMARY_TABLE} AS c WHERE c.total = 0 AND c.date IN (SELECT u.date FROM unnest(_deltas) AS u);
        RETURN NULL;
    """


_SUMMARY_DECLARE = [("_deltas", f"{SUMMARY_TABLE}[]")]


_NEW = "SELECT 1 AS sign, n.* FROM new_rows AS n"
_OLD = "SELECT -1 AS sign, o.* FROM old_rows AS o"


def _summary_triggers() -> list[pgtrigger.Trigger]:
    """AFTER insert, update and delete, each once per statement with its transition table(s)."""
    kinds = [
        ("insert", pgtrigger.Insert, pgtrigger.Referencing(new="new_rows"), _NEW),
        ("update", pgtrigger.Update, pgtrigger.Referencing(old="old_rows", new="new_rows"), f"{_NEW} UNION ALL {_OLD}"),
        ("delete", pgtrigger.Delete, pgtrigger.Referencing(old="old_rows"), _OLD),
    ]
    return [
        pgtrigger.Trigger(
            name=f"attendance_summary_{kind}",
            level=pgtrigger.Statement,
            when=pgtrigger.After,
            operation=operation,
            referencing=referencing,
            declare=_SUMMARY_DECLARE,
            func=_summary_trigger_func(sources),
        )
        for kind, operation, referencing, sources in kinds
    ]


class AttendanceRecord(models.Model):
    """A therapist's or driver's working day: the local date the shift started, when they checked in and out (a
    check-out after midnight belongs to the day it started), the status, and the operator's approval."""

    # No index of its own: the unique (staff_member, date) constraint leads with it.
    staff_member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attendance_records", db_index=False
    )
    date = models.DateField(help_text="the local day the shift started (settings.TIME_ZONE)")
    check_in_time = models.DateTimeField(null=True, blank=True)
    check_out_time = models.DateTimeField(null=True, blank=True)
    hours_worked = models.GeneratedField(
        expression=HoursBetween(F("check_out_time"), F("check_in_time")),
        output_field=models.DecimalField(max_digits=5, decimal_places=2),
        db_persist=True,
    )
    status = models.CharField(max_length=20, choices=AttendanceStatus.choices)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(blank=True, default="")
    # Who last corrected the check-in or check-out time, and when (operators only).
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    corrected_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["staff_member", "date"], name="attendance_one_per_day"),
            models.CheckConstraint(condition=Q(status__in=AttendanceStatus.values), name="attendance_status_valid"),
            # Absent means no check-in, and every other status has one.
            models.CheckConstraint(
                condition=(Q(status=AttendanceStatus.ABSENT) & Q(check_in_time__isnull=True))
                | (~Q(status=AttendanceStatus.ABSENT) & Q(check_in_time__isnull=False)),
                name="attendance_absent_iff_no_check_in",
            ),
            models.CheckConstraint(
                condition=Q(check_out_time__isnull=True) | Q(check_out_time__gt=F("check_in_time")),
                name="attendance_check_out_after_check_in",
            ),
            models.CheckConstraint(
                condition=Q(hours_worked__isnull=True) | Q(hours_worked__lte=24), name="attendance_at_most_a_day"
            ),
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | Q(approved_at__isnull=False), name="attendance_approval_dated"
            ),
            models.CheckConstraint(
                condition=Q(corrected_by__isnull=True) | Q(corrected_at__isnull=False),
                name="attendance_correction_dated",
            ),
        ]
        indexes = [models.Index(fields=["date"], name="attendance_date_idx")]
        triggers = [
            # Only therapists and drivers have attendance, whatever path writes the row.
            pgtrigger.Trigger(
                name="attendance_staff_only",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.UpdateOf("staff_member_id"),
                func="""
                IF NOT EXISTS (
                    SELECT 1 FROM scheduling_user u
                    WHERE u.id = NEW.staff_member_id AND u.role IN ('therapist', 'driver')
                ) THEN
                    RAISE EXCEPTION 'attendance is only for therapists and drivers (user %)', NEW.staff_member_id
                        USING ERRCODE = 'check_violation', CONSTRAINT = 'attendance_staff_only';
                END IF;
                RETURN NEW;
                """,
            ),
            # AttendanceDaySummary is kept exact by these: one summary write per affected day per statement.
            *_summary_triggers(),
            # The live channel: attendance_update pushes to operators and the person (scheduling/live/attendance.py).
            *live_event("attendance", name="attendance", fields={"id": "id", "u": "staff_member_id"}),
        ]

    def __str__(self) -> str:
        return f"{self.staff_member_id} {self.date} {self.status}"

    @property
    def is_checked_in(self) -> bool:
        return self.check_in_time is not None and self.check_out_time is None


class AttendanceDaySummary(models.Model):
    """Per local day: how many attendance records there are, per status, how many people are in (checked in, not
    out) and the hours worked. Written only by the triggers on AttendanceRecord (a direct write raises); the
    summary endpoint reads one row by primary key. No row means no records that day."""

    date = models.DateField(primary_key=True)
    total = models.IntegerField(default=0)
    present = models.IntegerField(default=0)
    late = models.IntegerField(default=0)
    absent = models.IntegerField(default=0)
    pending_approval = models.IntegerField(default=0)
    checked_in = models.IntegerField(default=0)
    checked_out = models.IntegerField(default=0)
    hours_total = models.DecimalField(max_digits=9, decimal_places=2, default=0)

    class Meta:
        db_table = SUMMARY_TABLE
        ordering = ["-date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(present__gte=0)
                & Q(late__gte=0)
                & Q(absent__gte=0)
                & Q(pending_approval__gte=0)
                & Q(checked_in__gte=0)
                & Q(checked_out__gte=0)
                & Q(hours_total__gte=0)
                & Q(total=F("present") + F("late") + F("absent") + F("pending_approval")),
                name="attendance_summary_in_range",
            ),
        ]
        triggers = [
            trigger_only("attendance_summary_trigger_only"),
        ]

    def __str__(self) -> str:
        return f"{self.date}: {self.total} records"
