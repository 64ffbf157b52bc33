"""Writes of notifications. The counters follow by themselves (statement-level triggers on Notification), so every
function here is one SQL statement whatever the row count, and none touches NotificationCounter."""

from collections.abc import Iterable
from datetime import datetime

import orjson
from django.db.models import QuerySet

from scheduling.errors import BadRequest, NotFound
from scheduling.models import Appointment, AppointmentRejection, Notification, NotificationType, User
from scheduling.selectors.notifications import NOT_FOUND, notifications_of, one_row


def notify(
    users: Iterable[User | int],
    notification_type: NotificationType | str,
    message: str,
    appointment: Appointment | None = None,
    rejection: AppointmentRejection | None = None,
) -> list[Notification]:
    """Write one notification per distinct user in a single INSERT (one counter update per user, by trigger).
    `users` may hold User objects or ids; None entries (e.g. an unassigned driver) are skipped."""
    if notification_type not in NotificationType.values:
        raise BadRequest(f"Unknown notification_type '{notification_type}'.")
    user_ids: list[int] = []
    for user in users:
        if user is None:
            continue
        user_id = user if isinstance(user, int) else user.pk
        if user_id not in user_ids:
            user_ids.append(user_id)
    if not user_ids:
        return []
    return Notification.objects.bulk_create(
        [
            Notification(
                user_id=user_id,
                notification_type=str(notification_type),
                message=message,
                appointment=appointment,
                rejection=rejection,
            )
            for user_id in user_ids
        ]
    )


def set_read(user: User, notification_id: int, is_read: bool) -> orjson.Fragment:
    """Mark one of the user's notifications read or unread (a no-op if it already is) and return it as the list
    shows it. NotFound if the user has no such notification (another user's id included)."""
    notifications_of(user).filter(pk=notification_id).exclude(is_read=is_read).update(is_read=is_read)
    row = one_row(user, notification_id)
    if row is None:
        raise NotFound(NOT_FOUND)
    return row


def mark_all_read(user: User) -> int:
    """One UPDATE statement; returns how many notifications changed."""
    return notifications_of(user).filter(is_read=False).update(is_read=True)


def delete_read(user: User) -> int:
    return _delete(notifications_of(user).filter(is_read=True))


def delete_all(user: User) -> int:
    return _delete(notifications_of(user))


def delete_one(user: User, notification_id: int) -> None:
    if not _delete(notifications_of(user).filter(pk=notification_id)):
        raise NotFound(NOT_FOUND)


def _delete(queryset) -> int:
    # Nothing references Notification, so Django issues one DELETE statement (a "fast delete").
    deleted, _ = queryset.delete()
    return deleted


def prunable(cutoff: datetime, read_only: bool = False) -> QuerySet[Notification]:
    queryset = Notification.objects.filter(created_at__lt=cutoff)
    return queryset.filter(is_read=True) if read_only else queryset


def prune(cutoff: datetime, *, read_only: bool = False, batch_size: int = 5000) -> int:
    """Delete notifications created before `cutoff`, `batch_size` rows per DELETE statement (each its own short
    transaction, so a large prune neither holds long locks nor one huge counter-trigger statement)."""
    deleted = 0
    while True:
        batch = prunable(cutoff, read_only).order_by("pk").values("pk")[:batch_size]
        count = _delete(Notification.objects.filter(pk__in=batch))
        deleted += count
        if count < batch_size:
            return deleted
