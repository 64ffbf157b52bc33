"""Checking (and, if ever needed, repairing) the trigger-kept NotificationCounter against a full recount.
The recount is the `notification_counter_drift` view (scheduling/sql_views/notification_counter_drift.sql)."""

from typing import NamedTuple

import pgtrigger
from django.db import connection, transaction

PROTECT_TRIGGER = "scheduling.NotificationCounter:notif_counter_trigger_only"


class Drift(NamedTuple):
    user_id: int
    counter_total: int
    counter_unread: int
    actual_total: int
    actual_unread: int


def drift() -> list[Drift]:
    """Users whose counter differs from a recount. One statement, so one snapshot of both tables: a counter and
    the notifications it counts change in the same transaction, and a concurrent writer cannot cause a false
    difference."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT user_id, counter_total, counter_unread, actual_total, actual_unread"
            " FROM notification_counter_drift ORDER BY user_id"
        )
        return [Drift(*row) for row in cursor.fetchall()]


def repair() -> list[Drift]:
    """Rewrite every differing counter from the recount and return what differed. Writers of notifications wait
    (SHARE lock) while this runs, so nothing changes between the recount and the rewrite."""
    with transaction.atomic(), pgtrigger.ignore(PROTECT_TRIGGER):
        with connection.cursor() as cursor:
            cursor.execute("LOCK TABLE scheduling_notification IN SHARE MODE")
        differences = drift()
        if differences:
            with connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO scheduling_notificationcounter (user_id, total, unread)"
                    " SELECT user_id, actual_total, actual_unread FROM notification_counter_drift"
                    " WHERE actual_total > 0 ORDER BY user_id"
                    " ON CONFLICT (user_id) DO UPDATE SET total = EXCLUDED.total, unread = EXCLUDED.unread"
                )
                cursor.execute(
                    "DELETE FROM scheduling_notificationcounter AS c"
                    " WHERE NOT EXISTS (SELECT 1 FROM scheduling_notification AS n WHERE n.user_id = c.user_id)"
                )
        return differences
