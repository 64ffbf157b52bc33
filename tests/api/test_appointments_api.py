"""Appointments: booking, reading, filtering, scoping and bad input (SPEC sections 5, 6)."""

import datetime as dt

import pytest

from api.schemas_appointments import AppointmentOut
from scheduling.models import Appointment, AppointmentTherapist, Notification

URL = "/api/scheduling/appointments/"
TOMORROW = dt.date.today() + dt.timedelta(days=1)


@pytest.fixture
def shiatsu(make_service):
    return make_service(name="Shiatsu", duration=60, price="500.00")


@pytest.fixture
def hot_stone(make_service):
    return make_service(name="Hot Stone", duration=90, price="675.00")


def booking(client, therapist, services, **extra):
    body = {
        "client": client.id,
        "services": [s.id for s in services],
        "therapist": therapist.id,
        "date": str(TOMORROW),
        "start_time": "10:00",
        "location": "12 Rizal St, Makati",
    }
    body.update(extra)
    return body


def test_operator_books_an_appointment_with_totals_from_the_database(
    api_client, operator, therapist, driver, make_client, shiatsu, hot_stone
):
    client = make_client()
    response = api_client(operator).post(
        URL, booking(client, therapist, [shiatsu, hot_stone], driver=driver.id, notes="gate code 42")
    )
    assert response.status_code == 201, response.content
    body = response.json()
    AppointmentOut.model_validate(body)
    assert body["status"] == "pending"
    assert body["end_time"] == "12:30:00"  # default end: start + 150 minutes of services
    assert body["total_duration"] == 150
    assert body["total_price"] == "1175.00"
    assert body["service_count"] == 2
    assert [s["name"] for s in body["services_details"]] == ["Shiatsu", "Hot Stone"]
    assert body["client_details"]["id"] == client.id
    assert body["therapist_details"]["id"] == therapist.id
    assert body["driver_details"]["id"] == driver.id
    assert body["operator_details"]["id"] == operator.id
    assert body["formatted_start_time"] == "10:00 AM"
    assert body["formatted_end_time"] == "12:30 PM"
    assert body["rejection_details"] is None
    appointment = Appointment.objects.get(id=body["id"])
    assert abs(appointment.response_deadline - appointment.created_at - dt.timedelta(minutes=30)) < dt.timedelta(
        seconds=1
    )
    notified = set(Notification.objects.filter(appointment=appointment).values_list("user_id", flat=True))
    assert notified == {therapist.id, driver.id}


def test_detail_matches_the_list_item(api_client, operator, make_appointment):
    appointment = make_appointment()
    client = api_client(operator)
    detail = client.get(f"{URL}{appointment.id}/").json()
    listed = client.get(URL).json()["results"]
    assert listed == [detail]
    AppointmentOut.model_validate(detail)


def test_list_uses_the_page_envelope(api_client, operator, make_appointment):
    for day in range(3):
        make_appointment(date=TOMORROW + dt.timedelta(days=day))
    body = api_client(operator).get(URL, {"page_size": 2}).json()
    assert body["count"] == 3
    assert body["total_pages"] == 2
    assert body["has_next"] is True and body["has_previous"] is False
    assert len(body["results"]) == 2
    assert body["results"][0]["date"] == str(TOMORROW + dt.timedelta(days=2))  # newest first by default


def test_therapist_sees_main_and_group_bookings_once_each(api_client, make_therapist, make_appointment):
    me, other = make_therapist(), make_therapist()
    mine = make_appointment(therapist=me)
    group = make_appointment(therapist=other, start_time=dt.time(12), end_time=dt.time(13))
    AppointmentTherapist.objects.create(appointment=group, therapist=me)
    AppointmentTherapist.objects.create(appointment=group, therapist=other)
    both = make_appointment(therapist=me, start_time=dt.time(14), end_time=dt.time(15))
    AppointmentTherapist.objects.create(appointment=both, therapist=me)
    AppointmentTherapist.objects.create(appointment=both, therapist=other)
    make_appointment(therapist=other, start_time=dt.time(16), end_time=dt.time(17))
    body = api_client(me).get(URL).json()
    assert sorted(r["id"] for r in body["results"]) == sorted([mine.id, group.id, both.id])
    assert body["count"] == 3


