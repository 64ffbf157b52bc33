"""The per-day attendance summary: kept exact by statement-level triggers on every insert, update and delete
(bulk ones included, under concurrent writers), checked by `verify_attendance_summary` and the
`attendance_summary_drift` view, read by the summary endpoint in one lookup."""

import datetime as dt
import random
from io import StringIO

import pgtrigger
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from scheduling.errors import DomainError
from scheduling.models import AttendanceDaySummary, AttendanceRecord
from scheduling.models.attendance import SUMMARY_COLUMNS
from scheduling.services import attendance as services
from scheduling.services import attendance_summary
from tests import factories
from tests.attendance_clock import DAY, at
from tests.concurrency import run_in_threads

URL = "/api/attendance/summary/"
COUNTED = SUMMARY_COLUMNS[1:]


def summaries() -> dict[dt.date, tuple]:
    return {row[0]: tuple(row[1:]) for row in AttendanceDaySummary.objects.values_list(*SUMMARY_COLUMNS)}


def recount() -> dict[dt.date, tuple]:
    """The summary recounted in Python from the records, independently of the SQL definitions."""
    days: dict[dt.date, list] = {}
    for r in AttendanceRecord.objects.all():
        row = days.setdefault(r.date, [0, 0, 0, 0, 0, 0, 0, 0])
        row[0] += 1
        row[1 + ["present", "late", "absent", "pending_approval"].index(r.status)] += 1
        row[5] += r.check_in_time is not None and r.check_out_time is None
        row[6] += r.check_out_time is not None
        row[7] += r.hours_worked or 0
    return {day: tuple(v) for day, v in days.items()}


def summary_writes() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables"
            " WHERE relname = 'scheduling_attendancedaysummary'"
        )
        return cursor.fetchone()[0]


def test_check_ins_check_outs_approvals_and_absences_keep_the_day_summary_exact(operator, make_therapist, make_driver):
    early, late, absent, driver = make_therapist(), make_therapist(), make_therapist(), make_driver()
    services.check_in(early, at=at("08:00"))
    services.check_in(late, at=at("14:00"))
    services.check_in(driver, at=at("09:00"))
    services.check_out(early, at=at("16:30"))
    services.mark_absent(operator, day=DAY, staff_id=absent.pk, at=at("15:00"))
    assert summaries()[DAY] == (4, 2, 1, 1, 0, 2, 1, pytest.approx(8.5))
    pending = services.mark_absent(operator, day=DAY, at=at("15:01"))[1]
    assert pending == []
    assert summaries() == recount()


def test_a_day_left_without_records_has_no_summary_row(therapist):
    services.check_in(therapist, at=at("09:00"))
    AttendanceRecord.objects.filter(staff_member=therapist).delete()
    assert not AttendanceDaySummary.objects.exists()


def test_moving_a_record_to_another_day_moves_its_count(therapist):
    record = services.check_in(therapist, at=at("09:00"))
    AttendanceRecord.objects.filter(pk=record.pk).update(date=DAY - dt.timedelta(days=1))
    assert set(summaries()) == {DAY - dt.timedelta(days=1)}
    assert summaries() == recount()


def test_a_bulk_statement_over_many_people_writes_each_day_row_once(operator, make_therapist):
    for _ in range(30):
        make_therapist()
    before = summary_writes()
    services.mark_absent(operator, day=DAY, at=at("20:00"))
    assert summary_writes() - before == 1
    before = summary_writes()
    AttendanceRecord.objects.filter(date=DAY).update(notes="checked by phone")  # no count changes: no write
    assert summary_writes() == before
    AttendanceRecord.objects.filter(date=DAY).delete()
    assert summary_writes() - before == 2  # the row's update and its removal at zero, once each
    assert not AttendanceDaySummary.objects.exists()


def test_verify_reports_nothing_when_the_summary_is_exact(therapist):
    services.check_in(therapist, at=at("09:00"))
    out = StringIO()
    call_command("verify_attendance_summary", stdout=out)
    assert "exact" in out.getvalue()


def test_verify_fails_on_drift_and_fix_repairs_it(operator, therapist, driver):
    services.check_in(therapist, at=at("09:00"))
    services.check_out(therapist, at=at("17:00"))
    services.check_in(driver, at=at("09:00", DAY - dt.timedelta(days=1)))
    with pgtrigger.ignore(attendance_summary.PROTECT_TRIGGER), transaction.atomic():
        AttendanceDaySummary.objects.filter(date=DAY).update(total=3, present=3, hours_total=1)
        AttendanceDaySummary.objects.filter(date=DAY - dt.timedelta(days=1)).delete()
        AttendanceDaySummary.objects.create(date=DAY + dt.timedelta(days=5), total=1, absent=1)
    out = StringIO()
    with pytest.raises(CommandError, match="3 attendance day summaries differed"):
        call_command("verify_attendance_summary", stdout=out)
    assert "2030-04-08: summary {" in out.getvalue() and "'total': 3" in out.getvalue()
    assert AttendanceDaySummary.objects.get(date=DAY).total == 3  # without --fix nothing changes

    with pytest.raises(CommandError, match="repaired"):
        call_command("verify_attendance_summary", "--fix", stdout=StringIO())
    assert summaries() == recount()
    call_command("verify_attendance_summary", stdout=StringIO())
    assert attendance_summary.drift() == []


