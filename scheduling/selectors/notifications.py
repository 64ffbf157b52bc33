"""Reads of a user's own notifications, each one fixed SQL statement whose rows PostgreSQL renders as the API's JSON
(scheduling/selectors/rendered.py). Counts come from NotificationCounter (a primary-key lookup), rows from one
query that joins the appointment columns the list shows."""

from dataclasses import dataclass

import orjson
from django.db.models import QuerySet

from scheduling.errors import NotFound
from scheduling.models import Appointment, Notification, NotificationCounter, User
from scheduling.selectors import rendered

NOTIFICATIONS = Notification._meta.db_table
COUNTERS = NotificationCounter._meta.db_table
APPOINTMENTS = Appointment._meta.db_table

# One notification as the API renders it (NotificationOut): `type` repeats notification_type for the older
# frontend; appointment_info is the appointment's id, date and status, or null. Needs `n` and `a`. row_to_json
# writes compact JSON (json_build_object puts spaces around every colon).
ITEM = """(SELECT row_to_json(x) FROM (SELECT
    n.id,
    n.notification_type,
    n.notification_type AS type,
    n.message,
    n.is_read,
    n.created_at,
    n.appointment_id AS appointment,
    n.rejection_id AS rejection,
    CASE WHEN n.appointment_id IS NOT NULL
        THEN (SELECT row_to_json(i) FROM (SELECT a.id, a.date, a.status) AS i) END AS appointment_info) AS x)"""
FROM = f"FROM {NOTIFICATIONS} AS n LEFT JOIN {APPOINTMENTS} AS a ON a.id = n.appointment_id"
# A user sees and changes only their own (notifications_of); the filters narrow that.
MATCHING = """n.user_id = %(me)s
    AND (%(is_read)s::boolean IS NULL OR n.is_read = %(is_read)s)
    AND (%(type)s::text IS NULL OR n.notification_type = %(type)s)"""
# The counter row (zeros for a user who never had one), the count of a type filter (through the (user,
# created_at) index; NULL without one: derived from the counters) and the page, newest first.
PAGE_SQL = f"""SELECT coalesce(c.total, 0), coalesce(c.unread, 0),
    CASE WHEN %(type)s::text IS NOT NULL THEN (SELECT count(*) FROM {NOTIFICATIONS} AS n WHERE {MATCHING}) END,
    (SELECT {rendered.ITEMS_ARRAY} FROM (
        SELECT {ITEM} AS item {FROM} WHERE {MATCHING}
        ORDER BY n.created_at DESC, n.id DESC LIMIT %(limit)s OFFSET %(offset)s) AS p)
FROM (SELECT 1) AS one LEFT JOIN {COUNTERS} AS c ON c.user_id = %(me)s"""
ONE_SQL = f"SELECT {ITEM} AS item {FROM} WHERE n.id = %(id)s AND n.user_id = %(me)s"
COUNTS_SQL = f"SELECT unread, total FROM {COUNTERS} WHERE user_id = %s"


def notifications_of(user: User) -> QuerySet[Notification]:
    """Every notification write starts here: a user sees and changes only their own (MATCHING says the same)."""
    return Notification.objects.filter(user_id=user.pk)


def unread_and_total(user: User) -> tuple[int, int]:
    """(unread, total) from the counter table; a user with no counter row has no notifications."""
    row = rendered.fetch_one(NotificationCounter, COUNTS_SQL, [user.pk])
    return row if row is not None else (0, 0)


@dataclass(frozen=True)
class ListPage:
    matching: int  # rows that pass the filters (the page envelope's count)
    unread: int  # all of the user's unread notifications, whatever the filters
    items: orjson.Fragment  # the page's JSON array


def page(user: User, is_read: bool | None, notification_type: str | None, number: int, size: int) -> ListPage:
    """One statement, whatever the page size and the number of notifications. Without a type filter the matching
    count is derived from the counter row, so it stays a primary-key lookup at any table size."""
    params = {
        "me": user.pk,
        "is_read": is_read,
        "type": notification_type,
        "limit": size,
        "offset": (number - 1) * size,
    }
    total, unread, typed, items = rendered.fetch_one(Notification, PAGE_SQL, params)
    if typed is not None:
        matching = typed
    elif is_read is None:
        matching = total
    else:
        matching = total - unread if is_read else unread
    return ListPage(matching=matching, unread=unread, items=orjson.Fragment(items))


NOT_FOUND = "Notification not found."


def one_row(user: User, notification_id: int) -> orjson.Fragment | None:
    return rendered.json_value(Notification, ONE_SQL, {"id": notification_id, "me": user.pk})


def visible_row(user: User, notification_id: int) -> orjson.Fragment:
    """One of the user's notifications as the API renders it; else 404 (another user's id included)."""
    row = one_row(user, notification_id)
    if row is None:
        raise NotFound(NOT_FOUND)
    return row