def test_driver_sees_only_the_appointments_they_drive(api_client, make_driver, make_appointment):
    me, other = make_driver(), make_driver()
    mine = make_appointment(driver=me)
    make_appointment(driver=other)
    make_appointment()
    assert [r["id"] for r in api_client(me).get(URL).json()["results"]] == [mine.id]


def test_an_invisible_appointment_is_404(api_client, make_therapist, make_driver, make_appointment):
    appointment = make_appointment()
    for user in (make_therapist(), make_driver()):
        response = api_client(user).get(f"{URL}{appointment.id}/")
        assert response.status_code == 404
        assert "not found" in response.json()["detail"].lower()


def test_operator_sees_everything(api_client, operator, make_appointment):
    ids = {make_appointment(start_time=dt.time(h), end_time=dt.time(h + 1)).id for h in (8, 10, 12)}
    assert {r["id"] for r in api_client(operator).get(URL).json()["results"]} == ids


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("client", 999999, "Client 999999 does not exist"),
        ("services", [999999], "Unknown service"),
        ("therapist", 999999, "not an active therapist"),
        ("date", "2026-13-45", "date"),
        ("start_time", "25:99", "start_time"),
        ("client", "abc", "client"),
        ("services", [], "services"),
        ("location", "", "location"),
    ],
)
def test_bad_booking_input_is_refused_and_writes_nothing(
    api_client, operator, therapist, make_client, shiatsu, field, value, message
):
    body = booking(make_client(), therapist, [shiatsu])
    body[field] = value
    response = api_client(operator).post(URL, body)
    assert 400 <= response.status_code < 500, response.content
    assert message in response.json()["detail"]
    assert Appointment.objects.count() == 0
    assert Notification.objects.count() == 0


def test_an_inactive_service_cannot_be_booked(api_client, operator, therapist, make_client, make_service):
    retired = make_service(name="Retired", is_active=False)
    response = api_client(operator).post(URL, booking(make_client(), therapist, [retired]))
    assert response.status_code == 400
    assert "Inactive service(s): Retired" in response.json()["detail"]


def test_end_before_start_beyond_twelve_hours_is_refused(api_client, operator, therapist, make_client, shiatsu):
    body = booking(make_client(), therapist, [shiatsu], start_time="10:00", end_time="09:00")
    response = api_client(operator).post(URL, body)
    assert response.status_code == 400
    assert "end_time is before start_time" in response.json()["detail"]


def test_an_appointment_may_run_past_midnight(api_client, operator, therapist, make_client, shiatsu):
    body = booking(make_client(), therapist, [shiatsu], start_time="23:30", end_time="00:30")
    response = api_client(operator).post(URL, body)
    assert response.status_code == 201, response.content
    assert response.json()["formatted_end_time"] == "12:30 AM"


def test_only_operators_book(api_client, therapist, make_client, shiatsu):
    response = api_client(therapist).post(URL, booking(make_client(), therapist, [shiatsu]))
    assert response.status_code == 403
    assert Appointment.objects.count() == 0


@pytest.mark.parametrize(
    "params",
    [
        {"status": "nonsense"},
        {"status__in": "pending,nonsense"},
        {"status__in": ","},
        {"payment_status": "free"},
        {"date": "yesterday"},
        {"date_after": "2026-02-31"},
        {"therapist": "abc"},
        {"ordering": "password"},
        {"page": 0},
        {"page_size": 0},
        {"page": "x"},
    ],
)
def test_bad_filters_are_4xx_with_a_message(api_client, operator, make_appointment, params):
    make_appointment()
    response = api_client(operator).get(URL, params)
    assert response.status_code in (400, 422), response.content
    assert response.json()["detail"]


