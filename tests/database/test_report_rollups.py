"""Report roll-ups (scheduling/models/rollups.py): equal to a recount from the views after any mix of writes,
dirty days recounted on read, a verify command that finds and repairs drift."""

import contextlib
import datetime as dt
import random
import threading
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, connections, transaction

from scheduling.models import (
    Appointment,
    AppointmentRejection,
    AppointmentTherapist,
    ReportDirtyDay,
    RevenueDayRollup,
    Service,
    User,
)
from scheduling.models.rollups import ROLLUPS
from scheduling.selectors import reports
from scheduling.selectors.reports import DateSpan
from tests.report_dataset import FIRST_DAY, build_dataset

LAST_DAY = FIRST_DAY + dt.timedelta(days=400)


def rollup_rows(model) -> set[tuple]:
    columns = [f.attname for f in model._meta.concrete_fields]
    return set(model.objects.values_list(*columns))


def view_rows(model, view: str) -> set[tuple]:
    columns = ", ".join(f'"{f.attname}"' for f in model._meta.concrete_fields)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {view}")
        return set(cursor.fetchall())


def assert_rollups_equal_a_recount() -> None:
    assert reports.refresh_rollups(FIRST_DAY - dt.timedelta(days=400), LAST_DAY)
    assert not ReportDirtyDay.objects.exists()
    for model, view in ROLLUPS:
        assert rollup_rows(model) == view_rows(model, view), model.__name__
    call_command("verify_report_rollups")


def random_writes(rng: random.Random, data, rounds: int) -> None:
    ids = [b.id for b in data.bookings]
    therapists = list(User.objects.filter(role="therapist"))
    services = list(Service.objects.all())
    for _ in range(rounds):
        op = rng.choice(["status", "pay", "move", "service", "link", "reject", "price", "rename", "delete"])
        pick = rng.choice(ids)
        try:
            with transaction.atomic():  # a write the no-double-booking rule refuses is skipped
                _write(rng, op, pick, ids, therapists, services)
        except IntegrityError:
            continue
        if op == "delete":
            ids.remove(pick)
        if rng.random() < 0.3:  # a report in between recounts some days; the others stay dirty
            start = FIRST_DAY + dt.timedelta(days=rng.randrange(60))
            reports.revenue_daily(DateSpan(start, start + dt.timedelta(days=rng.randrange(1, 20))))
            call_command("verify_report_rollups")  # the clean days are exact at any moment


def _write(rng: random.Random, op: str, pick: int, ids: list[int], therapists: list, services: list) -> None:
    if op == "status":  # a bulk statement, straight to the table (the FSM trigger is off in this test)
        Appointment.objects.filter(id__in=rng.sample(ids, 3)).update(
            status=rng.choice(["completed", "cancelled", "payment_verified", "pending", "rejected"])
        )
    elif op == "pay":
        Appointment.objects.filter(id=pick).update(
            payment_amount=Decimal(rng.randrange(100, 90000)) / 100, payment_method=rng.choice(["cash", "gcash"])
        )
    elif op == "move":
        Appointment.objects.filter(id=pick).update(date=FIRST_DAY + dt.timedelta(days=rng.randrange(60)))
    elif op == "service":
        Appointment.objects.get(id=pick).services.set(rng.sample(services, rng.randint(1, 3)))
    elif op == "link":
        AppointmentTherapist.objects.get_or_create(appointment_id=pick, therapist=rng.choice(therapists))
    elif op == "reject":
        AppointmentRejection.objects.create(appointment_id=pick, reason="busy", rejected_by=rng.choice(therapists))
    elif op == "price":
        Service.objects.filter(id=rng.choice(services).id).update(price=Decimal(rng.randrange(100, 900)))
    elif op == "rename":
        User.objects.filter(id=rng.choice(therapists).id).update(first_name=f"N{rng.randrange(1000)}")
    else:
        AppointmentTherapist.objects.filter(appointment_id=pick).delete()
        AppointmentRejection.objects.filter(appointment_id=pick).delete()
        Appointment.objects.filter(id=pick).delete()


