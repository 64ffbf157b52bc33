"""Role-scoped reads of attendance (CONTRACT.md section 2a): operators see everyone's records, therapists and
drivers their own. Rows are built from one query each (the person's fields joined), the day's summary is one
primary-key lookup of the trigger-kept AttendanceDaySummary."""

import datetime as dt
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils import timezone

from scheduling.errors import Forbidden
from scheduling.models import AttendanceDaySummary, AttendanceRecord, Role, User

# The live channel's event name for a changed record (see attendance_update_message).
ATTENDANCE_EVENT = "attendance_update"

ROW_FIELDS = (
    "id",
    "staff_member_id",
    "staff_member__first_name",
    "staff_member__last_name",
    "staff_member__username",
    "staff_member__email",
    "staff_member__role",
    "date",
    "check_in_time",
    "check_out_time",
    "status",
    "hours_worked",
    "approved_by_id",
    "approved_at",
    "notes",
    "created_at",
    "updated_at",
)
# A check-out may close a shift that started the day before, as long as it lasts at most this long.
LONGEST_SHIFT = dt.timedelta(hours=24)


def records_visible_to(user: User) -> QuerySet[AttendanceRecord]:
    """Every attendance endpoint starts here: operators see all records, staff only their own."""
    if user.is_operator:
        return AttendanceRecord.objects.all()
    return AttendanceRecord.objects.filter(staff_member_id=user.pk)


def ordered_rows(queryset: QuerySet[AttendanceRecord]) -> list[dict]:
    """The records of `queryset` (a visible, filtered set) by day and the person's name. One query."""
    return rows(queryset.order_by("date", "staff_member__first_name", "staff_member__last_name", "id"))


def rows(queryset: QuerySet[AttendanceRecord]) -> list[dict]:
    """The records of `queryset` as the API renders them (CONTRACT.md 2a fields), in one query."""
    return [_item(row) for row in queryset.values(*ROW_FIELDS)]


def one_row(user: User, record_id: int) -> dict | None:
    found = rows(records_visible_to(user).filter(pk=record_id))
    return found[0] if found else None


def _local_time(moment: dt.datetime | None) -> dt.time | None:
    """A stored instant as the business's wall-clock time (HH:MM:SS), as the frontend shows it."""
    return None if moment is None else timezone.localtime(moment).time().replace(microsecond=0)


def _hours(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _item(row: dict) -> dict:
    person = {
        "id": row["staff_member_id"],
        "first_name": row["staff_member__first_name"],
        "last_name": row["staff_member__last_name"],
        "role": row["staff_member__role"],
    }
    return {
        "id": row["id"],
        # The frontend reads staff_member.first_name etc. (the previous backend nested the person here), so
        # staff_member is the person too, with the username and email its fallbacks read.
        "staff_member": {**person, "username": row["staff_member__username"], "email": row["staff_member__email"]},
        "staff_member_details": person,
        "date": row["date"],
        "check_in_time": _local_time(row["check_in_time"]),
        "check_out_time": _local_time(row["check_out_time"]),
        "status": row["status"],
        "is_checked_in": row["check_in_time"] is not None and row["check_out_time"] is None,
        "hours_worked": _hours(row["hours_worked"]),
        "approved_by": row["approved_by_id"],
        "approved_at": row["approved_at"],
        "notes": row["notes"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


def current_record(user: User, now: dt.datetime) -> AttendanceRecord | None:
    """The caller's working day at `now`: today's record, or, when today has no check-in, yesterday's shift that
    is still open and started at most LONGEST_SHIFT ago (a check-out after midnight counts for the day it
    started). One query."""
    today = timezone.localdate(now)
    candidates = list(
        AttendanceRecord.objects.filter(staff_member_id=user.pk, date__in=[today, today - dt.timedelta(days=1)])
    )
    todays = next((r for r in candidates if r.date == today), None)
    if todays is not None and todays.check_in_time is not None:
        return todays
    open_yesterday = next(
        (
            r
            for r in candidates
            if r.date != today
            and r.is_checked_in
            and r.check_in_time is not None
            and now - r.check_in_time <= LONGEST_SHIFT
        ),
        None,
    )
    return open_yesterday or todays


def today_status(user: User, now: dt.datetime) -> dict:
    """The caller's current record as the list renders it, or the same keys empty (id null, not checked in) when
    there is none: the frontend reads `.check_in_time` of whatever comes back, so it never gets a bare null."""
    record = current_record(user, now)
    if record is not None:
        row = one_row(user, record.pk)
        if row is not None:
            return row
    return empty_status(user, timezone.localdate(now))


def empty_status(user: User, day: dt.date) -> dict:
    person = {"id": user.pk, "first_name": user.first_name, "last_name": user.last_name, "role": user.role}
    return {
        "id": None,
        "staff_member": {**person, "username": user.username, "email": user.email},
        "staff_member_details": person,
        "date": day,
        "check_in_time": None,
        "check_out_time": None,
        "status": None,
        "is_checked_in": False,
        "hours_worked": None,
        "approved_by": None,
        "approved_at": None,
        "notes": "",
        "created_at": None,
        "updated_at": None,
    }


def day_summary(user: User, day: dt.date) -> dict:
    """Operators only (it counts everyone). The day's counts from AttendanceDaySummary: one primary-key lookup, whatever the number of records. Also
    the derived figures the operators' page reads (attendance_rate, total_hours, average_hours,
    pending_approvals)."""
    if not user.is_operator:
        raise Forbidden("Only an operator may read the attendance summary.")
    row = AttendanceDaySummary.objects.filter(date=day).values().first() or {}
    counts = {name: row.get(name, 0) for name in ("total", "present", "late", "absent", "pending_approval")}
    checked_in, checked_out = row.get("checked_in", 0), row.get("checked_out", 0)
    hours = float(row.get("hours_total", 0))
    total = counts["total"]
    return {
        "date": day,
        **counts,
        "pending_approvals": counts["pending_approval"],
        "checked_in": checked_in,
        "checked_out": checked_out,
        "total_hours": round(hours, 2),
        "average_hours": round(hours / checked_out, 2) if checked_out else 0.0,
        # Of the day's records, the share of people who came in (everyone not marked absent), in percent.
        "attendance_rate": round(100 * (total - counts["absent"]) / total, 1) if total else 0.0,
    }


def attendance_update_message(record_id: int) -> dict | None:
    """Live channel hook (issue 13): the push for a changed record, `{type: "attendance_update", record}` with
    the record as the REST API renders it, or None when it was deleted. Who receives it: attendance_audience."""
    found = rows(AttendanceRecord.objects.filter(pk=record_id))
    return {"type": ATTENDANCE_EVENT, "record": found[0]} if found else None


def attendance_audience(record: dict) -> QuerySet[User]:
    """The users allowed to see `record` (the same rule as records_visible_to): every active operator, and the
    staff member themself."""
    return User.objects.filter(Q(role=Role.OPERATOR) | Q(pk=record["staff_member"]["id"]), is_active=True)
