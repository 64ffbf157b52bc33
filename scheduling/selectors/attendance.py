"""Role-scoped reads of attendance (CONTRACT.md section 2a): operators see everyone's records, therapists and
drivers their own. Each read is one fixed SQL statement whose rows PostgreSQL renders as the API's JSON
(scheduling/selectors/rendered.py): the record with the person's fields joined, times as the business's wall clock.
The day's summary is one primary-key lookup of the trigger-kept AttendanceDaySummary."""

import datetime as dt
from collections.abc import Iterable

import orjson
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from scheduling.errors import NotFound
from scheduling.models import AttendanceDaySummary, AttendanceRecord, User
from scheduling.models.attendance import SUMMARY_COLUMNS
from scheduling.selectors import rendered
from scheduling.services import permissions

# A check-out may close a shift that started the day before, as long as it lasts at most this long.
LONGEST_SHIFT = dt.timedelta(hours=24)

RECORDS = AttendanceRecord._meta.db_table
USERS = User._meta.db_table
SUMMARIES = AttendanceDaySummary._meta.db_table

# One record as the API renders it (AttendanceRecordOut). The frontend reads staff_member.first_name etc. (the
# previous backend nested the person there), so staff_member is the person too, with the username and email its
# fallbacks read. Check-in and check-out are the business's wall-clock times (HH:MM:SS, %(tz)s); hours_worked is
# null until the check-out. Needs `r` (the record) and `u` (its person). row_to_json writes compact JSON
# (json_build_object puts spaces around every colon).
ITEM = """(SELECT row_to_json(x) FROM (SELECT
    r.id,
    (SELECT row_to_json(p) FROM (SELECT u.id, u.first_name, u.last_name, u.role, u.username, u.email) AS p)
        AS staff_member,
    (SELECT row_to_json(p) FROM (SELECT u.id, u.first_name, u.last_name, u.role) AS p) AS staff_member_details,
    r.date,
    to_char(r.check_in_time AT TIME ZONE %(tz)s, 'HH24:MI:SS') AS check_in_time,
    to_char(r.check_out_time AT TIME ZONE %(tz)s, 'HH24:MI:SS') AS check_out_time,
    r.status,
    r.check_in_time IS NOT NULL AND r.check_out_time IS NULL AS is_checked_in,
    r.hours_worked::float8 AS hours_worked,
    r.approved_by_id AS approved_by,
    r.approved_at,
    r.notes,
    r.created_at,
    r.updated_at) AS x)"""
FROM = f"FROM {RECORDS} AS r JOIN {USERS} AS u ON u.id = r.staff_member_id"
VISIBLE = "(%(own)s::bigint IS NULL OR r.staff_member_id = %(own)s)"

DAY_SQL = f"""SELECT {ITEM} AS item {FROM}
WHERE r.date = %(date)s AND {VISIBLE}
    AND (%(staff)s::bigint IS NULL OR r.staff_member_id = %(staff)s)
    AND (%(status)s::text IS NULL OR r.status = %(status)s)
ORDER BY r.date, u.first_name, u.last_name, r.id"""
ONE_SQL = f"SELECT {ITEM} AS item {FROM} WHERE r.id = %(id)s AND {VISIBLE}"
BY_ID_SQL = f"SELECT r.id, ({ITEM})::text {FROM} WHERE r.id = ANY(%(ids)s)"

# The caller's working day at a moment: today's record once checked in; else yesterday's shift still open that
# started at most LONGEST_SHIFT ago (a check-out after midnight counts for the day it started); else today's record
# without a check-in (a day marked absent). Needs `r`.
CURRENT = """WHERE r.staff_member_id = %(me)s
    AND (r.date = %(today)s
         OR (r.date = %(yesterday)s AND r.check_in_time IS NOT NULL AND r.check_out_time IS NULL
             AND r.check_in_time >= %(shift_start)s))
ORDER BY r.date = %(today)s AND r.check_in_time IS NOT NULL DESC, r.date = %(yesterday)s DESC
LIMIT 1"""


def own_records_only(user: User) -> int | None:
    """The one rule of who sees which records: None for operators (every record), else the user's own id."""
    return None if user.is_operator else user.pk


def records_visible_to(user: User) -> QuerySet[AttendanceRecord]:
    """The records `user` may see, for the services and the live channel (own_records_only's rule)."""
    own = own_records_only(user)
    records = AttendanceRecord.objects.all()
    return records if own is None else records.filter(staff_member_id=own)


def _params(user: User | None, **more) -> dict:
    return {"tz": settings.TIME_ZONE, "own": None if user is None else own_records_only(user), **more}


def day_rows(user: User, day: dt.date, staff_id: int | None = None, status: str | None = None) -> orjson.Fragment:
    """The JSON array of one day's records `user` may see, by the person's name. One query."""
    return rendered.json_array(AttendanceRecord, DAY_SQL, _params(user, date=day, staff=staff_id, status=status))


NOT_FOUND = "Attendance record not found."


def visible_row(user: User, record_id: int) -> orjson.Fragment:
    """One record as the API renders it, if `user` may see it; else 404. One query."""
    row = rendered.json_value(AttendanceRecord, ONE_SQL, _params(user, id=record_id))
    if row is None:
        raise NotFound(NOT_FOUND)
    return row


def rows_by_id(record_ids: Iterable[int]) -> dict[int, orjson.Fragment]:
    """The records of `record_ids` that still exist, as the API renders them, by id (one query): what the live
    channel's attendance_update pushes (scheduling/live/attendance.py)."""
    found = rendered.fetch_all(AttendanceRecord, BY_ID_SQL, _params(None, ids=list(record_ids)))
    return {record_id: orjson.Fragment(text) for record_id, text in found}


def _current_params(user: User, now: dt.datetime, **more) -> dict:
    today = timezone.localdate(now)
    return {
        "me": user.pk,
        "today": today,
        "yesterday": today - dt.timedelta(days=1),
        "shift_start": now - LONGEST_SHIFT,
        **more,
    }


def current_record(user: User, now: dt.datetime) -> AttendanceRecord | None:
    """The caller's working day at `now` (CURRENT), or None. One query."""
    found = list(AttendanceRecord.objects.raw(f"SELECT r.* FROM {RECORDS} AS r {CURRENT}", _current_params(user, now)))
    return found[0] if found else None


def today_status(user: User, now: dt.datetime) -> orjson.Fragment | dict:
    """The caller's current record (CURRENT) as the list renders it, or the same keys empty (id null, not checked
    in) when there is none: the frontend reads `.check_in_time` of whatever comes back, so it never gets a bare
    null. One query."""
    row = rendered.json_value(
        AttendanceRecord, f"SELECT {ITEM} AS item {FROM} {CURRENT}", _params(user, **_current_params(user, now))
    )
    return row if row is not None else empty_status(user, timezone.localdate(now))


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


SUMMARY_COUNTED = SUMMARY_COLUMNS[1:]  # the summary row's columns after its date
SUMMARY_SQL = f"SELECT {', '.join(SUMMARY_COUNTED)} FROM {SUMMARIES} WHERE date = %s"


def day_summary(user: User, day: dt.date) -> dict:
    """Operators only (it counts everyone). The day's counts from AttendanceDaySummary: one primary-key lookup,
    whatever the number of records. Also the derived figures the operators' page reads (attendance_rate,
    total_hours, average_hours, pending_approvals)."""
    permissions.require(user, permissions.READ_ATTENDANCE_SUMMARY)
    found = rendered.fetch_one(AttendanceDaySummary, SUMMARY_SQL, [day])
    row = dict(zip(SUMMARY_COUNTED, found, strict=True)) if found else {}
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
