"""Reads of availability slots, and who is free for a time window (one SQL query).

Times: a slot or appointment whose end_time is at or before its start_time ends on the next day. Both are
compared as real spans with the SQL function `slot_period(date, start, end)` (migration 0004), so a slot
22:00-02:00 on the 1st covers 00:30-01:30 on the 2nd.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from scheduling.errors import BadRequest
from scheduling.models import AppointmentStatus, Availability, Role, User

# Appointments in these statuses no longer hold their people: refused, called off, or finished (the session is
# over and no pickup is pending). Every other status, pickup statuses included, keeps therapist and driver busy.
INACTIVE_APPOINTMENT_STATUSES: tuple[str, ...] = (
    AppointmentStatus.REJECTED,
    AppointmentStatus.CANCELLED,
    AppointmentStatus.AUTO_CANCELLED,
    AppointmentStatus.COMPLETED,
    AppointmentStatus.TRANSPORT_COMPLETED,
)


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


def real_span(date: dt.date, start: dt.time, end: dt.time) -> tuple[dt.datetime, dt.datetime]:
    """The [start, end) of a slot or window as naive datetimes; an end at or before the start is the next day."""
    begin = dt.datetime.combine(date, start)
    finish = dt.datetime.combine(date + dt.timedelta(days=1) if end <= start else date, end)
    return begin, finish


def overlapping_slots(
    user_id: int, date: dt.date, start: dt.time, end: dt.time, *, exclude_id: int | None = None
) -> list[Availability]:
    """The user's slots that share real time with [start, end) on `date` (neighbouring days included)."""
    begin, finish = real_span(date, start, end)
    candidates = Availability.objects.filter(
        user_id=user_id, date__range=(date - dt.timedelta(days=1), date + dt.timedelta(days=1))
    ).exclude(pk=exclude_id)
    found = []
    for slot in candidates:
        slot_begin, slot_finish = real_span(slot.date, slot.start_time, slot.end_time)
        if slot_begin < finish and begin < slot_finish:
            found.append(slot)
    return found


@dataclass(frozen=True)
class Window:
    date: dt.date
    start_time: dt.time
    end_time: dt.time

    def __post_init__(self) -> None:
        if self.start_time == self.end_time:
            raise BadRequest(
                "end_time must differ from start_time (an end before the start means the next day).",
                errors={"end_time": ["must differ from start_time"]},
            )


_FREE_STAFF_SQL = """
SELECT u.*,
       a.id AS slot_id, a.date AS slot_date, a.start_time AS slot_start_time, a.end_time AS slot_end_time
FROM scheduling_user u
JOIN scheduling_availability a ON a.user_id = u.id
WHERE u.role = %(role)s
  AND u.is_active
  AND a.is_available
  AND a.date BETWEEN %(date)s::date - 1 AND %(date)s::date
  AND slot_period(a.date, a.start_time, a.end_time) @> slot_period(%(date)s, %(start)s, %(end)s)
  {extra}
  AND NOT EXISTS (
      SELECT 1 FROM scheduling_appointment ap
      WHERE ap.therapist_id = u.id AND {busy}
  )
  AND NOT EXISTS (
      SELECT 1 FROM scheduling_appointment ap
      WHERE ap.driver_id = u.id AND {busy}
  )
  AND NOT EXISTS (
      SELECT 1 FROM scheduling_appointmenttherapist link
      JOIN scheduling_appointment ap ON ap.id = link.appointment_id
      WHERE link.therapist_id = u.id AND {busy}
  )
ORDER BY u.first_name, u.last_name, u.id
"""

# An appointment holds its people when it is active and its real span overlaps the window.
# Back-to-back is free: tsrange is half-open, so 13:00-14:00 and 14:00-15:00 do not overlap.
_BUSY_SQL = (
    "ap.date BETWEEN %(date)s::date - 1 AND %(date)s::date + 1"
    " AND ap.status <> ALL(%(inactive)s)"
    " AND slot_period(ap.date, ap.start_time, ap.end_time) && slot_period(%(date)s, %(start)s, %(end)s)"
)


def free_staff(
    role: Role, window: Window, *, specialization: str | None = None, massage_pressure: str | None = None
) -> list[User]:
    """Active staff of `role` with a slot covering the whole window and no active appointment overlapping it.

    One query. Each User carries the covering slot as `slot_id`, `slot_date`, `slot_start_time`,
    `slot_end_time` (slots of one person never overlap, so at most one slot covers a window)."""
    params: dict = {
        "role": Role(role).value,
        "date": window.date,
        "start": window.start_time,
        "end": window.end_time,
        "inactive": [status.value for status in INACTIVE_APPOINTMENT_STATUSES],
    }
    extra = []
    if specialization:
        extra.append("AND u.specialization ILIKE %(specialization)s")
        escaped = specialization.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        params["specialization"] = f"%{escaped}%"
    if massage_pressure:
        extra.append("AND u.massage_pressure = %(massage_pressure)s")
        params["massage_pressure"] = massage_pressure
    sql = _FREE_STAFF_SQL.format(extra="\n  ".join(extra), busy=_BUSY_SQL)
    return list(User.objects.raw(sql, params))
