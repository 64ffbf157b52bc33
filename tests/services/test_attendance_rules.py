"""The attendance rules (CONTRACT.md 2a), through the services with a fixed clock: the cut-off to the second,
check-outs after midnight, second check-ins and check-outs without a check-in, corrections, approvals, absences,
and the database's own guards."""

import datetime as dt

import pytest
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from scheduling.errors import BadRequest, Conflict, Forbidden, NotFound
from scheduling.models import AttendanceRecord, AttendanceStatus
from scheduling.services import attendance as services
from tests.attendance_clock import DAY, at


@pytest.mark.parametrize(
    ("clock", "status"),
    [
        ("08:00:00", "present"),
        ("13:14:59", "present"),
        ("13:15:00", "present"),
        ("13:15:00.900000", "present"),  # counted to the second, as the API shows it
        ("13:15:01", "late"),
        ("23:59:59", "late"),
    ],
)
def test_a_check_in_by_1315_is_present_and_after_it_late(therapist, clock, status):
    record = services.check_in(therapist, at=at(clock))
    assert record.status == status
    assert record.date == DAY
    assert timezone.localtime(record.check_in_time).time() == dt.time.fromisoformat(clock).replace(microsecond=0)


def test_the_cut_off_is_a_setting(settings, driver):
    settings.ATTENDANCE_LATE_AFTER = "09:00"
    assert services.check_in(driver, at=at("09:00:01")).status == AttendanceStatus.LATE


def test_the_day_is_the_business_s_local_day_not_utc(therapist):
    # 07:30 in Manila is 23:30 UTC of the day before.
    record = services.check_in(therapist, at=at("07:30"))
    assert record.date == DAY
    assert record.check_in_time.astimezone(dt.UTC).date() == DAY - dt.timedelta(days=1)


def test_hours_worked_are_computed_by_the_database_from_check_in_to_check_out(therapist):
    services.check_in(therapist, at=at("09:00"))
    record = services.check_out(therapist, at=at("17:45"))
    record.refresh_from_db()
    assert record.hours_worked == pytest.approx(8.75)
    assert not record.is_checked_in


def test_a_check_out_after_midnight_closes_the_shift_of_the_day_it_started(driver):
    services.check_in(driver, at=at("18:00"))
    record = services.check_out(driver, at=at("01:30", DAY + dt.timedelta(days=1)))
    record.refresh_from_db()
    assert record.date == DAY
    assert record.hours_worked == pytest.approx(7.5)
    assert AttendanceRecord.objects.filter(staff_member=driver).count() == 1


def test_a_shift_left_open_for_more_than_a_day_is_not_closed_the_next_day(driver):
    services.check_in(driver, at=at("08:00"))
    with pytest.raises(Conflict, match="not checked in today"):
        services.check_out(driver, at=at("08:00:01", DAY + dt.timedelta(days=1)))


def test_checking_in_twice_is_a_conflict_naming_the_time_and_status(therapist):
    services.check_in(therapist, at=at("13:20"))
    with pytest.raises(Conflict, match=r"already checked in today at 13:20:00 \(status late\)"):
        services.check_in(therapist, at=at("14:00"))
    services.check_out(therapist, at=at("20:00"))
    with pytest.raises(Conflict, match="status late, checked out"):
        services.check_in(therapist, at=at("21:00"))


def test_checking_out_without_checking_in_is_a_conflict(therapist):
    with pytest.raises(Conflict, match="not checked in today"):
        services.check_out(therapist, at=at("17:00"))
    assert not AttendanceRecord.objects.exists()


def test_checking_out_twice_is_a_conflict_naming_when(therapist):
    services.check_in(therapist, at=at("09:00"))
    services.check_out(therapist, at=at("17:00"))
    with pytest.raises(Conflict, match="already checked out today at 17:00:00"):
        services.check_out(therapist, at=at("18:00"))


def test_a_check_out_in_the_same_second_as_the_check_in_is_refused(therapist):
    services.check_in(therapist, at=at("09:00:00"))
    with pytest.raises(Conflict, match="must come after"):
        services.check_out(therapist, at=at("09:00:00.5"))


