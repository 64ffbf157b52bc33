"""The live channel (CONTRACT.md section 3) with a real WebSocket client against real server processes."""

import datetime as dt
import json
from types import SimpleNamespace

import pytest
from django.db import connection
from django.utils import timezone
from websockets.exceptions import InvalidStatus

from scheduling.models import Appointment, AuthToken, User
from scheduling.services.auth import issue_token
from tests.live.conftest import http, next_message, open_socket, wait_closed

pytestmark = pytest.mark.django_db(transaction=True)
URL = "/api/scheduling/appointments/"


@pytest.fixture
def world(make_operator, make_therapist, make_driver, make_client, make_service, make_appointment):
    today = timezone.localdate()
    w = SimpleNamespace(
        operator=make_operator(),
        therapist_a=make_therapist(),
        therapist_b=make_therapist(),
        driver=make_driver(),
        client=make_client(),
        service=make_service(name="Shiatsu", duration=60, price="500.00"),
    )
    w.appt_a = make_appointment(therapist=w.therapist_a, operator=w.operator, client=w.client, date=today)
    w.appt_b = make_appointment(
        therapist=w.therapist_b,
        operator=w.operator,
        client=w.client,
        date=today,
        start_time=dt.time(13, 0),
        end_time=dt.time(14, 0),
    )
    w.appt_a_past = make_appointment(
        therapist=w.therapist_a, operator=w.operator, client=w.client, date=today - dt.timedelta(days=3)
    )
    return w


def token_of(user, hours: int = 10) -> str:
    return issue_token(user, hours=hours)


def rest_item(port: int, token: str, appointment_id: int) -> dict:
    status, body = http(port, "GET", f"{URL}{appointment_id}/", token)
    assert status == 200, body
    return body


def test_a_socket_without_a_live_token_of_an_active_account_is_refused_before_accept(live_port, world):
    expired = token_of(world.operator, hours=-1)
    disabled_user = world.driver
    disabled = token_of(disabled_user)
    User.objects.filter(pk=disabled_user.pk).update(is_active=False)
    for token in (None, "", "not-a-token", expired, disabled):
        with pytest.raises(InvalidStatus) as refused:
            open_socket(live_port, token)
        assert refused.value.response.status_code == 403


def test_initial_data_lists_the_callers_visible_appointments_of_today_and_ahead_as_rest_renders_them(live_port, world):
    token = token_of(world.therapist_a)
    with open_socket(live_port, token) as ws:
        message = next_message(ws)
    assert message["type"] == "initial_data"
    assert message["connection_id"] and message["timestamp"]
    assert [a["id"] for a in message["appointments"]] == [world.appt_a.id]  # not B's, not the past one
    assert message["appointments"][0] == rest_item(live_port, token, world.appt_a.id)


def test_a_booking_through_the_api_is_pushed_within_a_second_as_the_rest_object(live_port, world):
    token = token_of(world.operator)
    with open_socket(live_port, token) as ws:
        assert next_message(ws)["type"] == "initial_data"
        body = {
            "client": world.client.id,
            "services": [world.service.id],
            "therapist": world.therapist_a.id,
            "date": str(timezone.localdate() + dt.timedelta(days=1)),
            "start_time": "15:00",
            "location": "12 Rizal St, Makati",
        }
        status, created = http(live_port, "POST", URL, token, body)
        assert status == 201, created
        message = next_message(ws, timeout=1.0)
    assert message["type"] == "appointment_created"
    assert message["appointment"] == rest_item(live_port, token, created["id"])


def test_a_status_change_made_with_raw_sql_is_pushed_within_a_second_with_its_event_form(live_port, world):
    with open_socket(live_port, token_of(world.therapist_a)) as ws:
        assert next_message(ws)["type"] == "initial_data"
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE scheduling_appointment SET status = 'therapist_confirmed', therapist_confirmed_at = now() "
                "WHERE id = %s",
                [world.appt_a.id],
            )
        updated = next_message(ws, timeout=1.0)
        acceptance = next_message(ws, timeout=1.0)
    assert updated["type"] == "appointment_updated"
    assert updated["appointment"]["id"] == world.appt_a.id
    assert updated["appointment"]["status"] == "therapist_confirmed"
    assert acceptance["type"] == "therapist_acceptance"
    assert acceptance["appointment_id"] == world.appt_a.id
    assert acceptance["therapist_accepted"] is True and acceptance["both_accepted"] is False


