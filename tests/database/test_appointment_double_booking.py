"""No double booking (SPEC section 8), enforced by PostgreSQL, also under concurrent requests."""

import datetime as dt
import threading

import pytest
from django.db import IntegrityError, connection, transaction

from scheduling.models import Appointment, AppointmentTherapist, StaffBooking
from scheduling.selectors.appointments import conflicts
from scheduling.wall_clock import ends_next_day, span
from tests.helpers import ApiClient

URL = "/api/scheduling/appointments/"
DAY = dt.date.today() + dt.timedelta(days=3)


def body(client, services, therapist=None, start="10:00", end="11:00", **extra):
    data = {
        "client": client.id,
        "services": [s.id for s in services],
        "therapist": therapist.id if therapist else None,
        "date": str(DAY),
        "start_time": start,
        "end_time": end,
        "location": "Somewhere 1",
    }
    data.update(extra)
    return data


@pytest.fixture
def setup(api_client, operator, therapist, make_client, make_service):
    return api_client(operator), therapist, make_client(), [make_service(name="Shiatsu")]


def test_an_overlapping_booking_is_a_400_whose_field_map_names_who_and_when(setup):
    client, therapist, customer, services = setup
    first = client.post(URL, body(customer, services, therapist, "10:00", "11:00"))
    assert first.status_code == 201
    second = client.post(URL, body(customer, services, therapist, "10:30", "11:30"))
    assert second.status_code == 400
    assert second.json()["error"]["therapist"] == second.json()["therapist"]
    assert "10:00 to 11:00" in second.json()["therapist"][0]
    detail = second.json()["detail"]
    assert therapist.first_name in detail and f"id {therapist.id}" in detail
    assert "10:00 to 11:00" in detail and str(DAY) in detail
    assert Appointment.objects.count() == 1


def test_back_to_back_bookings_are_allowed(setup):
    client, therapist, customer, services = setup
    assert client.post(URL, body(customer, services, therapist, "10:00", "11:00")).status_code == 201
    assert client.post(URL, body(customer, services, therapist, "11:00", "12:00")).status_code == 201
    assert client.post(URL, body(customer, services, therapist, "09:00", "10:00")).status_code == 201


def test_a_booking_past_midnight_blocks_the_early_hours_of_the_next_day(setup):
    client, therapist, customer, services = setup
    assert client.post(URL, body(customer, services, therapist, "23:00", "01:00")).status_code == 201
    next_day = body(customer, services, therapist, "00:30", "01:30", date=str(DAY + dt.timedelta(days=1)))
    assert client.post(URL, next_day).status_code == 400
    later = body(customer, services, therapist, "01:00", "02:00", date=str(DAY + dt.timedelta(days=1)))
    assert client.post(URL, later).status_code == 201


def test_a_driver_cannot_be_booked_twice(setup, make_therapist, driver):
    client, therapist, customer, services = setup
    assert client.post(URL, body(customer, services, therapist, driver=driver.id)).status_code == 201
    response = client.post(URL, body(customer, services, make_therapist(), driver=driver.id, start="10:59"))
    assert response.status_code == 400
    assert "driver" in response.json()["detail"] and list(response.json()["error"]) == ["driver"]


def test_a_group_therapist_is_busy_too(setup, make_therapist):
    client, therapist, customer, services = setup
    partner = make_therapist()
    group = client.post(URL, body(customer, services, therapists=[therapist.id, partner.id]))
    assert group.status_code == 201, group.content
    assert group.json()["group_size"] == 2
    response = client.post(URL, body(customer, services, partner, "10:15", "10:45"))
    assert response.status_code == 400
    assert f"id {partner.id}" in response.json()["detail"]


def test_cancelling_frees_the_slot(setup):
    client, therapist, customer, services = setup
    first = client.post(URL, body(customer, services, therapist)).json()
    assert client.post(f"{URL}{first['id']}/cancel/", {"reason": "moved"}).status_code == 200
    assert client.post(URL, body(customer, services, therapist)).status_code == 201


def test_editing_into_a_busy_slot_is_a_400(setup):
    client, therapist, customer, services = setup
    client.post(URL, body(customer, services, therapist, "10:00", "11:00"))
    other = client.post(URL, body(customer, services, therapist, "12:00", "13:00")).json()
    response = client.patch(f"{URL}{other['id']}/", {"start_time": "10:30"})
    assert response.status_code == 400 and "therapist" in response.json()
    assert client.patch(f"{URL}{other['id']}/", {"start_time": "11:00"}).status_code == 200