def test_the_summary_endpoint_is_one_lookup_at_any_size(
    api_client, operator, make_therapist, django_assert_num_queries
):
    client = api_client(operator)
    for size in (2, 40):
        while AttendanceRecord.objects.filter(date=DAY).count() < size:
            services.check_in(make_therapist(), at=at("09:00"))
        with django_assert_num_queries(2):  # authentication, the summary row
            body = client.get(URL, {"date": DAY.isoformat()}).json()
        assert body["total"] == body["present"] == body["checked_in"] == size


def test_the_summary_of_a_day_without_records_is_zeros(api_client, operator):
    body = api_client(operator).get(URL, {"date": "2030-01-01"}).json()
    assert body == {
        "date": "2030-01-01", "total": 0, "present": 0, "late": 0, "absent": 0, "pending_approval": 0,
        "pending_approvals": 0, "checked_in": 0, "checked_out": 0, "total_hours": 0.0, "average_hours": 0.0,
        "attendance_rate": 0.0,
    }  # fmt: skip


def test_the_summary_derives_rate_and_hours(api_client, operator, make_therapist):
    a, b, c, d = (make_therapist() for _ in range(4))
    services.check_in(a, at=at("09:00"))
    services.check_out(a, at=at("17:00"))
    services.check_in(b, at=at("13:30"))
    services.check_out(b, at=at("19:30"))
    services.check_in(c, at=at("10:00"))
    services.mark_absent(operator, day=DAY, staff_id=d.pk, at=at("20:00"))
    body = api_client(operator).get(URL, {"date": DAY.isoformat()}).json()
    assert (body["total"], body["present"], body["late"], body["absent"]) == (4, 2, 1, 1)
    assert (body["checked_in"], body["checked_out"]) == (1, 2)
    assert (body["total_hours"], body["average_hours"], body["attendance_rate"]) == (14.0, 7.0, 75.0)


# ---- concurrency: each thread has its own connection, with real commits (transactional tests) ----


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_random_concurrent_check_ins_check_outs_approvals_and_absences_leave_the_summary_equal_to_a_recount():
    operators = [factories.OperatorFactory() for _ in range(2)]
    staff = [factories.TherapistFactory() for _ in range(8)] + [factories.DriverFactory() for _ in range(4)]
    days = [DAY - dt.timedelta(days=1), DAY]
    refused: list[str] = []

    def worker(seed: int):
        def job():
            r = random.Random(seed)
            for _ in range(40):
                day = r.choice(days)
                moment = at(f"{r.randrange(6, 23):02d}:{r.randrange(60):02d}:{r.randrange(60):02d}", day)
                step = r.randrange(5)
                try:
                    if step == 0:
                        services.check_in(r.choice(staff), at=moment)
                    elif step == 1:
                        services.check_out(r.choice(staff), at=moment)
                    elif step == 2:
                        record = AttendanceRecord.objects.filter(date=day).order_by("?").first()
                        if record is not None:
                            services.approve(r.choice(operators), record.pk, at=moment)
                    elif step == 3:
                        staff_id = r.choice([None, r.choice(staff).pk])
                        services.mark_absent(r.choice(operators), day=day, staff_id=staff_id, at=moment)
                    else:
                        record = AttendanceRecord.objects.filter(date=day).order_by("?").first()
                        if record is not None and record.check_in_time is not None:
                            services.correct(
                                r.choice(operators), record.pk, {"check_out_time": dt.time(23, 30)}, at=moment
                            )
                except DomainError as exc:  # the rules said no (second check-in, already approved, ...)
                    refused.append(type(exc).__name__)

        return job

    errors = run_in_threads([worker(seed) for seed in range(6)])
    assert errors == []
    assert AttendanceRecord.objects.count() > 10 and refused  # the run did work and met the rules
    assert summaries() == recount()
    assert attendance_summary.drift() == []


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_concurrent_check_ins_of_one_person_leave_one_record_and_409s_for_the_rest():
    therapist = factories.TherapistFactory()
    outcomes: list[str] = []

    def check_in():
        try:
            services.check_in(therapist, at=at("09:00"))
            outcomes.append("checked in")
        except DomainError as exc:
            outcomes.append(f"{exc.status_code}")

    errors = run_in_threads([check_in for _ in range(6)])
    assert errors == []
    assert sorted(outcomes) == ["409"] * 5 + ["checked in"]
    assert AttendanceRecord.objects.filter(staff_member=therapist).count() == 1
    assert summaries()[DAY][:2] == (1, 1)
