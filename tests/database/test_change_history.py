"""The history of every change (issue 17): triggers record API, admin and raw-SQL writes with their actor and the
old and new values; operators read it at appointments/{id}/history/; prune_history keeps a baseline."""

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.forms.models import model_to_dict
from django.test import Client

from scheduling.models import (
    Appointment,
    AppointmentChange,
    AppointmentEvent,
    AppointmentServiceEvent,
    AppointmentTherapistEvent,
    AvailabilityEvent,
    Notification,
    NotificationType,
    UserEvent,
)
from tests import factories

URL = "/api/scheduling/appointments/"
HISTORY_MODELS = (AppointmentEvent, AppointmentServiceEvent, AppointmentTherapistEvent, AvailabilityEvent, UserEvent)


def history(client, appointment_id: int, **params) -> dict:
    response = client.get(f"{URL}{appointment_id}/history/", params)
    assert response.status_code == 200, response.content
    return response.json()


def changes_of(row: dict) -> dict:
    return {c["field"]: (c["old"], c["new"]) for c in row["changes"]}


def test_a_change_through_the_api_is_recorded_with_the_token_user_and_old_and_new_values(
    api_client, operator, make_appointment
):
    appointment = make_appointment(notes="ring twice", location="Makati")
    client = api_client(operator)
    response = client.patch(f"{URL}{appointment.id}/", {"notes": "ring once", "location": "Taguig"})
    assert response.status_code == 200, response.content

    latest = history(client, appointment.id)["results"][0]
    assert latest["event"] == "updated"
    assert latest["actor"] == {"id": operator.id, "name": operator.get_full_name() or operator.username}
    assert changes_of(latest) == {"notes": ("ring once", "ring once")} | {
        "notes": ("ring twice", "ring once"),
        "location": ("Makati", "Taguig"),
    }


def test_a_status_step_records_the_status_and_the_therapist_who_made_it(api_client, therapist, make_appointment):
    appointment = make_appointment(therapist=therapist)
    assert api_client(therapist).post(f"{URL}{appointment.id}/therapist_confirm/").status_code == 200

    row = AppointmentChange.objects.filter(appointment_id=appointment.id, event="updated").get()
    assert row.actor_id == therapist.id
    assert row.changes["status"] == {"old": "pending", "new": "therapist_confirmed"}
    assert row.url == f"{URL}{appointment.id}/therapist_confirm/"


def test_a_booking_records_the_appointment_and_its_services_under_one_request(
    api_client, operator, therapist, make_client, make_service
):
    services = [make_service(name="Shiatsu"), make_service(name="Foot")]
    body = {
        "client": make_client().id,
        "services": [s.id for s in services],
        "therapist": therapist.id,
        "date": str(dt.date.today() + dt.timedelta(days=5)),
        "start_time": "10:00",
        "location": "Pasig",
    }
    client = api_client(operator)
    created = client.post(URL, body)
    assert created.status_code == 201, created.content

    rows = history(client, created.json()["id"])["results"]
    assert sorted(r["event"] for r in rows) == ["created", "service_added", "service_added"]
    assert {r["actor"]["id"] for r in rows} == {operator.id}
    assert len({r["context_id"] for r in rows}) == 1  # one request, one context
    created_row = next(r for r in rows if r["event"] == "created")
    assert changes_of(created_row)["status"] == (None, "pending")
    assert changes_of(created_row)["therapist"] == (None, therapist.id)
    assert {changes_of(r)["service"][1] for r in rows if r["event"] == "service_added"} == {s.id for s in services}


def test_a_change_in_the_admin_is_recorded_with_the_admin_user(make_operator, make_appointment):
    admin_user = make_operator(is_staff=True, is_superuser=True)
    appointment = make_appointment(notes="", payment_amount=None)
    browser = Client()
    browser.force_login(admin_user)
    page = browser.get(f"/admin/scheduling/appointment/{appointment.id}/change/")
    assert page.status_code == 200

    form = {k: v for k, v in model_to_dict(appointment).items() if v is not None}
    form["services"] = [s.id for s in appointment.services.all()]
    form.update({"notes": "gate code 1234", "payment_amount": "650.00", "metadata": "{}"})
    for prefix in ("therapist_links", "rejections"):
        form.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    response = browser.post(f"/admin/scheduling/appointment/{appointment.id}/change/", form)
    assert response.status_code == 302, response.content.decode()[:3000]

    row = AppointmentChange.objects.filter(appointment_id=appointment.id, event="updated").get()
    assert row.actor_id == admin_user.id
    assert row.url == f"/admin/scheduling/appointment/{appointment.id}/change/"
    assert row.changes["notes"] == {"old": "", "new": "gate code 1234"}
    assert row.changes["payment_amount"] == {"old": None, "new": 650.0}
    # and the change page shows it
    page = browser.get(f"/admin/scheduling/appointment/{appointment.id}/change/").content.decode()
    assert "Change history" in page and "gate code 1234" in page and admin_user.get_full_name() in page