def test_a_page_past_the_end_is_404(api_client, operator, make_appointment):
    make_appointment()
    response = api_client(operator).get(URL, {"page": 2})
    assert response.status_code == 404
    assert "past the last page" in response.json()["detail"]


def test_filters_narrow_the_list(api_client, operator, make_therapist, make_driver, make_client, make_appointment):
    t1, t2, d1 = make_therapist(), make_therapist(), make_driver()
    ann = make_client(first_name="Ann", last_name="Reyes")
    a = make_appointment(therapist=t1, driver=d1, client=ann, status="pending", location="Makati")
    b = make_appointment(
        therapist=t2, date=TOMORROW + dt.timedelta(days=2), status="therapist_confirmed", location="Pasig"
    )
    c = make_appointment(therapist=t2, date=TOMORROW + dt.timedelta(days=5), payment_status="paid")
    AppointmentTherapist.objects.create(appointment=c, therapist=t1)
    client = api_client(operator)

    def ids(**params):
        response = client.get(URL, params)
        assert response.status_code == 200, response.content
        return sorted(r["id"] for r in response.json()["results"])

    assert ids(status="pending") == sorted([a.id, c.id])
    assert ids(status__in="pending,therapist_confirmed") == sorted([a.id, b.id, c.id])
    assert ids(payment_status="paid") == [c.id]
    assert ids(therapist=t1.id) == sorted([a.id, c.id])
    assert ids(driver=d1.id) == [a.id]
    assert ids(date=str(TOMORROW + dt.timedelta(days=2))) == [b.id]
    assert ids(date_after=str(TOMORROW + dt.timedelta(days=1)), date_before=str(TOMORROW + dt.timedelta(days=3))) == [
        b.id
    ]
    assert ids(client_name="ann rey") == [a.id]
    assert ids(search="pasig") == [b.id]
    assert ids(operator=a.operator_id) == [a.id]
    # search means what it means on every list (search_q): each word in the client's name or phone, the
    # location or the notes
    assert ids(search="ann makati") == [a.id]
    assert ids(search="ann pasig") == []
    ordered = client.get(URL, {"ordering": "date"}).json()["results"]
    assert [r["id"] for r in ordered] == [a.id, b.id, c.id]


def test_today_upcoming_and_by_week_are_plain_arrays(api_client, operator, make_appointment):
    today = dt.date.today()
    t = make_appointment(date=today)
    soon = make_appointment(date=today + dt.timedelta(days=3))
    later = make_appointment(date=today + dt.timedelta(days=10))
    make_appointment(date=today + dt.timedelta(days=2), status="cancelled")
    client = api_client(operator)
    assert [r["id"] for r in client.get(f"{URL}today/").json()] == [t.id]
    assert [r["id"] for r in client.get(f"{URL}upcoming/").json()] == [t.id, soon.id]
    week = client.get(f"{URL}by_week/", {"week_start": str(today + dt.timedelta(days=8))}).json()
    assert [r["id"] for r in week] == [later.id]
    assert client.get(f"{URL}by_week/", {"week_start": "not-a-date"}).status_code == 422
    assert client.get(f"{URL}by_week/").status_code == 422


@pytest.mark.parametrize(
    "path,status",
    [
        ("pending", "pending"),
        ("rejected", "rejected"),
        ("awaiting_payment", "awaiting_payment"),
        ("active_sessions", "session_in_progress"),
        ("pickup_requests", "pickup_requested"),
        ("timeout", "auto_cancelled"),
    ],
)
def test_status_tabs_are_paginated_and_filtered(api_client, operator, make_appointment, path, status):
    wanted = make_appointment(status=status)
    make_appointment(status="completed", start_time=dt.time(15), end_time=dt.time(16))
    body = api_client(operator).get(f"{URL}{path}/").json()
    assert body["count"] == 1
    assert [r["id"] for r in body["results"]] == [wanted.id]


