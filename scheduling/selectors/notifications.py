"""Reads of a user's own notifications. Counts come from NotificationCounter (a primary-key lookup), rows from one
query that joins the appointment columns the list shows, so no item triggers a lazy load."""

from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from scheduling.errors import NotFound
from scheduling.models import Notification, NotificationCounter, NotificationType, User

ROW_FIELDS = (
    "id",
    "notification_type",
    "message",
    "is_read",
    "created_at",
    "appointment_id",
    "rejection_id",
    "appointment__date",
    "appointment__status",
)


def notifications_of(user: User) -> QuerySet[Notification]:
    """Every notification endpoint starts here: a user sees and changes only their own."""
    return Notification.objects.filter(user_id=user.pk)


def filtered(user: User, is_read: bool | None = None, notification_type: str | None = None) -> QuerySet[Notification]:
    queryset = notifications_of(user)
    if is_read is not None:
        queryset = queryset.filter(is_read=is_read)
    if notification_type is not None:
        queryset = queryset.filter(notification_type=notification_type)
    return queryset


def unread_and_total(user: User) -> tuple[int, int]:
    """(unread, total) from the counter table; a user with no counter row has no notifications."""
    row = NotificationCounter.objects.filter(user_id=user.pk).values_list("unread", "total").first()
    return row if row is not None else (0, 0)


@dataclass(frozen=True)
class ListCounts:
    matching: int  # rows that pass the filters (the page envelope's count)
    unread: int  # all of the user's unread notifications, whatever the filters


def list_counts(
    user: User, is_read: bool | None = None, notification_type: NotificationType | None = None
) -> ListCounts:
    """One query, always one row (anchored on the user's own row). Without a type filter the matching count is
    derived from the counter row, so it stays a primary-key lookup at any table size; a type filter counts the
    user's rows of that type through the (user, created_at) index."""
    counter = NotificationCounter.objects.filter(user_id=OuterRef("pk"))
    zero = Value(0, output_field=IntegerField())
    annotations = {
        "c_total": Coalesce(Subquery(counter.values("total")[:1]), zero),
        "c_unread": Coalesce(Subquery(counter.values("unread")[:1]), zero),
    }
    if notification_type is not None:
        matching = (
            filtered(user, is_read, notification_type)
            .filter(user_id=OuterRef("pk"))
            .order_by()
            .values("user_id")
            .annotate(n=Count("*"))
            .values("n")
        )
        annotations["c_matching"] = Coalesce(Subquery(matching), zero)
    row = User.objects.filter(pk=user.pk).annotate(**annotations).values(*annotations)[0]
    total, unread = row["c_total"], row["c_unread"]
    if notification_type is not None:
        matching_count = row["c_matching"]
    elif is_read is None:
        matching_count = total
    else:
        matching_count = total - unread if is_read else unread
    return ListCounts(matching=matching_count, unread=unread)


def rows(queryset: QuerySet[Notification]) -> list[dict]:
    """The notifications of `queryset` (already sliced or filtered) as plain dicts, appointment info included."""
    return [_item(row) for row in queryset.values(*ROW_FIELDS)]


def _item(row: dict) -> dict:
    appointment_id = row["appointment_id"]
    return {
        "id": row["id"],
        "notification_type": row["notification_type"],
        "type": row["notification_type"],
        "message": row["message"],
        "is_read": row["is_read"],
        "created_at": row["created_at"],
        "appointment": appointment_id,
        "rejection": row["rejection_id"],
        "appointment_info": (
            {"id": appointment_id, "date": row["appointment__date"], "status": row["appointment__status"]}
            if appointment_id is not None
            else None
        ),
    }


NOT_FOUND = "Notification not found."


def one_row(user: User, notification_id: int) -> dict | None:
    found = rows(notifications_of(user).filter(pk=notification_id))
    return found[0] if found else None


def visible_row(user: User, notification_id: int) -> dict:
    """One of the user's notifications as the API renders it; else 404 (another user's id included)."""
    row = one_row(user, notification_id)
    if row is None:
        raise NotFound(NOT_FOUND)
    return row
