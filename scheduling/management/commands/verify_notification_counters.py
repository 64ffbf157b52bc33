"""Recount every user's notifications and compare with the trigger-kept counters; --fix repairs them."""

from scheduling.management.drift_command import DriftCommand
from scheduling.services import notification_counters


class Command(DriftCommand):
    compares = "NotificationCounter with a full recount of the notifications"
    subject = "notification counters"
    drift = staticmethod(notification_counters.drift)
    repair = staticmethod(notification_counters.repair)

    def describe(self, row: notification_counters.Drift) -> str:
        return (
            f"user {row.user_id}: counter total={row.counter_total} unread={row.counter_unread}, "
            f"recount total={row.actual_total} unread={row.actual_unread}"
        )
