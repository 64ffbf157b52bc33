"""Reads of availability slots, and who is free for a time window (one SQL query).

Times: a slot or appointment whose end_time is at or before its start_time ends on the next day. Both are
compared as real spans with the SQL function `slot_period(date, start, end)` (migration 0004), so a slot
22:00-02:00 on the 1st covers 00:30-01:30 on the 2nd.
"""

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from django.db.models import BooleanField, DateField, F, Func, QuerySet, TimeField, Value
from django.utils import timezone

from scheduling.errors import BadRequest
from scheduling.models import Availability, MassagePressure, Role, User
from scheduling.models.availability import SlotPeriod


def availabilities_visible_to(user: User) -> QuerySet[Availability]:
    """Operators see every slot, therapists and drivers only their own (SPEC section 5)."""
    queryset = Availability.objects.select_related("user").order_by("date", "start_time", "id")
    if user.is_operator:
        return queryset
    return queryset.filter(user=user)


def filter_availabilities(
    queryset: QuerySet[Availability],
    *,
    user: int | None = None,
    date: dt.date | None = None,
    date_after: dt.date | None = None,
    date_before: dt.date | None = None,
    is_available: bool | None = None,
) -> QuerySet[Availability]:
    if user is not None:
        queryset = queryset.filter(user_id=user)
    if date is not None:
        queryset = queryset.filter(date=date)
    if date_after is not None:
        queryset = queryset.filter(date__gte=date_after)
    if date_before is not None:
        queryset = queryset.filter(date__lte=date_before)
    if is_available is not None:
        queryset = queryset.filter(is_available=is_available)
    return queryset


class RangesOverlap(Func):
    """`a && b` for two ranges, usable as a filter condition."""

    arg_joiner = " && "
    template = "(%(expressions)s)"
    output_field = BooleanField()


def overlapping_slots(
    user_id: int, date: dt.date, start: dt.time, end: dt.time, *, exclude_id: int | None = None
) -> list[Availability]:
    """The user's slots sharing real time with [start, end) on `date`: the test of `availability_no_overlap`,
    asked first so the caller can be told which slot is in the way."""
    period = SlotPeriod(Value(date, DateField()), Value(start, TimeField()), Value(end, TimeField()))
    overlaps = RangesOverlap(SlotPeriod(F("date"), F("start_time"), F("end_time")), period)
    return list(Availability.objects.filter(overlaps, user_id=user_id).exclude(pk=exclude_id).order_by("date"))


def check_not_zero_length(start: dt.time, end: dt.time) -> None:
    if start == end:
        raise BadRequest(
            "end_time must differ from start_time (an end before the start means the next day).",
            errors={"end_time": ["must differ from start_time"]},
        )


@dataclass(frozen=True)
class TimeWindow:
    """A date and a start and end wall-clock time (an end at or before the start is on the next day)."""

    date: dt.date
    start_time: dt.time
    end_time: dt.time

    def __post_init__(self) -> None:
        check_not_zero_length(self.start_time, self.end_time)


# The query lives in its own file so it reads (and can be run in psql) as SQL.
FREE_STAFF_SQL = (Path(__file__).resolve().parent / "free_staff.sql").read_text()


def free_staff(
    role: Role,
    window: TimeWindow,
    *,
    specialization: str | None = None,
    massage_pressure: str | None = None,
    checked_in: bool = False,
    now: dt.datetime | None = None,
) -> list[User]:
    """Active staff of `role` with a slot covering the whole window and no staff booking overlapping it (the
    bookings the double-booking constraint checks, so everyone listed can be booked for the window).

    One query. Each User carries the covering slot as `slot_id`, `slot_date`, `slot_start_time`,
    `slot_end_time` (slots of one person never overlap, so at most one slot covers a window). With `checked_in`,
    only people who are in at `now` (default: the present): checked in and not yet out (attendance)."""
    now = now or timezone.now()
    escaped = (specialization or "").strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    params = {
        "role": Role(role).value,
        "date": window.date,
        "start": window.start_time,
        "end": window.end_time,
        "specialization": f"%{escaped}%" if escaped else None,
        "massage_pressure": MassagePressure(massage_pressure).value if massage_pressure else None,
        "checked_in": checked_in,
        "now": now,
        "today": timezone.localdate(now),
    }
    return list(User.objects.raw(FREE_STAFF_SQL, params))
