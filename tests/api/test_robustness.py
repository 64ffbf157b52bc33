"""Regression tests for what the schemathesis fuzz run found: each input once answered a 500 (or a response the
schema did not declare). Bad input must get a 4xx JSON answer with a message and change nothing."""

import datetime as dt

import pytest

from scheduling.errors import constraint_error
from scheduling.models import Appointment, Availability, Client, Service
from tests.helpers import assert_json_error

DAY = dt.date(2030, 3, 1)
SLOTS = "/api/scheduling/availabilities/"
APPOINTMENTS = "/api/scheduling/appointments/"


@pytest.mark.parametrize("value", ["10:00+05:00", "10:00:00Z", "21:21:49.94-21:43"])
def test_a_time_with_a_utc_offset_is_refused_when_creating_a_slot(api_client, make_therapist, value):
    therapist = make_therapist()
    response = api_client(therapist).post(SLOTS, {"date": DAY.isoformat(), "start_time": value, "end_time": "23:00"})
    body = assert_json_error(response, 422)
    assert "UTC offset" in " ".join(body["error"]["start_time"])
    assert not Availability.objects.exists()


def test_a_time_with_a_utc_offset_is_refused_when_editing_a_slot(api_client, make_therapist, make_availability):
    therapist = make_therapist()
    slot = make_availability(user=therapist, date=DAY)
    client = api_client(therapist)
    assert_json_error(client.patch(f"{SLOTS}{slot.pk}/", {"end_time": "21:00+01:00"}), 422)
    put = {"date": DAY.isoformat(), "start_time": "09:00+02:00", "end_time": "10:00+02:00"}
    assert_json_error(client.put(f"{SLOTS}{slot.pk}/", put), 422)
    slot.refresh_from_db()
    assert (slot.start_time, slot.end_time) == (dt.time(8, 0), dt.time(20, 0))


@pytest.mark.parametrize("path", ["available_therapists/", "available_drivers/", "availabilities/available_drivers/"])
def test_who_is_free_refuses_a_time_with_a_utc_offset(api_client, operator, path):
    query = {"date": DAY.isoformat(), "start_time": "15:43:24-16:33", "end_time": "18:00"}
    assert_json_error(api_client(operator).get(f"/api/scheduling/{path}", query), 422)


def test_a_time_with_a_utc_offset_is_refused_when_editing_an_appointment(api_client, operator, make_appointment):
    appointment = make_appointment(date=DAY)
    response = api_client(operator).patch(f"{APPOINTMENTS}{appointment.pk}/", {"start_time": "10:00:00+03:00"})
    assert_json_error(response, 422)
    appointment.refresh_from_db()
    assert appointment.start_time == dt.time(10, 0)


def test_a_nul_byte_in_text_is_a_400_and_writes_nothing(api_client, operator, make_service):
    service = make_service(name="Shiatsu")
    client = api_client(operator)
    body = assert_json_error(client.patch(f"/api/scheduling/services/{service.pk}/", {"description": "a\x00b"}), 400)
    assert "NUL" in body["detail"]
    service.refresh_from_db()
    assert service.description == ""
    new_client = {"first_name": "Ana\x00", "phone_number": "+639170000001"}
    assert_json_error(client.post("/api/scheduling/clients/", new_client), 400)
    assert not Client.objects.exists()
    assert Service.objects.count() == 1


def test_a_nul_byte_in_an_appointment_edit_is_a_400_and_changes_nothing(api_client, operator, make_appointment):
    appointment = make_appointment(date=DAY, notes="as booked")
    response = api_client(operator).patch(f"{APPOINTMENTS}{appointment.pk}/", {"notes": "x\x00y"})
    assert_json_error(response, 400)
    assert Appointment.objects.get(pk=appointment.pk).notes == "as booked"


def test_a_nul_byte_in_a_search_is_a_400(api_client, operator):
    assert_json_error(api_client(operator).get("/api/scheduling/clients/", {"search": "a\x00"}), 400)