def test_a_change_saved_through_the_orm_as_the_admin_does_is_pushed_within_a_second(live_port, world):
    with open_socket(live_port, token_of(world.operator)) as ws:
        assert next_message(ws)["type"] == "initial_data"
        appointment = Appointment.objects.get(pk=world.appt_b.pk)
        appointment.driver = world.driver
        appointment.save()  # what the admin's change form does
        updated = next_message(ws, timeout=1.0)
        assigned = next_message(ws, timeout=1.0)
    assert updated["type"] == "appointment_updated"
    assert updated["appointment"]["driver"] == world.driver.id
    assert assigned["type"] == "driver_assigned"
    assert assigned["driver_id"] == world.driver.id
    assert assigned["driver_name"] == updated["appointment"]["driver_details"]["full_name"]
    assert assigned["appointment_id"] == world.appt_b.id


def test_therapist_b_never_receives_therapist_as_appointment(live_port, world):
    with open_socket(live_port, token_of(world.therapist_b)) as ws:
        assert [a["id"] for a in next_message(ws)["appointments"]] == [world.appt_b.id]
        Appointment.objects.filter(pk=world.appt_a.pk).update(notes="for A only")
        Appointment.objects.filter(pk=world.appt_b.pk).update(notes="for B")
        # pushes keep commit order: the first one B gets is B's own, so A's was never sent
        first = next_message(ws, timeout=1.0)
        assert first["appointment"]["id"] == world.appt_b.id
        with pytest.raises(TimeoutError):
            next_message(ws, timeout=0.5)


def test_a_group_therapist_added_later_starts_receiving_the_appointment(live_port, world):
    from scheduling.models import AppointmentTherapist

    with open_socket(live_port, token_of(world.therapist_b)) as ws:
        next_message(ws)
        AppointmentTherapist.objects.create(appointment=world.appt_a, therapist=world.therapist_b)
        message = next_message(ws, timeout=1.0)
    assert message["type"] == "appointment_updated"
    assert message["appointment"]["id"] == world.appt_a.id


def test_a_deleted_appointment_is_announced_to_those_who_were_shown_it(live_port, world):
    with (
        open_socket(live_port, token_of(world.therapist_a)) as ws_a,
        open_socket(live_port, token_of(world.therapist_b)) as ws_b,
    ):
        next_message(ws_a), next_message(ws_b)
        Appointment.objects.filter(pk=world.appt_a.pk).delete()
        message = next_message(ws_a, timeout=1.0)
        assert message == {
            "type": "appointment_deleted",
            "appointment": {"id": world.appt_a.id},
            "appointment_id": world.appt_a.id,
        }
        with pytest.raises(TimeoutError):
            next_message(ws_b, timeout=0.5)


def test_a_notification_is_pushed_to_its_recipient_only_with_the_unread_count(live_port, world, make_notification):
    with (
        open_socket(live_port, token_of(world.therapist_a)) as ws_a,
        open_socket(live_port, token_of(world.therapist_b)) as ws_b,
    ):
        next_message(ws_a), next_message(ws_b)
        note = make_notification(user=world.therapist_a, message="You have a new booking")
        message = next_message(ws_a, timeout=1.0)
        with pytest.raises(TimeoutError):
            next_message(ws_b, timeout=0.5)
    assert message["type"] == "notification_created"
    assert message["id"] == note.id
    assert message["message"] == "You have a new booking"
    assert message["unreadCount"] == 1


def test_the_heartbeat_goes_both_ways(live_port, world):
    with open_socket(live_port, token_of(world.driver)) as ws:
        next_message(ws)
        ws.send(json.dumps({"type": "heartbeat", "timestamp": "2026-01-01T00:00:00Z"}))
        answer = next_message(ws, timeout=1.0)
        assert answer == {"type": "heartbeat_response", "timestamp": "2026-01-01T00:00:00Z"}
        server_beat = next_message(ws, timeout=2.5, skip=())  # LIVE_HEARTBEAT_SECONDS=1 in these servers
        assert server_beat["type"] == "heartbeat" and server_beat["timestamp"]


