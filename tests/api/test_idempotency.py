"""Idempotency-Key on writes (issue 14, item 5): a retry gets the first answer, the work is done once."""

import datetime as dt
import io
import json

import pytest
from django.core.handlers.wsgi import WSGIRequest
from django.core.management import call_command
from django.db import connection
from django.test import RequestFactory
from django.utils import timezone

from api.middleware import IdempotencyMiddleware
from scheduling.models import Appointment, Client, IdempotencyKey, Notification
from scheduling.services import appointments as appointment_services
from scheduling.services.auth import issue_token
from tests.concurrency import race
from tests.helpers import ApiClient

APPOINTMENTS = "/api/scheduling/appointments/"
CLIENTS = "/api/scheduling/clients/"


@pytest.fixture
def booking(operator, make_therapist, make_client, make_service):
    return {
        "client": make_client().id,
        "services": [make_service(name="Shiatsu").id],
        "therapist": make_therapist().id,
        "date": str(dt.date.today() + dt.timedelta(days=3)),
        "start_time": "10:00",
        "location": "Somewhere 1",
    }


def test_a_retried_booking_gets_the_first_answer_and_books_once(api_client, operator, booking):
    client = api_client(operator)
    first = client.post(APPOINTMENTS, booking, headers={"Idempotency-Key": "book-1"})
    assert first.status_code == 201
    # The answer was lost on the way back; the client sends the same request again.
    again = client.post(APPOINTMENTS, booking, headers={"Idempotency-Key": "book-1"})
    assert (again.status_code, again.content) == (first.status_code, first.content)
    assert again["Idempotent-Replayed"] == "true"
    assert Appointment.objects.count() == 1
    assert Notification.objects.count() == 1  # the therapist was told once


def test_a_body_cut_short_claims_no_key_so_the_full_retry_books(api_client, operator, booking):
    # The client went away mid-body: the server handed Django fewer bytes than the Content-Length announced
    # (the test client cannot send that, so the request is built as the WSGI server builds it).
    token = issue_token(operator)
    body = json.dumps(booking).encode()
    environ = RequestFactory()._base_environ(
        PATH_INFO=APPOINTMENTS,
        REQUEST_METHOD="POST",
        CONTENT_TYPE="application/json",
        CONTENT_LENGTH=str(len(body) + 50),
        HTTP_AUTHORIZATION=f"Token {token}",
        HTTP_IDEMPOTENCY_KEY="cut-1",
    )
    environ["wsgi.input"] = io.BytesIO(body[:20])

    def view_must_not_run(request):
        raise AssertionError("a cut-short body reached the view")

    cut = IdempotencyMiddleware(view_must_not_run)(WSGIRequest(environ))
    assert cut.status_code == 400 and b"Content-Length" in cut.content
    assert not IdempotencyKey.objects.exists() and Appointment.objects.count() == 0
    retry = api_client(operator, token=token).post(APPOINTMENTS, booking, headers={"Idempotency-Key": "cut-1"})
    assert retry.status_code == 201 and Appointment.objects.count() == 1


def test_without_a_key_the_same_request_is_a_second_request(api_client, operator, booking):
    client = api_client(operator)
    assert client.post(APPOINTMENTS, booking).status_code == 201
    assert client.post(APPOINTMENTS, booking).status_code in (400, 409)  # the double-booking answer


def test_the_same_key_with_another_body_is_422_and_changes_nothing(api_client, operator, booking):
    client = api_client(operator)
    assert client.post(APPOINTMENTS, booking, headers={"Idempotency-Key": "k"}).status_code == 201
    other = client.post(APPOINTMENTS, {**booking, "start_time": "15:00"}, headers={"Idempotency-Key": "k"})
    assert other.status_code == 422
    assert "Idempotency-Key" in other.json()["error"]
    assert Appointment.objects.count() == 1


