import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q

from scheduling.live.triggers import live_event
from scheduling.models import versions
from scheduling.models.trigger_only import trigger_only

COUNTER_TABLE = "scheduling_notificationcounter"


def _counter_trigger_func(deltas_sql: str) -> str:
    """PL/pgSQL body shared by the three statement-level counter triggers on Notification.

    `deltas_sql` reads the statement's transition table(s) and yields (user_id, dt, du): the change of total and
    unread per user. Every affected counter row is written once per statement, whatever the row count. Existing
    counter rows are locked first in user_id order (the one lock order of every writer, so concurrent statements
    never deadlock); rows that do not exist yet are upserted, so a concurrent first insert for the same user adds
    instead of colliding; a row whose total reaches 0 is removed (no notifications, no counter row).
    """
    c = COUNTER_TABLE
    return f"""
        SELECT array_agg(d.user_id ORDER BY d.user_id), array_agg(d.dt ORDER BY d.user_id),
               array_agg(d.du ORDER BY d.user_id)
          INTO _users, _dt, _du
          FROM ({deltas_sql}) AS d
         WHERE d.dt <> 0 OR d.du <> 0;
        IF _users IS NULL THEN
            RETURN NULL;
        END IF;
        PERFORM 1 FROM {c} WHERE user_id = ANY(_users) ORDER BY user_id FOR UPDATE;
        WITH changed AS (
            UPDATE {c} AS c SET total = c.total + d.dt, unread = c.unread + d.du
              FROM unnest(_users, _dt, _du) AS d(user_id, dt, du)
             WHERE c.user_id = d.user_id
         RETURNING c.user_id
        )
        SELECT array_agg(user_id) INTO _done FROM changed;
        INSERT INTO {c} AS c (user_id, total, unread)
        SELECT d.user_id, d.dt, d.du
          FROM unnest(_users, _dt, _du) AS d(user_id, dt, du)
         WHERE _done IS NULL OR NOT d.user_id = ANY(_done)
         ORDER BY d.user_id
            ON CONFLICT (user_id) DO UPDATE SET total = c.total + EXCLUDED.total, unread = c.unread + EXCLUDED.unread;
        DELETE FROM {c} WHERE user_id = ANY(_users) AND total = 0;
        RETURN NULL;
    """


_COUNTER_DECLARE = [("_users", "bigint[]"), ("_dt", "integer[]"), ("_du", "integer[]"), ("_done", "bigint[]")]

_INSERT_DELTAS = """
    SELECT user_id, count(*)::integer AS dt, count(*) FILTER (WHERE NOT is_read)::integer AS du
      FROM new_rows GROUP BY user_id
"""
_DELETE_DELTAS = """
    SELECT user_id, -count(*)::integer AS dt, -count(*) FILTER (WHERE NOT is_read)::integer AS du
      FROM old_rows GROUP BY user_id
"""
# An update moves a row out of its old (user, is_read) and into its new one; unchanged rows cancel out.
_UPDATE_DELTAS = """
    SELECT user_id, sum(dt)::integer AS dt, sum(du)::integer AS du
      FROM (SELECT user_id, 1 AS dt, CASE WHEN is_read THEN 0 ELSE 1 END AS du FROM new_rows
            UNION ALL
            SELECT user_id, -1, CASE WHEN is_read THEN 0 ELSE -1 END FROM old_rows) AS moves
     GROUP BY user_id
"""


class NotificationType(models.TextChoices):
    APPOINTMENT_CREATED = "appointment_created", "Appointment created"
    APPOINTMENT_UPDATED = "appointment_updated", "Appointment updated"
    THERAPIST_CONFIRMED = "therapist_confirmed", "Therapist confirmed"
    DRIVER_CONFIRMED = "driver_confirmed", "Driver confirmed"
    APPOINTMENT_STARTED = "appointment_started", "Appointment started"
    JOURNEY_STARTED = "journey_started", "Journey started"
    ARRIVED_AT_LOCATION = "arrived_at_location", "Arrived at location"
    THERAPIST_DROPPED_OFF = "therapist_dropped_off", "Therapist dropped off"
    SESSION_STARTED = "session_started", "Session started"
    PAYMENT_REQUESTED = "payment_requested", "Payment requested"
    PAYMENT_VERIFIED = "payment_verified", "Payment verified"
    APPOINTMENT_COMPLETED = "appointment_completed", "Appointment completed"
    PICKUP_REQUESTED = "pickup_requested", "Pickup requested"
    DRIVER_ASSIGNED_PICKUP = "driver_assigned_pickup", "Driver assigned for pickup"
    PICKUP_REJECTED = "pickup_rejected", "Pickup rejected"
    PICKUP_CONFIRMED = "pickup_confirmed", "Pickup confirmed"
    RETURN_JOURNEY_COMPLETED = "return_journey_completed", "Return journey completed"
    APPOINTMENT_REJECTED = "appointment_rejected", "Appointment rejected"
    REJECTION_REVIEWED = "rejection_reviewed", "Rejection reviewed"
    APPOINTMENT_CANCELLED = "appointment_cancelled", "Appointment cancelled"
    APPOINTMENT_AUTO_CANCELLED = "appointment_auto_cancelled", "Appointment auto-cancelled"
    APPOINTMENT_DELETED = "appointment_deleted", "Appointment deleted"
    SYSTEM = "system", "System"


