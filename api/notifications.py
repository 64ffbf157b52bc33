"""/api/scheduling/notifications/: the caller's own notifications (SPEC sections 6 and 7)."""

from datetime import date, datetime

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from api.pagination import Page, PageParams, check_page, envelope
from api.schema_rendering import json_response
from scheduling.models import NotificationType
from scheduling.selectors import notifications as selectors
from scheduling.services import notifications as services

router = Router(tags=["notifications"])


class AppointmentInfo(Schema):
    id: int
    date: date
    status: str


class NotificationOut(Schema):
    id: int
    notification_type: str
    type: str = Field(description="the same value as notification_type, for the older frontend")
    message: str
    is_read: bool
    created_at: datetime
    appointment: int | None
    rejection: int | None
    appointment_info: AppointmentInfo | None


class NotificationResults(Schema):
    notifications: list[NotificationOut]
    unreadCount: int


class NotificationPage(Page[NotificationOut]):
    """The standard envelope; `notifications` and `unreadCount` stand both in `results` and at the top level,
    since two generations of the frontend read one or the other."""

    results: NotificationResults
    notifications: list[NotificationOut]
    unreadCount: int


class NotificationFilters(Schema):
    is_read: bool | None = None
    notification_type: NotificationType | None = None


class UnreadCount(Schema):
    unread: int
    total: int


class Changed(Schema):
    detail: str
    count: int


@router.get("/", response=NotificationPage)
def list_notifications(request: HttpRequest, filters: Query[NotificationFilters], pagination: Query[PageParams]):
    """Newest first. Two queries in all whatever the page size: authentication, then counts and rows in one."""
    found = selectors.page(
        request.auth, filters.is_read, filters.notification_type, pagination.page, pagination.page_size
    )
    check_page(found.matching, pagination.page, pagination.page_size)
    results = {"notifications": found.items, "unreadCount": found.unread}
    body = envelope(request, found.matching, pagination.page, pagination.page_size, results)
    body.update(results)
    return json_response(body)


# The frontend's fallback when the list fails: the same list (the caller's own rows only).
router.add_api_operation(
    "/debug_all/",
    ["GET"],
    list_notifications,
    response=NotificationPage,
    summary="The same as the list (the frontend's fallback route)",
    operation_id="notifications_debug_all",
)


@router.get("/unread_count/", response=UnreadCount)
def unread_count(request: HttpRequest):
    """The caller's unread and total notification counts.

    One primary-key lookup in the counter table the triggers keep."""
    unread, total = selectors.unread_and_total(request.auth)
    return json_response({"unread": unread, "total": total})


@router.post("/mark_all_as_read/", response=Changed)
def mark_all_as_read(request: HttpRequest):
    """Mark all the caller's notifications read.

    One UPDATE; answers how many changed."""
    count = services.mark_all_read(request.auth)
    return {"detail": f"{count} notifications marked as read.", "count": count}


@router.api_operation(["POST", "DELETE"], "/delete_read/", response=Changed)
def delete_read(request: HttpRequest):
    """Delete the caller's read notifications.

    Answers how many were deleted."""
    count = services.delete_read(request.auth)
    return {"detail": f"{count} read notifications deleted.", "count": count}


@router.api_operation(["POST", "DELETE"], "/delete_all/", response=Changed)
def delete_all(request: HttpRequest):
    """Delete all the caller's notifications.

    Answers how many were deleted."""
    count = services.delete_all(request.auth)
    return {"detail": f"{count} notifications deleted.", "count": count}


@router.get("/{int:notification_id}/", response=NotificationOut)
def get_notification(request: HttpRequest, notification_id: int):
    """One of the caller's notifications.

    Another user's is a 404."""
    return json_response(selectors.visible_row(request.auth, notification_id))


@router.delete("/{int:notification_id}/", response={204: None})
def delete_notification(request: HttpRequest, notification_id: int):
    """Delete one of the caller's notifications.

    Answers 204; another user's is a 404."""
    services.delete_one(request.auth, notification_id)
    return Status(204, None)


@router.api_operation(["POST", "PATCH"], "/{int:notification_id}/mark_as_read/", response=NotificationOut)
def mark_as_read(request: HttpRequest, notification_id: int):
    """Mark one notification read.

    Answers the notification."""
    return json_response(services.set_read(request.auth, notification_id, True))


@router.api_operation(["POST", "PATCH"], "/{int:notification_id}/mark_as_unread/", response=NotificationOut)
def mark_as_unread(request: HttpRequest, notification_id: int):
    """Mark one notification unread.

    Answers the notification."""
    return json_response(services.set_read(request.auth, notification_id, False))


@router.api_operation(
    ["POST", "PATCH"], "/{int:notification_id}/mark-unread/", response=NotificationOut, operation_id="mark_unread"
)
def mark_unread_alias(request: HttpRequest, notification_id: int):
    """The older frontend's spelling of mark_as_unread."""
    return json_response(services.set_read(request.auth, notification_id, False))