def test_openapi_documents_the_appointment_shape(api_client, db):
    schema = api_client().get("/api/openapi.json").json()
    assert "/api/scheduling/appointments/" in schema["paths"]
    assert "/api/scheduling/appointments/{appointment_id}/therapist_confirm/" in schema["paths"]
    props = schema["components"]["schemas"]["AppointmentOut"]["properties"]
    for key in ("client_details", "services_details", "total_price", "formatted_date", "rejection_details"):
        assert key in props


@pytest.mark.parametrize(
    "path",
    [
        "",
        "pending/",
        "today/",
        "upcoming/",
        "by_week/",
        "rejected/",
        "active_sessions/",
        "pickup_requests/",
        "timeout/",
    ],
)
def test_every_list_endpoint_is_scoped_to_the_caller(
    api_client, operator, make_therapist, make_driver, make_appointment, path
):
    today = dt.date.today()
    therapist, colleague, own_driver = make_therapist(), make_therapist(), make_driver()
    statuses = {
        "": "pending",
        "pending/": "pending",
        "today/": "pending",
        "upcoming/": "pending",
        "by_week/": "pending",
        "rejected/": "rejected",
        "active_sessions/": "journey",
        "pickup_requests/": "pickup_requested",
        "timeout/": "auto_cancelled",
    }
    status = statuses[path]
    mine = make_appointment(therapist=therapist, driver=own_driver, date=today, status=status)
    group = make_appointment(
        therapist=colleague, date=today, status=status, start_time=dt.time(14), end_time=dt.time(15)
    )
    AppointmentTherapist.objects.create(appointment=group, therapist=therapist)
    hidden = make_appointment(date=today, status=status, start_time=dt.time(16), end_time=dt.time(17))
    params = {"week_start": str(today)} if path == "by_week/" else {}
    expected = {
        operator: {mine.id, group.id, hidden.id},
        therapist: {mine.id, group.id},
        own_driver: {mine.id},
    }
    for user, ids in expected.items():
        body = api_client(user).get(f"{URL}{path}", params).json()
        rows = body if isinstance(body, list) else body["results"]
        assert {r["id"] for r in rows} == ids, (user.role, path)
        assert len(rows) == len(ids)


@pytest.mark.parametrize("ordering", ["-created_at", "date", "-status", "id"])
@pytest.mark.parametrize("board", ["", "pending/", "rejected/"])
def test_an_unfiltered_list_equals_the_same_list_through_the_filters(
    api_client, operator, make_therapist, make_driver, make_appointment, ordering, board
):
    """The lists as the dashboards poll them (no filter) take a path of their own, compiled once per scope
    (selectors.appointments._unfiltered_page): every page, count and order equals the filtered path's, whose filter
    here matches every appointment, for each role."""
    therapist, driver = make_therapist(), make_driver()
    for i in range(7):
        make_appointment(
            therapist=therapist if i % 2 else make_therapist(),
            driver=driver if i % 3 == 0 else None,
            date=dt.date(2030, 1, 1 + i),
            status=["pending", "therapist_confirmed", "rejected"][i % 3],
        )
    for user in (operator, therapist, driver):
        client = api_client(user)
        for page in (1, 2, 3):
            query = f"?ordering={ordering}&page_size=3&page={page}"
            plain = client.get(f"{URL}{board}{query}")
            filtered = client.get(f"{URL}{board}{query}&date_after=2000-01-01")
            assert plain.status_code == filtered.status_code
            if plain.status_code == 200:
                plain, filtered = plain.json(), filtered.json()
                assert plain["count"] == filtered["count"] and plain["results"] == filtered["results"]
                assert [a["id"] for a in plain["results"]] == [a["id"] for a in filtered["results"]]