class Notification(models.Model):
    # No index of its own: notif_user_created_idx leads with user_id and serves every per-user lookup.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", db_index=False
    )
    appointment = models.ForeignKey(
        "scheduling.Appointment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
    )
    rejection = models.ForeignKey(
        "scheduling.AppointmentRejection",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
    )
    notification_type = models.CharField(max_length=40, choices=NotificationType.choices)
    message = models.TextField()
    is_read = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(notification_type__in=NotificationType.values), name="notification_type_valid"
            ),
        ]
        # No index mentions is_read, and the table keeps half of each page free (fillfactor 50, migration 0006): marking
        # notifications read is then a HOT update that touches no index, which is what makes mark_all_as_read
        # over 10,000 rows cheap. Unread counts come from NotificationCounter, not from an index.
        indexes = [
            models.Index(fields=["user", "-created_at", "-id"], name="notif_user_created_idx"),
            models.Index(fields=["created_at"], name="notif_created_idx"),
        ]
        # NotificationCounter is kept exact by these: one counter write per affected user per statement.
        triggers = [
            pgtrigger.Trigger(
                name="notif_count_insert",
                level=pgtrigger.Statement,
                when=pgtrigger.After,
                operation=pgtrigger.Insert,
                referencing=pgtrigger.Referencing(new="new_rows"),
                declare=_COUNTER_DECLARE,
                func=_counter_trigger_func(_INSERT_DELTAS),
            ),
            pgtrigger.Trigger(
                name="notif_count_delete",
                level=pgtrigger.Statement,
                when=pgtrigger.After,
                operation=pgtrigger.Delete,
                referencing=pgtrigger.Referencing(old="old_rows"),
                declare=_COUNTER_DECLARE,
                func=_counter_trigger_func(_DELETE_DELTAS),
            ),
            # PostgreSQL allows no column list (UPDATE OF is_read, user_id) with transition tables: the deltas
            # of rows whose user and is_read did not change sum to zero and write nothing.
            pgtrigger.Trigger(
                name="notif_count_update",
                level=pgtrigger.Statement,
                when=pgtrigger.After,
                operation=pgtrigger.Update,
                referencing=pgtrigger.Referencing(old="old_rows", new="new_rows"),
                declare=_COUNTER_DECLARE,
                func=_counter_trigger_func(_UPDATE_DELTAS),
            ),
            # the live channel's notification_created (to the recipient only)
            *live_event("notification", name="notif", fields={"id": "id", "u": "user_id"}, operations="I"),
            *versions.bump_per_user(versions.Scope.NOTIFICATIONS, "notif"),  # ETags of each user's lists
        ]

    def __str__(self) -> str:
        return f"{self.notification_type} -> {self.user_id}"


class NotificationCounter(models.Model):
    """Per user: how many notifications they have and how many are unread. Written only by the triggers on
    Notification (a direct write raises); reading a count is a primary-key lookup. No row means zero."""

    # DO_NOTHING: the row disappears with the user's last notification (the delete trigger removes it), which
    # Django's cascade on User -> Notification deletes first; the deferred FK is checked at commit.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        primary_key=True,
        related_name="notification_counter",
    )
    total = models.IntegerField(default=0)
    unread = models.IntegerField(default=0)

    class Meta:
        db_table = COUNTER_TABLE
        constraints = [
            models.CheckConstraint(
                condition=Q(total__gte=0) & Q(unread__gte=0) & Q(unread__lte=models.F("total")),
                name="notif_counter_in_range",
            ),
        ]
        triggers = [
            trigger_only("notif_counter_trigger_only"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.unread}/{self.total}"