def test_keys_belong_to_one_user(api_client, make_operator):
    body = {"first_name": "Ana", "last_name": "Cruz", "phone_number": "+639170000001", "address": "A"}
    first = api_client(make_operator()).post(CLIENTS, body, headers={"Idempotency-Key": "same"})
    second = api_client(make_operator()).post(CLIENTS, body, headers={"Idempotency-Key": "same"})
    assert first.status_code == 201
    assert second.status_code == 409  # a real second request: the phone number is taken
    assert Client.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_failure_after_the_write_stores_nothing_so_the_retry_does_the_work(
    api_client, operator, booking, monkeypatch
):
    original = appointment_services._notify
    calls = []

    def fail_once(*args, **kwargs):
        original(*args, **kwargs)  # the appointment and its notification are written...
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("the process failed before answering")  # ...then the request dies

    monkeypatch.setattr(appointment_services, "_notify", fail_once)
    client = api_client(operator)
    failed = client.post(APPOINTMENTS, booking, headers={"Idempotency-Key": "retry-me"})
    assert failed.status_code == 500
    assert not Appointment.objects.exists() and not IdempotencyKey.objects.exists()
    retried = client.post(APPOINTMENTS, booking, headers={"Idempotency-Key": "retry-me"})
    assert retried.status_code == 201
    replayed = client.post(APPOINTMENTS, booking, headers={"Idempotency-Key": "retry-me"})
    assert replayed.content == retried.content
    assert Appointment.objects.count() == 1


def test_a_refused_write_is_replayed_as_refused(api_client, therapist, operator):
    body = {"first_name": "Ana", "last_name": "Cruz", "phone_number": "+639170000001", "address": "A"}
    client = api_client(therapist)  # therapists may not create clients: 403, kept for the key
    first = client.post(CLIENTS, body, headers={"Idempotency-Key": "x"})
    assert first.status_code == 403
    assert client.post(CLIENTS, body, headers={"Idempotency-Key": "x"})["Idempotent-Replayed"] == "true"


@pytest.mark.parametrize("key", ["", "x" * 256, "caf\u00e9"])
def test_a_malformed_key_is_400(api_client, operator, key):
    response = api_client(operator).post(CLIENTS, {}, headers={"Idempotency-Key": key})
    assert response.status_code == 400 and response.json()["detail"]


def test_an_expired_key_is_a_new_request_and_the_prune_removes_old_keys(api_client, operator):
    client = api_client(operator)
    body = {"first_name": "Ana", "last_name": "Cruz", "phone_number": "+639170000001", "address": "A"}
    assert client.post(CLIENTS, body, headers={"Idempotency-Key": "old"}).status_code == 201
    IdempotencyKey.objects.update(created_at=timezone.now() - dt.timedelta(hours=25))
    other = {**body, "phone_number": "+639170000002"}
    assert client.post(CLIENTS, other, headers={"Idempotency-Key": "old"}).status_code == 201
    assert client.post(CLIENTS, other, headers={"Idempotency-Key": "older"}).status_code == 409
    IdempotencyKey.objects.filter(key="older").update(created_at=timezone.now() - dt.timedelta(hours=30))
    call_command("prune_idempotency_keys")
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["old"]


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_with_one_key_do_the_work_once(operator, booking):
    token = issue_token(operator)

    def send():
        response = ApiClient(token=token).post(APPOINTMENTS, booking, headers={"Idempotency-Key": "race"})
        return response.status_code, response.content

    answers = race([send for _ in range(4)])
    assert {status for status, _ in answers} == {201}
    assert len({content for _, content in answers}) == 1
    assert Appointment.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_deadlock_inside_an_idempotent_request_is_retried_whole(api_client, operator, booking, monkeypatch):
    original = appointment_services._notify
    calls = []

    def deadlock_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            with connection.cursor() as cursor:  # PostgreSQL aborts the transaction as it would for a deadlock
                cursor.execute("DO $$ BEGIN RAISE EXCEPTION USING ERRCODE = 'deadlock_detected'; END $$")
        original(*args, **kwargs)

    monkeypatch.setattr(appointment_services, "_notify", deadlock_once)
    response = api_client(operator).post(APPOINTMENTS, booking, headers={"Idempotency-Key": "deadlocked"})
    assert response.status_code == 201, response.content
    assert len(calls) == 2
    assert Appointment.objects.count() == 1 and IdempotencyKey.objects.count() == 1
