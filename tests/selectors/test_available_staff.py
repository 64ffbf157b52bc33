"""Who is free: availability covers the whole window, no overlapping active appointment, account active."""

import datetime as dt

import pytest

from scheduling.lifecycle import DRIVER_HELD, THERAPIST_FREED
from scheduling.models import Appointment, AppointmentStatus, AppointmentTherapist, Availability, Role

DAY = dt.date(2030, 5, 10)
NEXT_DAY = DAY + dt.timedelta(days=1)
THERAPISTS = "/api/scheduling/availabilities/available_therapists/"
DRIVERS = "/api/scheduling/availabilities/available_drivers/"
THERAPISTS_AT_ROOT = "/api/scheduling/available_therapists/"
DRIVERS_AT_ROOT = "/api/scheduling/available_drivers/"


def window(date: dt.date, start: str, end: str, **extra) -> dict:
    return {"date": date.isoformat(), "start_time": start, "end_time": end, **extra}


def free_ids(client, url: str, params: dict) -> list[int]:
    response = client.get(url, params)
    assert response.status_code == 200, response.json()
    return [item["id"] for item in response.json()]


@pytest.fixture
def night_therapist(make_therapist, make_availability):
    therapist = make_therapist()
    make_availability(user=therapist, date=DAY, start_time=dt.time(22), end_time=dt.time(2))
    return therapist


@pytest.mark.parametrize("url", [THERAPISTS, THERAPISTS_AT_ROOT])
def test_a_22_to_02_slot_covers_23_to_01(api_client, operator, night_therapist, url):
    assert free_ids(api_client(operator), url, window(DAY, "23:00", "01:00")) == [night_therapist.pk]


def test_a_22_to_02_slot_covers_0030_to_0130_the_next_day(api_client, operator, night_therapist):
    response = api_client(operator).get(THERAPISTS, window(NEXT_DAY, "00:30", "01:30"))
    assert [item["id"] for item in response.json()] == [night_therapist.pk]
    covering = response.json()[0]["availability"]
    assert covering["date"] == DAY.isoformat()
    assert (covering["start_time"], covering["end_time"], covering["crosses_midnight"]) == (
        "22:00:00",
        "02:00:00",
        True,
    )


def test_a_22_to_02_slot_does_not_cover_0130_to_0230_the_next_day(api_client, operator, night_therapist):
    assert free_ids(api_client(operator), THERAPISTS, window(NEXT_DAY, "01:30", "02:30")) == []


def test_a_slot_must_cover_the_whole_window(api_client, operator, night_therapist):
    client = api_client(operator)
    assert free_ids(client, THERAPISTS, window(DAY, "21:30", "23:00")) == []
    assert free_ids(client, THERAPISTS, window(DAY, "22:00", "02:00")) == [night_therapist.pk]
    assert free_ids(client, THERAPISTS, window(DAY, "01:00", "01:30")) == []  # the morning of DAY itself


def test_an_unavailable_slot_or_an_inactive_account_is_not_free(
    api_client, operator, make_therapist, make_availability
):
    blocked = make_therapist()
    make_availability(user=blocked, date=DAY, is_available=False)
    retired = make_therapist()
    make_availability(user=retired, date=DAY)
    retired.is_active = False
    retired.save()
    assert free_ids(api_client(operator), THERAPISTS, window(DAY, "10:00", "11:00")) == []


@pytest.fixture
def day_people(make_therapist, make_driver, make_availability):
    therapist, driver = make_therapist(), make_driver()
    for person in (therapist, driver):
        make_availability(user=person, date=DAY, start_time=dt.time(8), end_time=dt.time(20))
    return therapist, driver


@pytest.mark.parametrize("status", sorted(AppointmentStatus.values))
def test_an_appointment_holds_the_therapist_until_cancelled_and_the_driver_until_drop_off(
    api_client, operator, day_people, make_appointment, status
):
    therapist, driver = day_people
    make_appointment(
        therapist=therapist, driver=driver, date=DAY, start_time=dt.time(10), end_time=dt.time(11), status=status
    )
    client = api_client(operator)
    therapist_free = free_ids(client, THERAPISTS, window(DAY, "10:30", "12:00")) == [therapist.pk]
    driver_free = free_ids(client, DRIVERS, window(DAY, "09:00", "10:30")) == [driver.pk]
    assert therapist_free == (status in THERAPIST_FREED)
    assert driver_free == (status not in DRIVER_HELD)


