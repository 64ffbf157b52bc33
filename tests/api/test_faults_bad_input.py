"""Input that once answered 500 (issue 14, item 6) and the Server-Timing leak (item 8): each a 4xx JSON now."""

import datetime as dt
import io

import orjson
import pytest
from django.test import RequestFactory

from api.middleware import RequestLimitsMiddleware
from scheduling.models import Appointment, Client
from tests.helpers import assert_json_error

APPOINTMENTS = "/api/scheduling/appointments/"
CLIENTS = "/api/scheduling/clients/"
LOGIN = "/api/auth/login/"


def raw_post(client, path: str, body: bytes, **extra):
    return client.generic("POST", path, body, content_type="application/json", **extra)


def test_a_20_megabyte_body_is_413_json(api_client, operator):
    body = b'{"first_name": "' + b"x" * (20 * 1024 * 1024) + b'"}'
    response = raw_post(api_client(operator), CLIENTS, body)
    assert_json_error(response, 413)
    assert not Client.objects.exists()


def test_a_body_over_the_limit_without_a_content_length_is_413_json(api_client, operator, settings):
    # Content-Length lies low: Django's own check while reading the body catches it, and it is still a 413.
    body = b'{"first_name": "' + b"x" * 4096 + b'"}'
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = raw_post(api_client(operator), CLIENTS, body, CONTENT_LENGTH="1000")
    assert response.status_code in (400, 413), response.content  # a truncated body is not JSON either
    assert response["Content-Type"].startswith("application/json")


class ServerBody:
    """Like gunicorn's request body: read() only (no close(), no seek())."""

    def __init__(self, data: bytes):
        self._data = io.BytesIO(data)

    def read(self, size: int = -1) -> bytes:
        return self._data.read(size)


def test_a_chunked_body_is_read_not_ignored():
    # What gunicorn hands over for `Transfer-Encoding: chunked`: the decoded stream and no Content-Length.
    payload = b'{"username": "x", "password": "y"}'
    request = RequestFactory().post(LOGIN, b"", content_type="application/json")
    request.META.pop("CONTENT_LENGTH", None)
    request.META["HTTP_TRANSFER_ENCODING"] = "chunked"
    request.META["wsgi.input"] = ServerBody(payload)
    seen = {}

    def view(req):
        seen["body"] = req.body
        return None

    RequestLimitsMiddleware(view)(request)
    assert seen["body"] == payload


def test_a_chunked_body_over_the_limit_is_413(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    request = RequestFactory().post(LOGIN, b"", content_type="application/json")
    request.META.pop("CONTENT_LENGTH", None)
    request.META["HTTP_TRANSFER_ENCODING"] = "chunked"
    request.META["wsgi.input"] = ServerBody(b"x" * 2048)
    response = RequestLimitsMiddleware(lambda req: None)(request)
    assert response.status_code == 413


@pytest.mark.parametrize("field", ["username", "password"])
def test_a_lone_surrogate_in_the_login_is_400(api_client, db, field):
    body = {"username": "someone", "password": "secret-pass"}
    raw = orjson.dumps(body).replace(f'"{body[field]}"'.encode(), b'"\\ud800"')
    assert_json_error(raw_post(api_client(), LOGIN, raw), 400)


def test_a_lone_surrogate_in_a_client_name_is_400_and_changes_nothing(api_client, operator):
    raw = b'{"first_name": "\\ud800", "last_name": "X", "phone_number": "+639170000001", "address": "A"}'
    assert_json_error(raw_post(api_client(operator), CLIENTS, raw), 400)
    assert not Client.objects.exists()


def test_a_week_at_the_end_of_the_calendar_is_400(api_client, operator):
    response = api_client(operator).get(f"{APPOINTMENTS}by_week/?week_start=9999-12-28")
    assert_json_error(response, 400)


@pytest.mark.parametrize("end", ["00:30", None])
def test_a_booking_that_runs_past_the_end_of_the_calendar_is_400(
    api_client, operator, make_therapist, make_client, make_service, end
):
    body = {
        "client": make_client().id,
        "services": [make_service(name="Shiatsu").id],
        "therapist": make_therapist().id,
        "date": "9999-12-31",
        "start_time": "23:30",
        "end_time": end,
        "location": "Somewhere 1",
    }
    assert_json_error(api_client(operator).post(APPOINTMENTS, body), 400)
    assert not Appointment.objects.exists()


def test_a_booking_on_the_last_day_that_ends_before_midnight_is_fine(
    api_client, operator, make_therapist, make_client, make_service
):
    body = {
        "client": make_client().id,
        "services": [make_service(name="Shiatsu").id],
        "therapist": make_therapist().id,
        "date": "9999-12-31",
        "start_time": "22:00",
        "end_time": "23:00",
        "location": "Somewhere 1",
    }
    assert api_client(operator).post(APPOINTMENTS, body).status_code == 201


def test_appointment_metadata_over_16_kb_is_422(api_client, operator, make_therapist, make_client, make_service):
    body = {
        "client": make_client().id,
        "services": [make_service(name="Shiatsu").id],
        "therapist": make_therapist().id,
        "date": str(dt.date.today() + dt.timedelta(days=3)),
        "start_time": "10:00",
        "location": "Somewhere 1",
        "metadata": {"blob": "x" * 17_000},
    }
    client = api_client(operator)
    body422 = assert_json_error(client.post(APPOINTMENTS, body), 422)
    assert "metadata" in body422["error"]
    assert not Appointment.objects.exists()
    body["metadata"] = {"blob": "x" * 1000}
    created = client.post(APPOINTMENTS, body)
    assert created.status_code == 201
    too_big = client.patch(f"{APPOINTMENTS}{created.json()['id']}/", {"metadata": {"blob": "y" * 17_000}})
    assert_json_error(too_big, 422)


def test_no_server_timing_on_the_login_or_for_anonymous_callers(api_client, operator):
    anonymous = api_client()
    login = anonymous.post(LOGIN, {"username": "nobody", "password": "wrong-password"})
    assert login.status_code == 401 and "Server-Timing" not in login
    assert "Server-Timing" not in anonymous.get(APPOINTMENTS)
    assert "Server-Timing" not in anonymous.get("/api/health/")
    assert "Server-Timing" not in api_client(operator).get("/api/auth/me/")
    assert "Server-Timing" in api_client(operator).get(APPOINTMENTS)