def test_a_change_in_raw_sql_is_recorded_with_no_actor(make_appointment):
    appointment = make_appointment()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE scheduling_appointment SET payment_amount = 123.50 WHERE id = %s", [appointment.id])

    row = AppointmentChange.objects.filter(appointment_id=appointment.id, event="updated").get()
    assert row.actor_id is None and row.actor_name is None and row.context_id is None
    assert row.changes == {"payment_amount": {"old": None, "new": 123.5}}


def test_a_write_that_changes_no_tracked_field_records_nothing(make_appointment):
    appointment = make_appointment()
    before = AppointmentEvent.objects.count()
    Appointment.objects.filter(id=appointment.id).update(updated_at=appointment.updated_at + dt.timedelta(1))
    assert AppointmentEvent.objects.count() == before


def test_staff_account_changes_are_recorded_and_passwords_never(api_client, operator, therapist):
    client = api_client(operator)
    assert client.patch(f"/api/scheduling/staff/{therapist.id}/", {"first_name": "Ana"}).status_code == 200
    assert client.post(f"/api/scheduling/staff/{therapist.id}/deactivate/").status_code == 200
    events = list(UserEvent.objects.filter(pgh_obj_id=therapist.id).order_by("pgh_id"))
    assert [e.pgh_label for e in events] == ["insert", "update", "update"]
    assert events[1].first_name == "Ana" and events[2].is_active is False
    assert all(e.pgh_context["user"] == operator.id for e in events[1:])

    therapist.refresh_from_db()
    therapist.set_password("another-long-password")
    therapist.save()
    assert UserEvent.objects.filter(pgh_obj_id=therapist.id).count() == 3
    assert not [f.name for f in UserEvent._meta.fields if "password" in f.name]


def test_availability_changes_are_recorded_with_their_user(api_client, therapist):
    client = api_client(therapist)
    day = str(dt.date.today() + dt.timedelta(days=3))
    created = client.post("/api/scheduling/availabilities/", {"date": day, "start_time": "09:00", "end_time": "12:00"})
    assert created.status_code == 201, created.content
    slot = created.json()["id"]
    assert client.patch(f"/api/scheduling/availabilities/{slot}/", {"end_time": "13:00"}).status_code == 200
    assert client.delete(f"/api/scheduling/availabilities/{slot}/").status_code == 204
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT event, actor_id, changes FROM report_staff_changes WHERE subject = 'availability' "
            "AND object_id = %s ORDER BY seq",
            [slot],
        )
        rows = cursor.fetchall()
    assert [(r[0], r[1]) for r in rows] == [
        ("created", therapist.id),
        ("updated", therapist.id),
        ("deleted", therapist.id),
    ]
    assert json.loads(rows[1][2]) == {"end_time": {"old": "12:00:00", "new": "13:00:00"}}


def test_notifications_keep_no_history(make_operator):
    users = [make_operator() for _ in range(3)]
    before = [m.objects.count() for m in HISTORY_MODELS]
    Notification.objects.bulk_create(
        Notification(user=users[i % 3], notification_type=NotificationType.SYSTEM, message="m") for i in range(1000)
    )
    Notification.objects.update(is_read=True)
    assert [m.objects.count() for m in HISTORY_MODELS] == before
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE c.relname = 'scheduling_notification' AND t.tgname LIKE '%%history%%'"
        )
        assert cursor.fetchone()[0] == 0


# ------------------------------------------------------------------ the endpoint


def test_the_history_is_newest_first_and_paginated(api_client, operator, make_appointment):
    appointment = make_appointment(notes="0")
    client = api_client(operator)
    for i in range(1, 6):
        assert client.patch(f"{URL}{appointment.id}/", {"notes": str(i)}).status_code == 200
    first = history(client, appointment.id, page_size=2)
    assert first["count"] == 7 and first["total_pages"] == 4 and first["has_next"]  # 5 edits, insert, service
    assert [changes_of(r)["notes"] for r in first["results"]] == [("4", "5"), ("3", "4")]
    last = history(client, appointment.id, page_size=2, page=4)
    assert [r["event"] for r in last["results"]] == ["created"] and last["results"][0]["actor"] is None
    assert client.get(f"{URL}{appointment.id}/history/", {"page": 5, "page_size": 2}).status_code == 404