def test_back_to_back_with_an_appointment_is_free(api_client, operator, day_people, make_appointment):
    therapist, driver = day_people
    make_appointment(therapist=therapist, driver=driver, date=DAY, start_time=dt.time(10), end_time=dt.time(11))
    client = api_client(operator)
    assert free_ids(client, THERAPISTS, window(DAY, "11:00", "12:00")) == [therapist.pk]
    assert free_ids(client, DRIVERS, window(DAY, "09:00", "10:00")) == [driver.pk]


def test_a_group_booking_makes_each_of_its_therapists_busy(
    api_client, operator, day_people, make_therapist, make_appointment
):
    therapist, _ = day_people
    appointment = make_appointment(
        therapist=make_therapist(), date=DAY, start_time=dt.time(10), end_time=dt.time(11), group_size=2
    )
    AppointmentTherapist.objects.create(appointment=appointment, therapist=therapist)
    assert free_ids(api_client(operator), THERAPISTS, window(DAY, "10:00", "11:00")) == []


def test_an_appointment_past_midnight_on_the_previous_day_makes_them_busy(
    api_client, operator, make_therapist, make_availability, make_appointment
):
    therapist = make_therapist()
    make_availability(user=therapist, date=NEXT_DAY, start_time=dt.time(0), end_time=dt.time(6))
    make_appointment(therapist=therapist, date=DAY, start_time=dt.time(23), end_time=dt.time(1))
    client = api_client(operator)
    assert free_ids(client, THERAPISTS, window(NEXT_DAY, "00:30", "02:00")) == []
    assert free_ids(client, THERAPISTS, window(NEXT_DAY, "01:00", "02:00")) == [therapist.pk]


def test_a_window_past_midnight_sees_an_appointment_early_the_next_day(
    api_client, operator, night_therapist, make_appointment
):
    make_appointment(therapist=night_therapist, date=NEXT_DAY, start_time=dt.time(0, 30), end_time=dt.time(1, 30))
    client = api_client(operator)
    assert free_ids(client, THERAPISTS, window(DAY, "23:00", "01:00")) == []
    assert free_ids(client, THERAPISTS, window(DAY, "22:00", "00:30")) == [night_therapist.pk]


def test_therapists_filter_by_specialization_and_pressure(api_client, operator, make_therapist, make_availability):
    stone = make_therapist(specialization="Hot Stone", massage_pressure="hard")
    shiatsu = make_therapist(specialization="Shiatsu", massage_pressure="soft")
    for person in (stone, shiatsu):
        make_availability(user=person, date=DAY)
    client = api_client(operator)
    base = window(DAY, "10:00", "11:00")
    assert free_ids(client, THERAPISTS, {**base, "specialization": "stone"}) == [stone.pk]
    assert free_ids(client, THERAPISTS, {**base, "massage_pressure": "soft"}) == [shiatsu.pk]
    assert free_ids(client, THERAPISTS, {**base, "specialization": "%"}) == []
    assert client.get(THERAPISTS, {**base, "massage_pressure": "brutal"}).status_code == 422


def test_drivers_and_therapists_are_listed_apart(api_client, operator, day_people):
    therapist, driver = day_people
    client = api_client(operator)
    assert free_ids(client, DRIVERS_AT_ROOT, window(DAY, "10:00", "11:00")) == [driver.pk]
    assert free_ids(client, THERAPISTS, window(DAY, "10:00", "11:00")) == [therapist.pk]


