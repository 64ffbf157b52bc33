"""Writes of attendance (CONTRACT.md section 2a), one function per business operation, the acting user first.

Rules: only therapists and drivers check in and out, once a day (the local day of settings.TIME_ZONE); a check-in
by settings.ATTENDANCE_LATE_AFTER (default "13:15", inclusive, to the second) is `present`, later `late`; a
check-out after midnight closes the shift of the day it started; checking in twice, or out without a check-in,
is a 409 that names the state. Operators approve, correct notes and times (recorded in corrected_by/_at) and
mark absent everyone who has not checked in. The database has the last word (AttendanceRecord.Meta: one record
per person and day, staff only, times in order); the checks here give the caller a message that names the
problem. The per-day summary follows by itself (statement-level triggers).

Every function takes the moment it acts at from `now()` unless given `at`, so tests fix the clock.
"""

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from scheduling.errors import BadRequest, Conflict, Forbidden, NotFound
from scheduling.models import AttendanceRecord, AttendanceStatus, Role, User
from scheduling.selectors.attendance import current_record, records_visible_to

STAFF_ROLES = (Role.THERAPIST, Role.DRIVER)
NOT_FOUND = "Attendance record not found."
MAX_NOTES = 5000


def now() -> dt.datetime:
    """The clock every operation reads (tests replace it)."""
    return timezone.now()


def late_after() -> dt.time:
    """The cut-off: a check-in at or before this local time is present, after it late."""
    value = settings.ATTENDANCE_LATE_AFTER
    return value if isinstance(value, dt.time) else dt.time.fromisoformat(value)


def classify(check_in: dt.datetime) -> AttendanceStatus:
    on_time = timezone.localtime(check_in).time() <= late_after()
    return AttendanceStatus.PRESENT if on_time else AttendanceStatus.LATE


def _moment(at: dt.datetime | None) -> dt.datetime:
    # Whole seconds: the API shows HH:MM:SS, so 13:15:00.4 must read (and count) as 13:15:00.
    return (at or now()).replace(microsecond=0)


def _clock(moment: dt.datetime) -> str:
    return f"{timezone.localtime(moment):%H:%M:%S}"


def _day_word(record: AttendanceRecord, at: dt.datetime) -> str:
    return "today" if record.date == timezone.localdate(at) else f"on {record.date:%Y-%m-%d}"


def _require_staff(actor: User, action: str) -> None:
    if actor.role not in STAFF_ROLES:
        raise Forbidden(f"Only a therapist or driver may {action}; operators do not check in.")


def _require_operator(actor: User, action: str) -> None:
    if not actor.is_operator:
        raise Forbidden(f"Only an operator may {action}.")


def _locked(actor: User, record_id: int) -> AttendanceRecord:
    record = records_visible_to(actor).select_for_update().filter(pk=record_id).first()
    if record is None:
        raise NotFound(NOT_FOUND)
    return record


def _already_checked_in(record: AttendanceRecord, at: dt.datetime) -> Conflict:
    return Conflict(
        f"You already checked in {_day_word(record, at)} at {_clock(record.check_in_time)} "
        f"(status {record.status}{'' if record.check_out_time is None else ', checked out'})."
    )


@transaction.atomic
def check_in(actor: User, *, at: dt.datetime | None = None) -> AttendanceRecord:
    """Start the actor's working day. A day an operator marked absent becomes pending_approval (the operator
    decides); any other second check-in is a 409."""
    _require_staff(actor, "check in")
    at = _moment(at)
    day = timezone.localdate(at)
    record = AttendanceRecord.objects.select_for_update().filter(staff_member=actor, date=day).first()
    if record is None:
        try:
            with transaction.atomic():
                return AttendanceRecord.objects.create(
                    staff_member=actor, date=day, check_in_time=at, status=classify(at)
                )
        except IntegrityError:  # a concurrent check-in of the same person won the unique (person, day) row
            record = AttendanceRecord.objects.select_for_update().get(staff_member=actor, date=day)
    if record.check_in_time is not None:
        raise _already_checked_in(record, at)
    record.check_in_time = at
    record.status = AttendanceStatus.PENDING_APPROVAL
    record.approved_by = record.approved_at = None  # the absence it contradicts was approved, this is not
    record.save()
    return record


@transaction.atomic
def check_out(actor: User, *, at: dt.datetime | None = None) -> AttendanceRecord:
    """End the actor's working day: today's, or yesterday's still open shift after midnight."""
    _require_staff(actor, "check out")
    at = _moment(at)
    found = current_record(actor, at)
    record = None if found is None else AttendanceRecord.objects.select_for_update().get(pk=found.pk)
    if record is None:
        raise Conflict("You have not checked in today: check in first.")
    if record.check_in_time is None:
        raise Conflict("You were marked absent today and have not checked in: check in first.")
    if record.check_out_time is not None:
        raise Conflict(
            f"You already checked out {_day_word(record, at)} at {_clock(record.check_out_time)} "
            f"(checked in at {_clock(record.check_in_time)})."
        )
    if at <= record.check_in_time:
        raise Conflict(f"You checked in at {_clock(record.check_in_time)}: a check-out must come after it.")
    record.check_out_time = at
    record.save()
    return record