def test_logout_closes_the_socket_opened_with_that_token(live_port, world):
    token = token_of(world.therapist_a)
    other = token_of(world.therapist_a)
    with open_socket(live_port, token) as ws, open_socket(live_port, other) as ws_other:
        next_message(ws), next_message(ws_other)
        status, _ = http(live_port, "POST", "/api/auth/logout/", token)
        assert status == 200
        assert wait_closed(ws) == 4001
        ws_other.send(json.dumps({"type": "heartbeat", "timestamp": "t"}))
        assert next_message(ws_other)["type"] == "heartbeat_response"  # the other session stays open


def test_deactivating_an_account_closes_its_sockets(live_port, world):
    with open_socket(live_port, token_of(world.driver)) as ws:
        next_message(ws)
        status, _ = http(
            live_port, "POST", f"/api/scheduling/staff/{world.driver.id}/deactivate/", token_of(world.operator)
        )
        assert status == 200
        assert wait_closed(ws) in (4001, 4003)  # its tokens are revoked and the account disabled: either closes it


def test_a_revoked_token_cannot_reconnect_and_a_new_one_gets_fresh_initial_data(live_port, world):
    token = token_of(world.operator)
    AuthToken.objects.filter(user=world.operator).update(revoked_at=timezone.now())
    with pytest.raises(InvalidStatus):
        open_socket(live_port, token)
    with open_socket(live_port, token_of(world.operator)) as ws:
        assert {a["id"] for a in next_message(ws)["appointments"]} == {world.appt_a.id, world.appt_b.id}


def test_a_change_reaches_sockets_on_both_server_processes(live_servers, world):
    token = token_of(world.operator)
    with open_socket(live_servers[0], token) as ws_a, open_socket(live_servers[1], token) as ws_b:
        next_message(ws_a), next_message(ws_b)
        Appointment.objects.filter(pk=world.appt_a.pk).update(notes="seen everywhere")
        for ws in (ws_a, ws_b):
            message = next_message(ws, timeout=1.0)
            assert message["appointment"]["notes"] == "seen everywhere"


def test_an_availability_change_reaches_its_owner_and_operators_only(live_port, world, make_availability):
    with (
        open_socket(live_port, token_of(world.therapist_a)) as ws_a,
        open_socket(live_port, token_of(world.therapist_b)) as ws_b,
        open_socket(live_port, token_of(world.operator)) as ws_op,
    ):
        for ws in (ws_a, ws_b, ws_op):
            next_message(ws)
        slot = make_availability(user=world.therapist_a)
        for ws in (ws_a, ws_op):
            message = next_message(ws, timeout=1.0)
            assert message["type"] == "availability_update" and message["action"] == "created"
            assert message["availability"]["id"] == slot.id and message["availability"]["user"] == world.therapist_a.id
        with pytest.raises(TimeoutError):
            next_message(ws_b, timeout=0.5)
        slot.delete()
        assert next_message(ws_a, timeout=1.0)["action"] == "deleted"


def test_a_check_in_through_the_api_is_pushed_to_operators_and_the_person_not_to_another_therapist(live_port, world):
    a, b, op = token_of(world.therapist_a), token_of(world.therapist_b), token_of(world.operator)
    with open_socket(live_port, a) as ws_a, open_socket(live_port, b) as ws_b, open_socket(live_port, op) as ws_op:
        for ws in (ws_a, ws_b, ws_op):
            next_message(ws)
        status, checked_in = http(live_port, "POST", "/api/attendance/check-in/", a)
        assert status == 200, checked_in
        for ws in (ws_op, ws_a):
            message = next_message(ws, timeout=1.0)
            assert message == {"type": "attendance_update", "action": "created", "record": checked_in}
        with pytest.raises(TimeoutError):
            next_message(ws_b, timeout=0.5)
