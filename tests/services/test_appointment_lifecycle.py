"""The lifecycle of SPEC section 4 through the API: roles, from-statuses, effects, notifications."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from scheduling.models import Appointment, AppointmentRejection, AppointmentTherapist, Notification

URL = "/api/scheduling/appointments/"


def act(client, appointment, action, data=None):
    return client.post(f"{URL}{appointment.id}/{action}/", data or {})


def kinds(appointment):
    return list(
        Notification.objects.filter(appointment=appointment).order_by("id").values_list("notification_type", "user_id")
    )


@pytest.fixture
def team(api_client, operator, therapist, driver):
    return {
        "operator": api_client(operator),
        "therapist": api_client(therapist),
        "driver": api_client(driver),
        "users": {"operator": operator, "therapist": therapist, "driver": driver},
    }


@pytest.fixture
def booked(make_appointment, operator, therapist, driver):
    return make_appointment(operator=operator, therapist=therapist, driver=driver)


def test_the_whole_journey_with_a_driver(team, booked, make_driver):
    op, th, dr = team["operator"], team["therapist"], team["driver"]
    users = team["users"]
    steps = [
        (th, "therapist_confirm", None, "therapist_confirmed"),
        (dr, "driver_confirm", None, "driver_confirmed"),
        (op, "start_appointment", None, "in_progress"),
        (dr, "start_journey", None, "journey"),
        (dr, "arrive_at_location", None, "arrived"),
        (dr, "drop_off_therapist", None, "dropped_off"),
        (th, "start_session", None, "session_in_progress"),
        (th, "mark_awaiting_payment", None, "awaiting_payment"),
        (
            op,
            "mark_completed",
            {"payment_method": "gcash", "payment_amount": "500.00", "receipt_hash": "abc"},
            "payment_verified",
        ),
        (th, "complete", None, "completed"),
    ]
    for client, action, data, status in steps:
        response = act(client, booked, action, data)
        assert response.status_code == 200, (action, response.content)
        assert response.json()["status"] == status
    booked.refresh_from_db()
    assert booked.payment_status == "paid" and booked.payment_amount == Decimal("500.00")
    assert booked.payment_verified_by == users["operator"]
    for stamp in (
        "therapist_confirmed_at",
        "driver_confirmed_at",
        "started_at",
        "journey_started_at",
        "arrived_at",
        "dropped_off_at",
        "session_started_at",
        "awaiting_payment_at",
        "completed_at",
        "payment_verified_at",
    ):
        assert getattr(booked, stamp) is not None, stamp
    users["driver"].refresh_from_db()
    assert users["driver"].last_available_at >= booked.dropped_off_at
    sent = kinds(booked)
    assert ("therapist_confirmed", users["operator"].id) in sent
    assert ("driver_confirmed", users["therapist"].id) in sent
    assert ("payment_verified", users["therapist"].id) in sent
    assert all(user_id != users["operator"].id for kind, user_id in sent if kind == "appointment_started")

    # Pickup: the therapist's own driver is free again and the only driver: auto-assigned.
    response = act(th, booked, "request_pickup", {"urgency": "urgent", "notes": "gate 2"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "driver_assigned_pickup"
    assert body["driver"] == users["driver"].id
    assert body["pickup_urgency"] == "urgent" and body["estimated_pickup_time"]
    assert act(dr, booked, "confirm_pickup").json()["status"] == "return_journey"
    assert act(dr, booked, "complete_return_journey").json()["status"] == "transport_completed"
    booked.refresh_from_db()
    assert booked.pickup_confirmed_at and booked.return_journey_completed_at
    users["driver"].refresh_from_db()
    assert users["driver"].last_available_at >= booked.return_journey_completed_at


def test_without_a_driver_the_operator_starts_after_the_therapist_and_the_session_starts_from_in_progress(
    api_client, operator, therapist, make_appointment
):
    appointment = make_appointment(operator=operator, therapist=therapist, driver=None)
    op, th = api_client(operator), api_client(therapist)
    assert act(th, appointment, "therapist_confirm").json()["status"] == "therapist_confirmed"
    assert act(op, appointment, "start_appointment").json()["status"] == "in_progress"
    assert act(th, appointment, "start_session").json()["status"] == "session_in_progress"


def test_with_a_driver_the_operator_cannot_start_before_the_driver_confirms(team, booked):
    act(team["therapist"], booked, "therapist_confirm")
    response = act(team["operator"], booked, "start_appointment")
    assert response.status_code == 409
    assert "therapist_confirmed" in response.json()["detail"]


def test_a_group_booking_moves_on_when_every_therapist_has_confirmed(
    api_client, operator, make_therapist, make_appointment
):
    a, b = make_therapist(), make_therapist()
    appointment = make_appointment(operator=operator, therapist=a, driver=None, group_size=2)
    AppointmentTherapist.objects.create(appointment=appointment, therapist=a)
    AppointmentTherapist.objects.create(appointment=appointment, therapist=b)
    first = act(api_client(a), appointment, "therapist_confirm")
    assert first.status_code == 200
    assert first.json()["status"] == "pending"
    assert [t["confirmed_at"] is not None for t in first.json()["therapists_details"]] == [True, False]
    again = act(api_client(a), appointment, "therapist_confirm")
    assert again.status_code == 409
    second = act(api_client(b), appointment, "therapist_confirm")
    assert second.json()["status"] == "therapist_confirmed"


@pytest.mark.parametrize(
    "role,action",
    [
        ("driver", "therapist_confirm"),
        ("therapist", "driver_confirm"),
        ("therapist", "start_appointment"),
        ("driver", "start_appointment"),
        ("therapist", "start_journey"),
        ("operator", "start_session"),
        ("operator", "reject"),
        ("therapist", "cancel"),
        ("driver", "review_rejection"),
        ("therapist", "assign_pickup_driver"),
        ("operator", "request_pickup"),
        ("operator", "confirm_pickup"),
        ("therapist", "auto_cancel"),
    ],
)
def test_the_wrong_role_gets_403_and_nothing_changes(team, booked, role, action):
    body = {"reason": "x", "action": "accept", "driver": 1, "payment_method": "cash", "payment_amount": "1"}
    response = act(team[role], booked, action, body)
    assert response.status_code == 403, response.content
    assert "Only a" in response.json()["detail"]
    booked.refresh_from_db()
    assert booked.status == "pending"


def test_the_wrong_status_gets_409_naming_the_current_status(team, booked):
    response = act(team["driver"], booked, "start_journey")
    assert response.status_code == 409
    assert "the appointment is pending" in response.json()["detail"]


def test_an_invisible_appointment_gets_404_on_actions(api_client, make_therapist, make_driver, booked):
    assert act(api_client(make_therapist()), booked, "therapist_confirm").status_code == 404
    assert act(api_client(make_driver()), booked, "driver_confirm").status_code == 404
    assert act(api_client(make_driver()), booked, "reject", {"reason": "busy"}).status_code == 404


def test_reject_then_accept_cancels_and_keeps_history(team, booked):
    users = team["users"]
    response = act(team["therapist"], booked, "reject", {"reason": "Sick today"})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "rejected"
    assert body["rejection_details"]["reason"] == "Sick today"
    assert body["rejection_details"]["operator_response"] == "pending"
    rejection = AppointmentRejection.objects.get(appointment=booked)
    assert Notification.objects.filter(
        user=users["operator"], rejection=rejection, notification_type="appointment_rejected"
    ).exists()
    response = act(team["operator"], booked, "review_rejection", {"action": "accept", "reason": "ok"})
    assert response.json()["status"] == "cancelled"
    rejection.refresh_from_db()
    assert rejection.operator_response == "accepted" and rejection.reviewed_by == users["operator"]
    assert Notification.objects.filter(user=users["therapist"], notification_type="rejection_reviewed").exists()
    assert Appointment.objects.filter(id=booked.id).exists()


def test_deny_sends_a_rejected_booking_back_to_pending(team, booked):
    act(team["driver"], booked, "reject", {"reason": "Bike broken"})
    response = act(team["operator"], booked, "review_rejection", {"action": "deny", "reason": "Take a cab"})
    assert response.json()["status"] == "pending"
    assert response.json()["rejection_details"]["operator_response"] == "denied"
    assert Notification.objects.filter(user=team["users"]["driver"], notification_type="rejection_reviewed").exists()


def test_reject_needs_a_reason(team, booked):
    assert act(team["therapist"], booked, "reject", {"reason": ""}).status_code == 422
    assert act(team["therapist"], booked, "reject", {"reason": "   "}).status_code == 400
    assert act(team["therapist"], booked, "review_rejection", {"action": "maybe"}).status_code in (403, 422)
    booked.refresh_from_db()
    assert booked.status == "pending"


def test_cancel_before_in_progress_only(team, booked):
    act(team["therapist"], booked, "therapist_confirm")
    act(team["driver"], booked, "driver_confirm")
    act(team["operator"], booked, "start_appointment")
    response = act(team["operator"], booked, "cancel", {"reason": "client called"})
    assert response.status_code == 409
    assert "in_progress" in response.json()["detail"]


def test_cancel_notifies_the_staff(team, booked):
    response = act(team["operator"], booked, "cancel", {"reason": "client called"})
    assert response.json()["status"] == "cancelled"
    assert {u for k, u in kinds(booked) if k == "appointment_cancelled"} == {
        team["users"]["therapist"].id,
        team["users"]["driver"].id,
    }


def test_request_pickup_picks_the_free_driver_who_waited_longest(
    api_client, operator, therapist, make_driver, make_appointment
):
    now = timezone.now()
    recent = make_driver(last_available_at=now - dt.timedelta(minutes=5))
    longest = make_driver(last_available_at=now - dt.timedelta(hours=3))
    busy = make_driver(last_available_at=now - dt.timedelta(hours=9))
    # Driving right now: from 30 minutes ago (yesterday's date in the first half hour after midnight) for 90 minutes.
    begin = timezone.localtime() - dt.timedelta(minutes=30)
    start = begin.time().replace(second=0, microsecond=0)
    end = (begin + dt.timedelta(minutes=90)).time().replace(second=0, microsecond=0)
    make_appointment(driver=busy, date=begin.date(), start_time=start, end_time=end)
    done = make_appointment(operator=operator, therapist=therapist, driver=None, status="completed")
    response = act(api_client(therapist), done, "request_pickup", {"urgency": "normal"})
    assert response.json()["status"] == "driver_assigned_pickup"
    assert response.json()["driver"] == longest.id
    assert Notification.objects.filter(user=longest, notification_type="driver_assigned_pickup").exists()
    assert recent.id != longest.id


def test_with_no_free_driver_the_pickup_waits_for_the_operator(
    api_client, operator, therapist, make_driver, make_appointment
):
    done = make_appointment(operator=operator, therapist=therapist, driver=None, status="completed")
    response = act(api_client(therapist), done, "request_pickup", {})
    assert response.json()["status"] == "pickup_requested"
    assert Notification.objects.filter(user=operator, notification_type="pickup_requested").exists()
    driver = make_driver()
    assigned = act(api_client(operator), done, "assign_pickup_driver", {"driver": driver.id})
    assert assigned.json()["status"] == "driver_assigned_pickup"
    rejected = act(api_client(driver), done, "reject_pickup", {"reason": "flat tyre"})
    assert rejected.json()["status"] == "pickup_requested"
    assert rejected.json()["driver"] is None
    assert act(api_client(operator), done, "assign_pickup_driver", {"driver": therapist.id}).status_code == 400


def test_auto_cancel_endpoint_and_command_cancel_only_overdue_pending(api_client, operator, make_appointment):
    past = timezone.now() - dt.timedelta(minutes=1)
    overdue = make_appointment(response_deadline=past, start_time=dt.time(8), end_time=dt.time(9))
    fresh = make_appointment(response_deadline=timezone.now() + dt.timedelta(minutes=20))
    confirmed_late = make_appointment(status="therapist_confirmed", response_deadline=past)
    response = api_client(operator).post(f"{URL}auto_cancel_overdue/")
    assert response.json() == {"cancelled": 1, "ids": [overdue.id]}
    overdue.refresh_from_db()
    assert overdue.status == "auto_cancelled"
    assert Notification.objects.filter(appointment=overdue, notification_type="appointment_auto_cancelled").count() == 2
    assert Appointment.objects.get(id=fresh.id).status == "pending"
    assert Appointment.objects.get(id=confirmed_late.id).status == "therapist_confirmed"
    late = make_appointment(response_deadline=past, start_time=dt.time(18), end_time=dt.time(19))
    call_command("auto_cancel_overdue")
    assert Appointment.objects.get(id=late.id).status == "auto_cancelled"
    assert act(api_client(operator), fresh, "auto_cancel").status_code == 409


def test_delete_by_operator_before_start_only(api_client, operator, therapist, make_appointment):
    gone = make_appointment(operator=operator, therapist=therapist)
    assert api_client(therapist).delete(f"{URL}{gone.id}/").status_code == 403
    assert api_client(operator).delete(f"{URL}{gone.id}/").status_code == 204
    assert not Appointment.objects.filter(id=gone.id).exists()
    assert Notification.objects.filter(user=therapist, notification_type="appointment_deleted").exists()
    started = make_appointment(status="in_progress")
    response = api_client(operator).delete(f"{URL}{started.id}/")
    assert response.status_code == 409 and "in_progress" in response.json()["detail"]
    assert api_client(operator).delete(f"{URL}999999/").status_code == 404


def test_the_database_refuses_a_raw_update_that_skips_a_step(make_appointment):
    appointment = make_appointment()
    with pytest.raises(DatabaseError, match="Invalid transition"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE scheduling_appointment SET status = 'completed' WHERE id = %s", [appointment.id])
    appointment.refresh_from_db()
    assert appointment.status == "pending"


def test_the_database_allows_the_next_step(make_appointment):
    appointment = make_appointment()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE scheduling_appointment SET status = 'therapist_confirmed' WHERE id = %s", [appointment.id]
        )
    appointment.refresh_from_db()
    assert appointment.status == "therapist_confirmed"


def test_put_and_patch_edit_a_booking_before_it_starts(
    api_client, operator, make_therapist, make_service, make_appointment
):
    appointment = make_appointment(operator=operator)
    other = make_therapist()
    stone = make_service(name="Hot Stone", duration=90, price="675.00")
    client = api_client(operator)
    response = client.patch(
        f"{URL}{appointment.id}/", {"therapist": other.id, "services": [stone.id], "end_time": "11:30"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["therapist"] == other.id and body["total_price"] == "675.00" and body["end_time"] == "11:30:00"
    full = {
        "client": appointment.client_id,
        "services": [stone.id],
        "therapist": other.id,
        "date": str(appointment.date),
        "start_time": "13:00",
        "end_time": "14:30",
        "location": "New place",
    }
    response = client.put(f"{URL}{appointment.id}/", full)
    assert response.status_code == 200, response.content
    assert response.json()["location"] == "New place"
    assert client.patch(f"{URL}{appointment.id}/", {"client": 999999}).status_code == 400
    assert client.patch(f"{URL}{appointment.id}/", {"date": "soon"}).status_code == 422
    assert api_client(other).patch(f"{URL}{appointment.id}/", {"notes": "x"}).status_code == 403