@pytest.mark.parametrize(
    "params, field",
    [
        ({"start_time": "10:00", "end_time": "11:00"}, "date"),
        ({"date": "2030-05-10", "end_time": "11:00"}, "start_time"),
        ({"date": "2030-05-10", "start_time": "10:00"}, "end_time"),
        ({"date": "10/05/2030", "start_time": "10:00", "end_time": "11:00"}, "date"),
        ({"date": "2030-05-10", "start_time": "ten", "end_time": "11:00"}, "start_time"),
        ({"date": "2030-05-10", "start_time": "10:00", "end_time": "10:00"}, "end_time"),
    ],
)
@pytest.mark.parametrize("url", [THERAPISTS, DRIVERS])
def test_missing_or_malformed_window_is_a_4xx_naming_the_field(api_client, operator, params, field, url):
    response = api_client(operator).get(url, params)
    assert response.status_code in (400, 422)
    assert field in response.json()["detail"]


@pytest.mark.parametrize("role", ["therapist", "driver"])
def test_staff_may_ask_who_is_free(api_client, make_therapist, make_driver, day_people, role):
    caller = make_therapist() if role == "therapist" else make_driver()
    assert api_client(caller).get(DRIVERS, window(DAY, "10:00", "11:00")).status_code == 200


def test_who_is_free_needs_authentication(api_client, db):
    assert api_client().get(DRIVERS, window(DAY, "10:00", "11:00")).status_code == 401


def _crowd(make_therapist, make_driver, operator, client_row, staff_count: int, appointment_count: int):
    """`staff_count` therapists and drivers available all day and `appointment_count` appointments that day: a
    tenth of them live (each person's own half-hour slots, staggered per person so some are busy at 10:00 and
    nobody after 20:00), the rest cancelled (they hold nobody)."""
    people = [make_therapist() for _ in range(staff_count // 2)] + [make_driver() for _ in range(staff_count // 2)]
    Availability.objects.bulk_create(
        Availability(user=p, date=DAY, start_time=dt.time(0), end_time=dt.time(23, 59)) for p in people
    )
    therapists = [p for p in people if p.role == Role.THERAPIST]
    drivers = [p for p in people if p.role == Role.DRIVER]
    live = max(1, appointment_count // 10)

    def half_hour(k: int) -> tuple[dt.time, dt.time]:
        person, turn = k % len(therapists), k // len(therapists)
        slot = turn + person % 20  # unique per person; at most slot 39, which ends at 20:00
        start = dt.datetime.combine(DAY, dt.time(0)) + dt.timedelta(minutes=30 * slot)
        return start.time(), (start + dt.timedelta(minutes=30)).time()

    rows = []
    for i in range(appointment_count):
        start, end = half_hour(i) if i < live else (dt.time(i % 20), dt.time(i % 20, 30))
        rows.append(
            Appointment(
                client=client_row,
                operator=operator,
                therapist=therapists[i % len(therapists)],
                driver=drivers[i % len(drivers)],
                date=DAY,
                start_time=start,
                end_time=end,
                location="x",
                status=AppointmentStatus.PENDING if i < live else AppointmentStatus.CANCELLED,
            )
        )
    Appointment.objects.bulk_create(rows)
    return people


@pytest.mark.parametrize("staff_count, appointment_count", [(2, 1), (50, 5000)])
def test_who_is_free_costs_two_queries_with_50_staff_and_5000_appointments(
    api_client,
    operator,
    make_therapist,
    make_driver,
    make_client,
    django_assert_num_queries,
    staff_count,
    appointment_count,
):
    people = _crowd(make_therapist, make_driver, operator, make_client(), staff_count, appointment_count)
    # The expected answer, worked out in Python: busy = a live appointment overlapping 10:00-11:00.
    at_ten = Appointment.objects.filter(start_time__lt=dt.time(11), end_time__gt=dt.time(10)).exclude(
        status__in=THERAPIST_FREED
    )
    busy = set(at_ten.values_list("therapist_id", flat=True))
    expected = sorted(p.pk for p in people if p.role == Role.THERAPIST and p.pk not in busy)
    client = api_client(operator)
    with django_assert_num_queries(2):
        at_ten_free = client.get(THERAPISTS, window(DAY, "10:00", "11:00")).json()
    with django_assert_num_queries(2):
        evening = client.get(DRIVERS, window(DAY, "21:00", "22:00")).json()
    assert sorted(item["id"] for item in at_ten_free) == expected
    assert len(evening) == staff_count // 2
    if appointment_count > 1:
        assert 0 < len(expected) < staff_count // 2