def test_operators_do_not_check_in_or_out(operator):
    with pytest.raises(Forbidden, match="Only a therapist or driver"):
        services.check_in(operator, at=at("09:00"))
    with pytest.raises(Forbidden):
        services.check_out(operator, at=at("09:00"))


def test_the_database_refuses_attendance_for_an_operator_whatever_writes_it(operator):
    with pytest.raises(IntegrityError, match="attendance is only for therapists and drivers"), transaction.atomic():
        AttendanceRecord.objects.create(staff_member=operator, date=DAY, status="absent")


def test_the_database_refuses_one_person_two_records_on_one_day(therapist):
    services.check_in(therapist, at=at("09:00"))
    with pytest.raises(IntegrityError, match="attendance_one_per_day"), transaction.atomic():
        AttendanceRecord.objects.create(staff_member=therapist, date=DAY, status="absent")


@pytest.mark.parametrize(
    ("fields", "constraint"),
    [
        ({"status": "present"}, "attendance_absent_iff_no_check_in"),
        ({"status": "absent", "check_in_time": at("09:00")}, "attendance_absent_iff_no_check_in"),
        (
            {"status": "present", "check_in_time": at("09:00"), "check_out_time": at("08:00")},
            "attendance_check_out_after_check_in",
        ),
        (
            {"status": "present", "check_in_time": at("09:00"), "check_out_time": at("09:01", DAY + dt.timedelta(1))},
            "attendance_at_most_a_day",
        ),
        ({"status": "nap", "check_in_time": at("09:00")}, "attendance_status_valid"),
    ],
)
def test_the_database_refuses_impossible_records(therapist, fields, constraint):
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        AttendanceRecord.objects.create(staff_member=therapist, date=DAY, **fields)


def test_mark_absent_marks_every_active_staff_member_without_a_record_in_one_statement(
    operator, make_therapist, make_driver, make_operator, django_assert_num_queries
):
    came, missing, driver = make_therapist(), make_therapist(), make_driver()
    retired = make_therapist(is_active=False)
    make_operator()
    services.check_in(came, at=at("09:00"))
    with django_assert_num_queries(3) as captured:  # the INSERT, inside its transaction's savepoint
        day, created = services.mark_absent(operator, day=DAY, at=at("22:00"))
    assert [q["sql"].split()[0] for q in captured.captured_queries] == ["SAVEPOINT", "INSERT", "RELEASE"]
    assert day == DAY and len(created) == 2
    absent = AttendanceRecord.objects.filter(date=DAY, status="absent")
    assert set(absent.values_list("staff_member_id", flat=True)) == {missing.pk, driver.pk}
    assert all(r.approved_by_id == operator.pk and r.approved_at == at("22:00") for r in absent)
    assert not AttendanceRecord.objects.filter(staff_member=retired).exists()
    assert services.mark_absent(operator, day=DAY, at=at("22:30"))[1] == []  # nothing left to mark


def test_mark_absent_for_one_person_refuses_someone_who_checked_in(operator, therapist, driver):
    services.check_in(therapist, at=at("09:00"))
    with pytest.raises(Conflict, match="checked in on 2030-04-08 at 09:00:00"):
        services.mark_absent(operator, day=DAY, staff_id=therapist.pk, at=at("12:00"))
    assert len(services.mark_absent(operator, day=DAY, staff_id=driver.pk, at=at("12:00"))[1]) == 1
    with pytest.raises(NotFound):
        services.mark_absent(operator, day=DAY, staff_id=10**9, at=at("12:00"))
    with pytest.raises(BadRequest, match="active therapists and drivers"):
        services.mark_absent(operator, day=DAY, staff_id=operator.pk, at=at("12:00"))


def test_absences_are_not_marked_for_a_day_that_has_not_come(operator, therapist):
    with pytest.raises(BadRequest, match="has not come yet"):
        services.mark_absent(operator, day=DAY + dt.timedelta(days=1), at=at("23:00"))


def test_only_operators_mark_absent_approve_and_correct(operator, therapist, driver):
    record = services.check_in(therapist, at=at("09:00"))
    for action in (
        lambda: services.mark_absent(driver, day=DAY, at=at("10:00")),
        lambda: services.approve(therapist, record.pk, at=at("10:00")),
        lambda: services.correct(therapist, record.pk, {"notes": "mine"}, at=at("10:00")),
    ):
        with pytest.raises(Forbidden, match="Only an operator"):
            action()