def test_the_database_itself_refuses_overlap_without_the_api(make_appointment, therapist):
    make_appointment(therapist=therapist, date=DAY, start_time=dt.time(10), end_time=dt.time(11))
    with pytest.raises(IntegrityError, match="staff_booking_no_overlap"), transaction.atomic():
        make_appointment(therapist=therapist, date=DAY, start_time=dt.time(10, 30), end_time=dt.time(12))


def test_adding_a_busy_group_therapist_is_refused_by_the_database(make_appointment, make_therapist):
    busy = make_therapist()
    make_appointment(therapist=busy, date=DAY)
    group = make_appointment(date=DAY)
    with pytest.raises(IntegrityError), transaction.atomic():
        AppointmentTherapist.objects.create(appointment=group, therapist=busy)


def test_conflicts_is_one_query_and_cross_midnight_aware(
    make_appointment, make_therapist, make_driver, django_assert_num_queries
):
    late, early, free = make_therapist(), make_therapist(), make_therapist()
    cancelled = make_therapist()
    driver = make_driver()
    make_appointment(therapist=late, driver=driver, date=DAY, start_time=dt.time(22), end_time=dt.time(2))
    make_appointment(therapist=early, date=DAY + dt.timedelta(days=1), start_time=dt.time(1), end_time=dt.time(3))
    make_appointment(therapist=free, date=DAY, start_time=dt.time(20), end_time=dt.time(23))
    make_appointment(
        therapist=cancelled, date=DAY, start_time=dt.time(23), end_time=dt.time(23, 30), status="cancelled"
    )
    everyone = [late.id, early.id, free.id, cancelled.id, driver.id]

    def busy(start: dt.time, end: dt.time) -> set[tuple[int, str]]:
        return {(row["staff_id"], row["role"]) for row in conflicts(everyone, DAY, start, end)}

    with django_assert_num_queries(1):
        conflicts(everyone, DAY, dt.time(23), dt.time(1, 30))
    # free ends at 23:00: back-to-back is not busy; a cancelled appointment holds nobody
    assert busy(dt.time(23), dt.time(1, 30)) == {(late.id, "therapist"), (early.id, "therapist"), (driver.id, "driver")}
    assert busy(dt.time(23), dt.time(0, 30)) == {(late.id, "therapist"), (driver.id, "driver")}


@pytest.mark.parametrize(
    ("start", "end"),
    [("10:00", "11:00"), ("22:00", "02:00"), ("13:00", "01:00"), ("23:59", "00:00"), ("08:00", "08:00")],
)
def test_python_and_postgresql_agree_on_when_a_span_ends(db, start, end):
    """An end at or before the start is on the next day: scheduling.wall_clock and the SQL functions
    slot_period and wall_clock_range (which the booking triggers use) give the same span."""
    start_time, end_time = dt.time.fromisoformat(start), dt.time.fromisoformat(end)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT lower(p), upper(p), lower(w), upper(w) FROM slot_period(%s, %s, %s) AS p,"
            " wall_clock_range(%s, %s, %s) AS w",
            [DAY, start_time, end_time] * 2,
        )
        lower, upper, utc_lower, utc_upper = cursor.fetchone()
    assert (lower, upper) == span(DAY, start_time, end_time)
    assert (utc_lower, utc_upper) == (lower.replace(tzinfo=dt.UTC), upper.replace(tzinfo=dt.UTC))
    assert ends_next_day(start_time, end_time) == (upper.date() > DAY)


def test_a_dropped_off_driver_is_free_again(make_appointment, make_driver):
    driver = make_driver()
    appointment = make_appointment(driver=driver, date=DAY, status="arrived")
    assert StaffBooking.objects.filter(staff=driver).count() == 1
    Appointment.objects.filter(id=appointment.id).update(status="dropped_off")
    assert StaffBooking.objects.filter(staff=driver).count() == 0


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_concurrent_overlapping_bookings_let_exactly_one_through(operator, therapist, make_client, make_service):
    customer, service = make_client(), make_service(name="Shiatsu")
    threads_count = 12
    barrier = threading.Barrier(threads_count)
    statuses: list[int] = []
    details: list[str] = []
    lock = threading.Lock()

    def book(i: int) -> None:
        try:
            client = ApiClient(user=operator)  # each thread: its own database connection
            data = body(customer, [service], therapist, f"10:{i:02d}", f"11:{i:02d}")
            barrier.wait()
            response = client.post(URL, data)
            with lock:
                statuses.append(response.status_code)
                details.append(response.json().get("detail", ""))
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(i,)) for i in range(threads_count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [201] + [400] * (threads_count - 1), details
    assert Appointment.objects.count() == 1
    assert all("Double booking" in d for d in details if d)