def test_only_operators_read_the_history_and_others_cannot_tell_a_foreign_appointment_exists(
    api_client, operator, make_therapist, make_driver, make_appointment
):
    therapist, other_therapist, driver, other_driver = make_therapist(), make_therapist(), make_driver(), make_driver()
    appointment = make_appointment(therapist=therapist, driver=driver)
    path = f"{URL}{appointment.id}/history/"
    assert api_client(operator).get(path).status_code == 200
    for user, status in ((therapist, 403), (driver, 403), (other_therapist, 404), (other_driver, 404)):
        response = api_client(user).get(path)
        assert response.status_code == status, (user.role, response.content)
        assert response.json()["detail"]
    assert api_client(other_therapist).get(f"{URL}999999999/history/").status_code == 404
    assert api_client().get(path).status_code == 401


def test_an_operator_gets_404_for_an_unknown_id_and_keeps_a_deleted_appointments_history(
    api_client, operator, make_appointment
):
    client = api_client(operator)
    assert client.get(f"{URL}987654321/history/").status_code == 404
    appointment = make_appointment()
    assert client.delete(f"{URL}{appointment.id}/").status_code == 204
    events = [r["event"] for r in history(client, appointment.id)["results"]]
    assert (
        events[0] in ("deleted", "service_removed")
        and "deleted" in events
        and events[-1] in ("created", "service_added")
    )


@pytest.mark.parametrize("edits", [1, 40])
def test_the_history_costs_three_queries_whatever_its_length(
    api_client, operator, make_appointment, django_assert_num_queries, edits
):
    appointment = make_appointment()
    with connection.cursor() as cursor:
        for i in range(edits):
            cursor.execute("UPDATE scheduling_appointment SET notes = %s WHERE id = %s", [f"n{i}", appointment.id])
    client = api_client(operator)
    with django_assert_num_queries(3):  # auth, count, page
        body = client.get(f"{URL}{appointment.id}/history/", {"page_size": 200}).json()
    assert body["count"] == edits + 2  # the edits, the insert, the service link


# ------------------------------------------------------------------ retention


def _age_events(appointment_id: int, days: int, up_to_pgh_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE scheduling_appointmentevent SET pgh_created_at = now() - make_interval(days => %s) "
            "WHERE pgh_obj_id = %s AND pgh_id <= %s",
            [days, appointment_id, up_to_pgh_id],
        )


def test_prune_history_deletes_old_events_and_keeps_each_objects_state_at_the_cutoff(make_appointment):
    appointment = make_appointment(notes="a")
    for notes in ("b", "c"):
        Appointment.objects.filter(id=appointment.id).update(notes=notes)
    old = AppointmentEvent.objects.filter(pgh_obj_id=appointment.id).order_by("pgh_id")
    _age_events(appointment.id, 400, old[1].pgh_id)  # the insert and the first update are 400 days old

    call_command("prune_history", "--dry-run")
    assert AppointmentEvent.objects.filter(pgh_obj_id=appointment.id).count() == 3
    call_command("prune_history", "--older-than", "365d", "--batch-size", "1")

    labels = list(
        AppointmentEvent.objects.filter(pgh_obj_id=appointment.id).order_by("pgh_id").values_list("pgh_label", "notes")
    )
    assert labels == [("baseline", "b"), ("update", "c")]
    rows = list(AppointmentChange.objects.filter(appointment_id=appointment.id, event="updated"))
    assert [r.changes["notes"] for r in rows] == [{"old": "b", "new": "c"}]


def test_prune_history_drops_everything_of_an_object_deleted_before_the_cutoff(make_availability):
    slot = make_availability()
    slot_id = slot.id
    slot.delete()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE scheduling_availabilityevent SET pgh_created_at = now() - interval '400 days' WHERE pgh_obj_id = %s",
            [slot_id],
        )
    call_command("prune_history")
    assert not AvailabilityEvent.objects.filter(pgh_obj_id=slot_id).exists()


def test_prune_history_refuses_a_bad_duration():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("prune_history", "--older-than", "soon")


@pytest.mark.django_db
def test_the_factory_user_is_recorded_once():
    user = factories.TherapistFactory()
    assert UserEvent.objects.filter(pgh_obj_id=user.id).count() == 1