def test_checking_in_after_being_marked_absent_needs_the_operator_s_approval(operator, therapist):
    services.mark_absent(operator, day=DAY, at=at("12:00"))
    record = services.check_in(therapist, at=at("12:30"))
    assert record.status == AttendanceStatus.PENDING_APPROVAL
    assert record.approved_at is None and record.approved_by is None
    approved = services.approve(operator, record.pk, at=at("12:40"))
    assert approved.status == AttendanceStatus.PRESENT  # 12:30 is before the cut-off
    assert (approved.approved_by, approved.approved_at) == (operator, at("12:40"))


def test_approving_twice_is_a_conflict_naming_who_approved(operator, therapist):
    record = services.check_in(therapist, at=at("14:00"))
    services.approve(operator, record.pk, at=at("15:00"))
    with pytest.raises(Conflict, match="already approved by"):
        services.approve(operator, record.pk, at=at("15:01"))
    assert AttendanceRecord.objects.get(pk=record.pk).status == AttendanceStatus.LATE


def test_a_time_correction_keeps_who_made_it_and_rederives_present_or_late(operator, therapist):
    record = services.check_in(therapist, at=at("13:40"))
    services.check_out(therapist, at=at("20:00"))
    corrected = services.correct(
        operator, record.pk, {"check_in_time": dt.time(13, 0), "notes": "traffic card shown"}, at=at("21:00")
    )
    corrected.refresh_from_db()
    assert corrected.status == AttendanceStatus.PRESENT
    assert (corrected.corrected_by, corrected.corrected_at) == (operator, at("21:00"))
    assert corrected.notes == "traffic card shown"
    assert corrected.hours_worked == pytest.approx(7.0)


def test_a_corrected_check_out_before_the_check_in_is_the_next_morning(operator, driver):
    record = services.check_in(driver, at=at("17:00"))
    corrected = services.correct(
        operator, record.pk, {"check_out_time": dt.time(2, 15)}, at=at("09:00", DAY + dt.timedelta(1))
    )
    corrected.refresh_from_db()
    assert corrected.check_out_time == at("02:15", DAY + dt.timedelta(days=1))
    assert corrected.hours_worked == pytest.approx(9.25)


def test_a_notes_edit_is_not_a_time_correction(operator, therapist):
    record = services.check_in(therapist, at=at("09:00"))
    edited = services.correct(operator, record.pk, {"notes": "covered for Ana"}, at=at("10:00"))
    assert edited.corrected_by is None and edited.notes == "covered for Ana"


def test_times_can_be_corrected_but_not_removed(operator, therapist):
    record = services.check_in(therapist, at=at("09:00"))
    with pytest.raises(BadRequest, match="not removed"):
        services.correct(operator, record.pk, {"check_in_time": None}, at=at("10:00"))


def test_an_absent_record_corrected_with_a_check_in_counts_as_present_or_late(operator, therapist):
    (record_id,) = services.mark_absent(operator, day=DAY, at=at("20:00"))[1]
    with pytest.raises(Conflict, match="no check-in"):
        services.correct(operator, record_id, {"check_out_time": dt.time(18)}, at=at("20:05"))
    corrected = services.correct(
        operator, record_id, {"check_in_time": dt.time(14), "check_out_time": dt.time(18)}, at=at("20:10")
    )
    assert corrected.status == AttendanceStatus.LATE


def test_a_record_outside_the_callers_scope_is_not_found(operator, therapist):
    record = services.check_in(therapist, at=at("09:00"))
    with pytest.raises(NotFound):
        services.approve(operator, record.pk + 1000, at=at("10:00"))


def test_a_direct_write_to_the_summary_table_is_refused(therapist):
    from scheduling.models import AttendanceDaySummary

    services.check_in(therapist, at=at("09:00"))
    with pytest.raises(DatabaseError, match="Cannot insert or update or delete"), transaction.atomic():
        AttendanceDaySummary.objects.filter(date=DAY).update(total=5, present=5)