@pytest.fixture
def no_lifecycle_trigger(db) -> None:
    """The FSM trigger off for the test's transaction: random status jumps stand for any writer."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'scheduling_appointment'::regclass "
            "AND tgname LIKE 'pgtrigger_appointment_status_fsm_%'"
        )
        (name,) = cursor.fetchone()
        # DDL is transactional: the test's rollback turns it back on
        cursor.execute(f"ALTER TABLE scheduling_appointment DISABLE TRIGGER {name}")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_rollups_equal_a_recount_after_randomized_writes(factories, no_lifecycle_trigger, seed):  # noqa: F811
    data = build_dataset(seed, factories, days=40, density=0.5)
    assert_rollups_equal_a_recount()
    random_writes(random.Random(seed), data, 80)
    assert_rollups_equal_a_recount()


def test_a_write_marks_its_days_and_a_report_recounts_only_its_window(factories):  # noqa: F811
    data = build_dataset(7, factories, days=20, density=0.5)
    assert_rollups_equal_a_recount()
    booking = data.bookings[0]
    moved = FIRST_DAY + dt.timedelta(days=300)
    Appointment.objects.filter(id=booking.id).update(date=moved)
    dirty = set(ReportDirtyDay.objects.values_list("date", flat=True))
    assert dirty == {booking.date, moved}
    elsewhere = FIRST_DAY + dt.timedelta(days=100)
    reports.revenue_daily(DateSpan(elsewhere, elsewhere + dt.timedelta(days=5)))
    assert set(ReportDirtyDay.objects.values_list("date", flat=True)) == dirty
    reports.funnel_daily(DateSpan(FIRST_DAY, moved))
    assert not ReportDirtyDay.objects.exists()
    assert_rollups_equal_a_recount()


def test_a_report_reads_the_views_when_a_writer_holds_a_dirty_day(factories, monkeypatch):  # noqa: F811
    build_dataset(3, factories, days=10, density=0.5)
    monkeypatch.setattr(reports, "refresh_rollups", lambda first, last: False)
    window = DateSpan(FIRST_DAY, FIRST_DAY + dt.timedelta(days=9))
    from_view = reports._from_view(reports.REVENUE, window.date_after, window.date_before, None)
    assert reports.revenue_daily(window) == from_view
    assert from_view.rows and not RevenueDayRollup.objects.exists()


def test_the_verify_command_finds_and_fixes_drift(factories):  # noqa: F811
    build_dataset(4, factories, days=10, density=0.5)
    assert_rollups_equal_a_recount()
    RevenueDayRollup.objects.update(revenue_paid=Decimal("1.00"))
    with pytest.raises(CommandError):
        call_command("verify_report_rollups")
    call_command("verify_report_rollups", fix=True)
    call_command("verify_report_rollups")
    assert_rollups_equal_a_recount()


@contextlib.contextmanager
def an_uncommitted_update(appointment_id: int, **changes):
    """Another connection updates the appointment and keeps its transaction open while the block runs; it
    commits when the block ends."""
    written, release = threading.Event(), threading.Event()

    def writer():
        try:
            with transaction.atomic():
                Appointment.objects.filter(pk=appointment_id).update(**changes)
                written.set()
                release.wait(10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert written.wait(10)
        yield
    finally:
        release.set()
        thread.join()


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_a_report_during_an_uncommitted_write_is_exact_before_and_after_the_commit(make_appointment):
    """A writer holds its dirty day locked: the report does not wait for it (it reads the view, without the
    uncommitted change), and the first report after the commit recounts the day with it."""
    day = FIRST_DAY
    appointment = make_appointment(date=day, status="payment_verified", payment_amount=Decimal("100.00"))
    window = DateSpan(day, day)
    assert reports.revenue_daily(window).rows[0]["revenue_paid"] == Decimal("100.00")
    with an_uncommitted_update(appointment.pk, payment_amount=Decimal("250.00")):
        during = reports.revenue_daily(window)
        assert during.rows[0]["revenue_paid"] == Decimal("100.00")  # the committed state, not a stale roll-up
        assert ReportDirtyDay.objects.filter(date=day).exists() is False  # the writer's mark is not visible yet
    assert ReportDirtyDay.objects.filter(date=day).exists()
    assert reports.revenue_daily(window).rows[0]["revenue_paid"] == Decimal("250.00")
    assert not ReportDirtyDay.objects.filter(date=day).exists()
    assert_rollups_equal_a_recount()


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_a_refresh_waiting_on_a_writers_mark_falls_back_to_the_view(make_appointment):
    """The day is already dirty and a writer updates its mark (holding the row lock): the refresh gives up after
    REFRESH_LOCK_TIMEOUT and the report answers from the view, which holds the committed data."""
    day = FIRST_DAY
    first = make_appointment(date=day, status="payment_verified", payment_amount=Decimal("100.00"))
    second = make_appointment(
        date=day, start_time=dt.time(15), end_time=dt.time(16), status="payment_verified", payment_amount=Decimal("7")
    )
    assert ReportDirtyDay.objects.filter(date=day).exists()
    with an_uncommitted_update(second.pk, payment_amount=Decimal("9.00")):
        rows = reports.revenue_daily(DateSpan(day, day)).rows
        assert rows[0]["revenue_paid"] == Decimal("107.00")
    assert reports.revenue_daily(DateSpan(day, day)).rows[0]["revenue_paid"] == Decimal("109.00")
    assert first.pk and not ReportDirtyDay.objects.filter(date=day).exists()
    assert_rollups_equal_a_recount()