@pytest.mark.parametrize("path", ["", "pending/", "active_sessions/"])
def test_a_page_number_past_any_bigint_offset_is_a_422_not_a_500(api_client, operator, path):
    response = api_client(operator).get(f"{APPOINTMENTS}{path}", {"page": 4611686018427387904, "page_size": 200})
    body = assert_json_error(response, 422)
    assert "page" in body["error"]


def test_a_huge_page_within_the_limit_is_a_404_past_the_last_page(api_client, operator):
    response = api_client(operator).get(APPOINTMENTS, {"page": 1_000_000, "page_size": 200})
    assert "past the last page" in assert_json_error(response, 404)["detail"]


def test_times_are_declared_as_wall_clock_times_without_an_offset(db):
    from api.api import api

    schemas = api.get_openapi_schema(path_prefix="/api/")["components"]["schemas"]
    for name in ("AppointmentOut", "AvailabilityOut", "AvailabilityIn"):
        start = schemas[name]["properties"]["start_time"]
        # format "time" is RFC 3339 full-time, which requires an offset the API never sends
        assert start["format"] == "partial-time", name


def test_report_csv_is_declared_in_the_schema(db):
    from api.api import api

    paths = api.get_openapi_schema(path_prefix="/api/")["paths"]
    for path, operations in paths.items():
        if path.startswith("/api/scheduling/reports/"):
            assert "text/csv" in operations["get"]["responses"][200]["content"], path


def test_bulk_create_for_an_operator_without_a_user_is_a_400_message_the_schema_declares(api_client, operator, db):
    from api.api import api

    response = api_client(operator).post(
        f"{SLOTS}bulk_create/", {"date": DAY.isoformat(), "slots": [{"start_time": "09:00", "end_time": "10:00"}]}
    )
    assert_json_error(response, 400)
    declared = api.get_openapi_schema(path_prefix="/api/")["paths"][f"/api{SLOTS[4:]}bulk_create/"]["post"]
    refs = declared["responses"][400]["content"]["application/json"]["schema"]["anyOf"]
    assert {"$ref": "#/components/schemas/Message"} in refs


HUGE_ID = 3405806559848048885760  # past the bigint range: no row can have it


@pytest.mark.parametrize(
    "path",
    [
        f"{APPOINTMENTS}{HUGE_ID}/",
        f"/api/scheduling/staff/{HUGE_ID}/",
        f"/api/scheduling/clients/{HUGE_ID}/",
        f"{SLOTS}{HUGE_ID}/",
        f"/api/scheduling/notifications/{HUGE_ID}/",
    ],
)
def test_an_id_past_the_bigint_range_is_not_found(api_client, operator, path):
    assert_json_error(api_client(operator).get(path), 404)


@pytest.mark.parametrize("suffix", ["", "pending/", "timeout/"])
def test_a_filter_id_past_the_bigint_range_matches_nothing(api_client, operator, make_appointment, suffix):
    make_appointment(date=dt.date.today())
    response = api_client(operator).get(f"{APPOINTMENTS}{suffix}", {"therapist": HUGE_ID, "driver": HUGE_ID})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["results"] if isinstance(body, dict) else body) == []


def test_a_database_rule_answers_with_the_message_and_code_declared_on_its_model():
    """One mapping from a constraint name to its API error, read from the models: a Meta constraint, a rule
    trigger, and Django's own unique index on username (which says what the case-insensitive constraint says)."""
    taken = constraint_error("user_username_unique_ci")
    assert (taken.status_code, taken.detail, taken.errors) == (
        409,
        "A user with this username already exists.",
        {"username": ["taken"]},
    )
    same = constraint_error("scheduling_user_username_key")
    assert (same.status_code, same.detail, same.errors) == (taken.status_code, taken.detail, taken.errors)
    assert constraint_error("user_therapist_has_license").status_code == 400
    staff_only = constraint_error("availability_staff_only")
    assert (staff_only.status_code, staff_only.detail) == (
        400,
        "Only active therapists and drivers can have availability slots.",
    )
    unknown = constraint_error("no_such_rule")
    assert (unknown.status_code, unknown.detail) == (409, "The change conflicts with existing data (no_such_rule).")
