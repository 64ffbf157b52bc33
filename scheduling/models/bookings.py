"""Tables and views behind the appointment endpoints that only the database writes.

- StaffBooking: one row per staff member holding an appointment's time range, written by triggers on
  Appointment and AppointmentTherapist; its exclusion constraint is the no-double-booking rule (SPEC section 8).
- AppointmentStatusCount: appointments per (date, status), written by statement-level triggers; read by
  status_counts/ as a primary-key lookup.
- AppointmentListRow: the `appointment_list_rows` view (scheduling/sql_views/appointment_list_rows.sql): every
  field an API appointment carries, pre-built as JSON in `item`, plus the columns the filters use.
"""

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeOperators
from django.db import models

from scheduling.models import rollups, versions
from scheduling.models.trigger_only import trigger_only


class WallClockRange(models.Func):
    """`wall_clock_range(date, start, end)`: `slot_period` as StaffBooking.period stores it (wall-clock times labelled
    UTC; an end at or before the start is on the next day). The SQL function is created by migration 0008."""

    function = "wall_clock_range"
    arity = 3
    output_field = DateTimeRangeField()


class BookingRole(models.TextChoices):
    THERAPIST = "therapist", "Therapist"
    DRIVER = "driver", "Driver"


class StaffBooking(models.Model):
    """A staff member's hold on an appointment's time (wall clock stored as UTC; the end is exclusive)."""

    appointment = models.ForeignKey("scheduling.Appointment", on_delete=models.CASCADE, related_name="+")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=16, choices=BookingRole.choices)
    period = DateTimeRangeField()

    class Meta:
        constraints = [
            ExclusionConstraint(
                name="staff_booking_no_overlap",
                expressions=[("staff", RangeOperators.EQUAL), ("period", RangeOperators.OVERLAPS)],
            ),
            models.UniqueConstraint(fields=["appointment", "staff"], name="staff_booking_once_per_appointment"),
        ]

    def __str__(self) -> str:
        return f"{self.role} {self.staff_id} on appointment {self.appointment_id}"


class AppointmentStatusCount(models.Model):
    """How many appointments have this status on this date. Written only by triggers on Appointment.
    (No CHECK count >= 0: PostgreSQL checks an upsert's proposed row before it finds the conflict.)"""

    date = models.DateField()
    status = models.CharField(max_length=32)
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["date", "status"], name="appointment_status_count_key"),
        ]
        triggers = [trigger_only("status_count_trigger_only")]

    def __str__(self) -> str:
        return f"{self.date} {self.status}: {self.count}"


class AppointmentListRow(models.Model):
    """One appointment as the API shows it (read-only; the view builds `item`)."""

    id = models.BigIntegerField(primary_key=True)
    client = models.ForeignKey("scheduling.Client", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False, null=True, related_name="+"
    )
    driver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False, null=True, related_name="+"
    )
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False, null=True, related_name="+"
    )
    date = models.DateField()
    start_time = models.TimeField()
    end_time = models.TimeField()
    status = models.CharField(max_length=32)
    payment_status = models.CharField(max_length=16)
    location = models.TextField()
    notes = models.TextField()
    response_deadline = models.DateTimeField(null=True)
    created_at = models.DateTimeField()
    item = models.JSONField()

    class Meta:
        managed = False
        db_table = "appointment_list_rows"

    def __str__(self) -> str:
        return f"appointment row {self.id}"


class JsonText(models.TextField):
    """A PostgreSQL `json` column (kept as written, unlike jsonb): aggregating it into a page is a text copy."""

    def db_type(self, connection) -> str:
        return "json"


class AppointmentItemCache(models.Model):
    """The output of the view appointment_items per appointment, written only by the statement-level triggers of
    scheduling/models/item_cache_triggers.py through the function in scheduling/sql_views/appointment_item_cache.sql
    (rows leave with their appointment, by trigger)."""

    appointment = models.OneToOneField(
        "scheduling.Appointment", primary_key=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    item = JsonText()

    class Meta:
        db_table = "appointment_item_cache"
        # Every change an appointment list can show passes through this table: it moves their ETags.
        triggers = [
            trigger_only("appt_item_trigger_only"),
            *versions.bump(versions.Scope.APPOINTMENTS, "appt_item"),
            # ... and marks the appointment's date for the report roll-ups (scheduling/models/rollups.py)
            *rollups.mark_report_days(),
        ]

    def __str__(self) -> str:
        return f"item of appointment {self.appointment_id}"
