"""/api/attendance/: staff check in and out, operators see who is in and approve (CONTRACT.md section 2a).

Operators see every record, therapists and drivers their own (another's id is a 404). Times are the business's
local wall-clock times (settings.TIME_ZONE); a check_out_time at or before check_in_time is on the next day.
"""

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, PatchDict, Query, Router, Schema

from api.schema_rendering import json_response
from api.schemas import LocalTime
from scheduling.models import AttendanceStatus
from scheduling.selectors import attendance as selectors
from scheduling.services import attendance as services

router = Router(tags=["attendance"])


class StaffMemberBrief(Schema):
    id: int
    first_name: str
    last_name: str
    role: str


class StaffMemberOut(StaffMemberBrief):
    username: str
    email: str


class AttendanceRecordOut(Schema):
    id: int
    staff_member: StaffMemberOut = Field(description="the person (the frontend reads staff_member.first_name)")
    staff_member_details: StaffMemberBrief
    date: dt.date = Field(description="the local day the shift started")
    check_in_time: LocalTime | None
    check_out_time: LocalTime | None = Field(description="before check_in_time means the next day")
    status: AttendanceStatus
    is_checked_in: bool = Field(description="checked in and not yet out")
    hours_worked: float | None = Field(description="from check-in to check-out, to the hundredth; null until out")
    approved_by: int | None
    approved_at: dt.datetime | None
    notes: str
    created_at: dt.datetime
    updated_at: dt.datetime


class TodayStatusOut(AttendanceRecordOut):
    """The caller's current record, or the same keys with `id` and `status` null when there is none."""

    id: int | None
    status: AttendanceStatus | None
    created_at: dt.datetime | None
    updated_at: dt.datetime | None


def _today() -> dt.date:
    return timezone.localdate(services.now())


class RecordFilters(Schema):
    date: dt.date = Field(default_factory=_today, description="the day; default today")
    staff_id: int | None = None
    status: AttendanceStatus | None = None


class RecordEdit(Schema):
    notes: str = Field(..., description=f"at most {services.MAX_NOTES} characters")
    check_in_time: LocalTime
    check_out_time: LocalTime = Field(..., description="at or before check_in_time means the next day")


class MarkAbsentIn(Schema):
    date: dt.date | None = Field(None, description="default today; not a future day")
    staff_id: int | None = Field(None, description="only this person; default everyone who has not checked in")


class MarkAbsentOut(Schema):
    detail: str
    date: dt.date
    count: int


class SummaryParams(Schema):
    date: dt.date = Field(default_factory=_today, description="default today")


class SummaryOut(Schema):
    date: dt.date
    total: int
    present: int
    late: int
    absent: int
    pending_approval: int
    pending_approvals: int = Field(description="the same as pending_approval, as the operators' page reads it")
    checked_in: int = Field(description="in now: checked in, not yet out")
    checked_out: int
    total_hours: float
    average_hours: float = Field(description="total_hours over the records checked out")
    attendance_rate: float = Field(description="percent of the day's records not absent")


def _rendered(request: HttpRequest, record_id: int) -> HttpResponse:
    return json_response(selectors.visible_row(request.auth, record_id))


@router.post("/check-in/", response=AttendanceRecordOut)
def check_in(request: HttpRequest):
    """Check in for today.

    The caller's record of the day: present when by the late-after time (13:15 local by default), else late. A day an
    operator marked absent becomes pending_approval; any other second check-in is a 409."""
    return _rendered(request, services.check_in(request.auth).pk)


@router.post("/check-out/", response=AttendanceRecordOut)
def check_out(request: HttpRequest):
    """Check out: end the caller's working day.

    Closes the caller's open record (also one opened yesterday that ran past midnight) and computes hours_worked."""
    return _rendered(request, services.check_out(request.auth).pk)


@router.get("/today-status/", response=TodayStatusOut)
def today_status(request: HttpRequest):
    """The caller's attendance today.

    The caller's record of today, or none, and whether they are checked in; every dashboard polls it."""
    return json_response(selectors.today_status(request.auth, services.now()))


@router.get("/records/", response=list[AttendanceRecordOut])
def list_records(request: HttpRequest, filters: Query[RecordFilters]):
    """A plain array (the frontend reads it as one): a day's records, ordered by name. Two queries in all."""
    return json_response(selectors.day_rows(request.auth, filters.date, filters.staff_id, filters.status))


@router.get("/records/{int:record_id}/", response=AttendanceRecordOut)
def get_record(request: HttpRequest, record_id: int):
    """One attendance record.

    Operators see everyone's, staff only their own (another's is a 404)."""
    return _rendered(request, record_id)


@router.patch("/records/{int:record_id}/", response=AttendanceRecordOut)
def update_record(request: HttpRequest, record_id: int, data: PatchDict[RecordEdit]):
    """Correct an attendance record (operator).

    Notes and the check-in and check-out times (local clock times); the status follows a corrected check-in (a
    pending record stays pending until approved)."""
    return _rendered(request, services.correct(request.auth, record_id, dict(data)).pk)


@router.post("/approve/{int:record_id}/", response=AttendanceRecordOut)
def approve(request: HttpRequest, record_id: int):
    """Approve an attendance record (operator).

    A pending record becomes present or late by its check-in time; one approved already is a 409 saying by whom and
    when."""
    return _rendered(request, services.approve(request.auth, record_id).pk)


@router.post("/mark-absent/", response=MarkAbsentOut)
def mark_absent(request: HttpRequest, data: MarkAbsentIn):
    """Mark staff absent for a day (operator).

    Every active therapist and driver with no record that day (default today), or only the one named, gets an absent
    record; answers how many."""
    day, created = services.mark_absent(request.auth, day=data.date, staff_id=data.staff_id)
    return {"detail": f"{len(created)} marked absent on {day:%Y-%m-%d}.", "date": day, "count": len(created)}


@router.get("/summary/", response=SummaryOut)
def summary(request: HttpRequest, params: Query[SummaryParams]):
    """Counts per status for the day from the trigger-kept summary table: one primary-key lookup."""
    return json_response(selectors.day_summary(request.auth, params.date))
