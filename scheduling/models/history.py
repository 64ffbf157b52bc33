"""The history of every change (issue 17), kept by PostgreSQL triggers that django-pghistory declares.

Each event model below is a snapshot table: one row per insert, per update that changes a tracked field, per
delete. A row holds the tracked fields' values after the change (before it, for a delete), `pgh_created_at`,
`pgh_label` (`insert`, `update`, `delete`, `baseline`), and `pgh_context`: the request's metadata, `{"user": id,
"url": path}`, copied into the row (no shared context table, so concurrent writers never touch one row), or null
for a change made outside a request (raw SQL, psql, a command). What changed is the difference from the previous
snapshot of the same object, which the `appointment_changes` and `report_*_changes` views compute. `baseline` rows are the state when
tracking began (migration 0007) or the state at the retention cutoff (`prune_history`); they are not changes.

Not tracked: notifications and counters (high volume, no dispute value), auth tokens, and of the user only the
role, active flag and names (never the password or the login bookkeeping).
"""

import pghistory
from django.db import models

from scheduling.models.appointments import Appointment, AppointmentTherapist
from scheduling.models.availability import Availability
from scheduling.models.users import User


def row_events(table: str) -> tuple[pghistory.RowEvent, ...]:
    """Fresh trackers per model (pghistory binds a tracker's change condition to the model it sets up first),
    with trigger names that say whose history they keep (`pgtrigger ls`)."""
    return (
        pghistory.InsertEvent(trigger_name=f"{table}_history_insert"),
        pghistory.UpdateEvent(trigger_name=f"{table}_history_update"),
        pghistory.DeleteEvent(trigger_name=f"{table}_history_delete"),
    )


def link_events(table: str) -> tuple[pghistory.RowEvent, ...]:
    return (
        pghistory.InsertEvent("add", trigger_name=f"{table}_history_add"),
        pghistory.DeleteEvent("remove", trigger_name=f"{table}_history_remove"),
    )


# The request's metadata is copied into each event row: no upsert of a shared context row on every write.
CONTEXT = {"context_field": pghistory.ContextJSONField()}

APPOINTMENT_FIELDS = [
    "client",
    "therapist",
    "group_size",
    "driver",
    "operator",
    "date",
    "start_time",
    "end_time",
    "location",
    "notes",
    "status",
    "payment_status",
    "payment_method",
    "payment_amount",
    "payment_verified_at",
    "payment_verified_by",
    "payment_notes",
    "receipt_hash",
    "receipt_url",
    "pickup_urgency",
    "pickup_notes",
    "rejection_reason",
    "cancellation_reason",
    "metadata",
]
USER_FIELDS = ["username", "first_name", "last_name", "role", "is_active"]
AVAILABILITY_FIELDS = ["user", "date", "start_time", "end_time", "is_available"]


def _obj_index(name: str) -> models.Index:
    """Every read is "the events of one object, in order" (and pruning walks the same index)."""
    return models.Index(fields=["pgh_obj", "pgh_id"], name=name)


def _created_index(name: str) -> models.Index:
    # BRIN: tiny and nearly free to maintain on an append-mostly table; prune_history filters by age.
    from django.contrib.postgres.indexes import BrinIndex

    return BrinIndex(fields=["pgh_created_at"], name=name)


class AppointmentEvent(
    pghistory.create_event_model(Appointment, *row_events("appointment"), fields=APPOINTMENT_FIELDS, **CONTEXT)
):
    class Meta:
        indexes = [_obj_index("appt_event_obj_idx"), _created_index("appt_event_created_brin")]


class AppointmentServiceLink(Appointment.services.through):
    """The appointment-service link table (Django's auto-created one) as a model the history can track."""

    class Meta:
        proxy = True


class AppointmentServiceEvent(
    pghistory.create_event_model(
        AppointmentServiceLink,
        *link_events("appt_service"),
        fields=["appointment", "service"],
        obj_field=None,
        **CONTEXT,
    )
):
    class Meta:
        indexes = [
            models.Index(fields=["appointment", "pgh_id"], name="appt_service_event_idx"),
            _created_index("appt_service_event_brin"),
        ]


class AppointmentTherapistEvent(
    pghistory.create_event_model(
        AppointmentTherapist,
        *link_events("appt_therapist"),
        fields=["appointment", "therapist"],
        obj_field=None,
        **CONTEXT,
    )
):
    class Meta:
        indexes = [
            models.Index(fields=["appointment", "pgh_id"], name="appt_therapist_event_idx"),
            _created_index("appt_therapist_event_brin"),
        ]


class AvailabilityEvent(
    pghistory.create_event_model(Availability, *row_events("availability"), fields=AVAILABILITY_FIELDS, **CONTEXT)
):
    class Meta:
        indexes = [_obj_index("availability_event_obj_idx"), _created_index("availability_event_brin")]


class UserEvent(pghistory.create_event_model(User, *row_events("user"), fields=USER_FIELDS, **CONTEXT)):
    class Meta:
        indexes = [_obj_index("user_event_obj_idx"), _created_index("user_event_brin")]


# Event tables, the label of their deletes, and whether a snapshot needs the previous one to show a change.
SNAPSHOT_MODELS = (AppointmentEvent, AvailabilityEvent, UserEvent)
LINK_MODELS = (AppointmentServiceEvent, AppointmentTherapistEvent)


class AppointmentChange(models.Model):
    """One row of the appointment_changes view (scheduling/sql_views/appointment_changes.sql), unmasked: for
    operators (the API and the admin); analysts read report_appointment_changes."""

    event_id = models.TextField(primary_key=True)
    appointment_id = models.BigIntegerField()
    changed_at = models.DateTimeField()
    event = models.TextField()
    actor_id = models.BigIntegerField(null=True)
    actor_name = models.TextField(null=True)
    context_id = models.UUIDField(null=True)
    url = models.TextField(null=True)
    changes = models.JSONField()
    seq = models.BigIntegerField()

    class Meta:
        managed = False
        db_table = "appointment_changes"

    def __str__(self) -> str:
        return f"{self.event} of appointment {self.appointment_id} at {self.changed_at}"
