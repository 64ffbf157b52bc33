"""Every report view against a recomputation in plain Python over randomized appointments.

Appointments are inserted directly in their final status (no UPDATE of a status), each in its own time slot of the
day, so no therapist or driver is ever double-booked."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import pytest

from scheduling.models import AppointmentRejection, AppointmentTherapist
from scheduling.selectors import reports
from scheduling.selectors.reports import DateSpan
from tests.report_dataset import (
    FIRST_DAY,
    ZERO,
    assert_same_rows,
    build_dataset,
    expected_funnel,
    expected_revenue,
    expected_service_popularity,
    expected_workload,
    sorted_workload,
)

SEEDS = [1, 2, 3]


@pytest.mark.parametrize("seed", SEEDS)
def test_revenue_view_matches_a_python_recomputation(factories, seed):
    data = build_dataset(seed, factories)
    assert_same_rows(reports.revenue_daily(data.window).rows, expected_revenue(data))


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("period", ["day", "week"])
def test_therapist_workload_view_matches_a_python_recomputation(factories, seed, period):
    data = build_dataset(seed, factories)
    week = period == "week"
    actual = reports.therapist_workload(data.window, period).rows
    assert_same_rows(sorted_workload(actual, "therapist", week), expected_workload(data, "therapist", week))


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("period", ["day", "week"])
def test_driver_workload_view_matches_a_python_recomputation(factories, seed, period):
    data = build_dataset(seed, factories)
    week = period == "week"
    actual = reports.driver_workload(data.window, period).rows
    assert_same_rows(sorted_workload(actual, "driver", week), expected_workload(data, "driver", week))


@pytest.mark.parametrize("seed", SEEDS)
def test_service_popularity_view_matches_a_python_recomputation(factories, seed):
    data = build_dataset(seed, factories)
    assert_same_rows(reports.service_popularity(data.window).rows, expected_service_popularity(data))


@pytest.mark.parametrize("seed", SEEDS)
def test_funnel_view_matches_a_python_recomputation(factories, seed):
    data = build_dataset(seed, factories)
    assert_same_rows(reports.funnel_daily(data.window).rows, expected_funnel(data))


def test_a_narrower_window_keeps_only_its_days_and_the_weeks_and_months_overlapping_it(factories):
    data = build_dataset(7, factories)
    window = DateSpan(dt.date(2026, 3, 25), dt.date(2026, 4, 8))  # a Wednesday to a Wednesday
    inside = [r for r in expected_revenue(data) if window.date_after <= r["date"] <= window.date_before]
    assert reports.revenue_daily(window).rows == inside
    funnel = [r for r in expected_funnel(data) if window.date_after <= r["date"] <= window.date_before]
    assert_same_rows(reports.funnel_daily(window).rows, funnel)

    weeks = {r["week_start"] for r in reports.therapist_workload(window, "week").rows}
    assert weeks == {dt.date(2026, 3, 23), dt.date(2026, 3, 30), dt.date(2026, 4, 6)}
    months = {r["month"] for r in reports.service_popularity(window).rows}
    assert months == {dt.date(2026, 3, 1), dt.date(2026, 4, 1)}


def test_service_revenue_adds_up_to_the_billed_revenue_of_each_month(factories):
    data = build_dataset(11, factories)
    by_month: dict[dt.date, Decimal] = defaultdict(lambda: ZERO)
    for row in reports.revenue_daily(data.window).rows:
        by_month[row["date"].replace(day=1)] += row["revenue_billed"]
    per_service: dict[dt.date, Decimal] = defaultdict(lambda: ZERO)
    for row in reports.service_popularity(data.window).rows:
        per_service[row["month"]] += row["revenue_billed"]
    assert by_month and dict(per_service) == dict(by_month)


def test_a_group_booking_counts_once_for_each_therapist_even_when_the_main_one_is_also_linked(
    make_appointment, make_therapist, make_service
):
    main, other = make_therapist(), make_therapist()
    service = make_service(name="Hot Stone", duration=90, price=Decimal("675.00"))
    appointment = make_appointment(
        therapist=main,
        date=FIRST_DAY,
        status="completed",
        payment_amount=Decimal("700.00"),
        payment_method="cash",
        services=[service],
    )
    AppointmentTherapist.objects.bulk_create(
        [
            AppointmentTherapist(appointment=appointment, therapist=main),
            AppointmentTherapist(appointment=appointment, therapist=other),
        ]
    )
    rows = reports.therapist_workload(DateSpan(FIRST_DAY, FIRST_DAY)).rows
    assert [(r["therapist_id"], r["appointments"], r["booked_minutes"], r["revenue_paid"]) for r in rows] == [
        (main.id, 1, 90, Decimal("700.00")),
        (other.id, 1, 90, Decimal("700.00")),
    ]


def test_revenue_ignores_payments_recorded_before_verification_and_on_cancelled_bookings(
    make_appointment, make_therapist, make_service
):
    service = make_service(name="Shiatsu", duration=60, price=Decimal("500.00"))
    for hour, status in [(8, "awaiting_payment"), (10, "cancelled"), (12, "transport_completed")]:
        make_appointment(
            therapist=make_therapist(),
            date=FIRST_DAY,
            start_time=dt.time(hour),
            end_time=dt.time(hour + 1),
            status=status,
            payment_method="gcash",
            payment_amount=Decimal("520.00"),
            services=[service],
        )
    (row,) = reports.revenue_daily(DateSpan(FIRST_DAY, FIRST_DAY)).rows
    assert (row["appointments"], row["revenue_billed"], row["revenue_paid"], row["paid_gcash"]) == (
        1,
        Decimal("500.00"),
        Decimal("520.00"),
        Decimal("520.00"),
    )


def test_a_rejection_counts_for_whoever_rejected_even_after_they_were_taken_off_the_booking(
    make_appointment, make_therapist, make_driver
):
    former, current, driver = make_therapist(), make_therapist(), make_driver()
    appointment = make_appointment(therapist=current, driver=driver, date=FIRST_DAY, status="pending")
    AppointmentRejection.objects.create(appointment=appointment, rejected_by=former, reason="sick")
    AppointmentRejection.objects.create(appointment=appointment, rejected_by=driver, reason="flat tyre")
    window = DateSpan(FIRST_DAY, FIRST_DAY)
    therapists = {
        r["therapist_id"]: (r["appointments"], r["rejections"]) for r in reports.therapist_workload(window).rows
    }
    assert therapists == {former.id: (0, 1), current.id: (1, 0)}
    (driver_row,) = reports.driver_workload(window).rows
    assert (driver_row["driver_id"], driver_row["appointments"], driver_row["rejections"]) == (driver.id, 1, 1)
    (funnel,) = reports.funnel_daily(window).rows
    assert (funnel["booked"], funnel["pending"], funnel["rejected"], funnel["rejection_rate"]) == (1, 1, 1, 1.0)