@transaction.atomic
def approve(actor: User, record_id: int, *, at: dt.datetime | None = None) -> AttendanceRecord:
    """The operator's approval. A pending record becomes present or late by its check-in time."""
    _require_operator(actor, "approve attendance")
    record = _locked(actor, record_id)
    if record.approved_at is not None:
        approver = record.approved_by
        by = approver.display_name if approver is not None else "an operator"
        raise Conflict(
            f"This attendance record ({record.status}) was already approved by {by} at "
            f"{timezone.localtime(record.approved_at):%Y-%m-%d %H:%M}."
        )
    if record.status == AttendanceStatus.PENDING_APPROVAL:
        record.status = classify(record.check_in_time)
    record.approved_by = actor
    record.approved_at = _moment(at)
    record.save()
    return record


def _on_day(day: dt.date, clock: dt.time, after: dt.datetime | None = None) -> dt.datetime:
    """`clock` on `day` in the business's time zone; on the next day when it is not after `after` (a check-out
    time at or before the check-in time is the next morning, as with availability slots)."""
    moment = timezone.make_aware(dt.datetime.combine(day, clock.replace(tzinfo=None)))
    if after is not None and moment <= after:
        moment = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), clock.replace(tzinfo=None)))
    return moment


@transaction.atomic
def correct(actor: User, record_id: int, changes: dict, *, at: dt.datetime | None = None) -> AttendanceRecord:
    """An operator's edit of notes and times (`changes` may hold notes, check_in_time, check_out_time as local
    wall-clock times). A time correction records who made it and when, and re-derives present/late from the
    corrected check-in (a pending record stays pending until approved)."""
    _require_operator(actor, "edit attendance records")
    record = _locked(actor, record_id)
    for name in ("check_in_time", "check_out_time"):
        if name in changes and changes[name] is None:
            raise BadRequest(f"{name} can be corrected, not removed.", errors={name: ["may not be null"]})
    if changes.get("notes") is not None:
        if len(changes["notes"]) > MAX_NOTES:
            raise BadRequest(f"notes: at most {MAX_NOTES} characters.", errors={"notes": ["too long"]})
        record.notes = changes["notes"]
    new_in, new_out = changes.get("check_in_time"), changes.get("check_out_time")
    if new_in is not None or new_out is not None:
        check_in_at = _on_day(record.date, new_in) if new_in is not None else record.check_in_time
        if check_in_at is None:
            raise Conflict(
                "This record has no check-in (the person was marked absent): give check_in_time too.",
                errors={"check_in_time": ["required to set check_out_time"]},
            )
        out_clock = new_out if new_out is not None else _local_clock(record.check_out_time)
        record.check_in_time = check_in_at
        record.check_out_time = None if out_clock is None else _on_day(record.date, out_clock, after=check_in_at)
        if record.status != AttendanceStatus.PENDING_APPROVAL:
            record.status = classify(check_in_at)
        record.corrected_by = actor
        record.corrected_at = _moment(at)
    record.save()
    return record


def _local_clock(moment: dt.datetime | None) -> dt.time | None:
    return None if moment is None else timezone.localtime(moment).time()


MARK_ABSENT_SQL = """
    INSERT INTO scheduling_attendancerecord
        (staff_member_id, date, status, approved_by_id, approved_at, notes, created_at, updated_at)
    SELECT u.id, %(day)s, 'absent', %(operator)s, %(at)s, '', %(at)s, %(at)s
      FROM scheduling_user AS u
     WHERE u.role IN ('therapist', 'driver') AND u.is_active AND (%(staff)s::bigint IS NULL OR u.id = %(staff)s)
     ORDER BY u.id
        ON CONFLICT (staff_member_id, date) DO NOTHING
 RETURNING id
"""


@transaction.atomic
def mark_absent(
    actor: User, *, day: dt.date | None = None, staff_id: int | None = None, at: dt.datetime | None = None
) -> tuple[dt.date, list[int]]:
    """Mark absent on `day` (default today) every active therapist and driver with no record that day, or only
    `staff_id`, in one INSERT (one summary write). Absences the operator records count as approved by them.
    Returns the day and the ids of the records created; people who checked in, or are already absent, are left as they are."""
    _require_operator(actor, "mark staff absent")
    at = _moment(at)
    today = timezone.localdate(at)
    day = day or today
    if day > today:
        raise BadRequest(f"{day:%Y-%m-%d} has not come yet: absences are marked for today or earlier.")
    if staff_id is not None:
        person = User.objects.filter(pk=staff_id).first()
        if person is None:
            raise NotFound(f"Staff member {staff_id} not found.")
        if person.role not in STAFF_ROLES or not person.is_active:
            raise BadRequest(
                "Only active therapists and drivers have attendance.", errors={"staff_id": ["not active staff"]}
            )
        existing = AttendanceRecord.objects.filter(staff_member=person, date=day).first()
        if existing is not None and existing.check_in_time is not None:
            raise Conflict(
                f"{person.display_name} checked in on {day:%Y-%m-%d} at "
                f"{_clock(existing.check_in_time)} (status {existing.status}): not absent."
            )
    with connection.cursor() as cursor:
        cursor.execute(MARK_ABSENT_SQL, {"day": day, "operator": actor.pk, "at": at, "staff": staff_id})
        return day, [row[0] for row in cursor.fetchall()]
