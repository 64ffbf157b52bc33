"""The live channel's database side and its filtering, without a server (tests/live/ has the end-to-end ones)."""

import datetime as dt
import json
from types import SimpleNamespace

import psycopg
import pytest
from django.db import connection, transaction

from scheduling.live import events
from scheduling.live.hub import conninfo
from scheduling.live.triggers import CHANNEL
from scheduling.models import Appointment, AuthToken, User
from scheduling.selectors.appointments import appointments_visible_to
from scheduling.services.auth import issue_token

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def listener():
    """A LISTEN connection of its own: (connection, drain() -> the payloads received so far)."""
    with psycopg.connect(conninfo(), autocommit=True) as conn:
        conn.execute(f"LISTEN {CHANNEL}")

        def drain() -> list[dict]:
            return [json.loads(n.payload) for n in conn.notifies(timeout=0.3)]

        yield drain


def peer(user) -> SimpleNamespace:
    return SimpleNamespace(user=user, token_id=0, known=set(), ready=True)


def test_a_committed_status_change_notifies_ids_and_statuses_only(listener, make_appointment):
    appointment = make_appointment()
    listener()
    Appointment.objects.filter(pk=appointment.pk).update(status="therapist_confirmed")
    (payload,) = listener()
    assert payload == {
        "k": "appointment",
        "op": "U",
        "rows": [{"id": appointment.pk, "s": "therapist_confirmed", "d": None, "o": "pending", "od": None}],
    }


def test_a_rolled_back_change_notifies_nothing(listener, make_appointment):
    appointment = make_appointment()
    listener()
    with pytest.raises(RuntimeError), transaction.atomic():
        Appointment.objects.filter(pk=appointment.pk).update(notes="never")
        raise RuntimeError("roll back")
    assert listener() == []


def test_a_bulk_update_is_sent_in_chunks_far_under_the_notify_limit(listener):
    from scheduling.models import Client

    client = Client.objects.create(first_name="Bulk", last_name="Client", phone_number="09170000001")
    Appointment.objects.bulk_create(
        Appointment(client=client, date="2030-01-01", start_time="10:00", end_time="11:00", location="x")
        for _ in range(100)
    )
    listener()
    Appointment.objects.filter(client=client).update(notes="all of them")
    payloads = listener()
    assert sorted(len(p["rows"]) for p in payloads) == [20, 40, 40]
    assert sorted(r["id"] for p in payloads for r in p["rows"]) == sorted(
        Appointment.objects.filter(client=client).values_list("id", flat=True)
    )
    assert max(len(json.dumps(p)) for p in payloads) < 8000


def test_revoking_a_token_and_deactivating_an_account_are_events(listener, therapist):
    issue_token(therapist)
    token = AuthToken.objects.get(user=therapist)
    listener()
    from django.utils import timezone

    AuthToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    User.objects.filter(pk=therapist.pk).update(is_active=False)
    assert listener() == [
        {"k": "token", "op": "U", "rows": [{"id": token.pk, "u": therapist.pk}]},
        {"k": "account", "op": "U", "rows": [{"id": therapist.pk}]},
    ]


def test_the_live_audience_is_exactly_what_each_users_rest_selector_shows(
    make_appointment, make_therapist, make_driver, operator
):
    from scheduling.models import AppointmentTherapist
    from scheduling.selectors.appointments import appointment_rows_visible_to

    t1, t2, t3 = make_therapist(), make_therapist(), make_therapist()
    d1 = make_driver()
    a1 = make_appointment(therapist=t1, driver=d1)
    a2 = make_appointment(therapist=t2, start_time="14:00", end_time="15:00")
    AppointmentTherapist.objects.create(appointment=a2, therapist=t3)
    peers = [peer(u) for u in (operator, t1, t2, t3, d1)]
    ids = [a1.pk, a2.pk]
    got = events.audience(appointment_rows_visible_to, peers, ids)
    expected = {
        (p.user.pk, i)
        for p in peers
        for i in appointments_visible_to(p.user).filter(id__in=ids).values_list("id", flat=True)
    }
    assert got == expected
    assert (t3.pk, a2.pk) in got and (t1.pk, a2.pk) not in got


def test_a_create_then_updates_in_one_batch_is_one_create_and_a_delete_wins():
    rows = [
        ("I", {"id": 1, "s": "pending", "d": None}),
        ("U", {"id": 1}),  # a link row of the same booking
        ("U", {"id": 1, "s": "therapist_confirmed", "d": 5, "o": "pending", "od": None}),
        ("U", {"id": 2, "s": "in_progress", "d": None, "o": "driver_confirmed", "od": None}),
        ("D", {"id": 2, "s": "in_progress", "d": None}),
    ]
    changes = events._coalesce(rows)
    assert changes[1].op == "I" and changes[1].status == "therapist_confirmed" and changes[1].old_status == "pending"
    assert changes[2].op == "D"


def test_event_forms_follow_the_status_change():
    change = events.AppointmentChange("U", "driver_confirmed", "in_progress", 7, 7)
    item = {"status": "in_progress", "started_at": "2030-01-01T10:00:00+08:00"}
    (form,) = events._event_forms(10, change, item)
    assert json.loads(form) == {
        "type": "appointment_started",
        "appointment_id": 10,
        "started_at": "2030-01-01T10:00:00+08:00",
        "message": {"appointment_id": 10, "started_at": "2030-01-01T10:00:00+08:00"},
    }
    assert events._event_forms(10, events.AppointmentChange("U", "pending", "pending", None, None), item) == []


def test_the_listener_connects_to_djangos_database():
    with psycopg.connect(conninfo()) as conn:
        assert conn.info.dbname == connection.settings_dict["NAME"]


def test_a_check_in_notifies_the_record_id_and_its_person(listener, therapist):
    from scheduling.services import attendance

    listener()
    record = attendance.check_in(therapist)
    assert listener() == [{"k": "attendance", "op": "I", "rows": [{"id": record.pk, "u": therapist.pk}]}]


def test_an_attendance_change_goes_to_operators_and_the_person_as_rest_renders_it(
    listener, api_client, operator, make_therapist
):
    """The attendance_update push (scheduling/live/attendance.py): to every operator and the person, never to a
    colleague; the record as GET /api/attendance/records/{id}/ answers it; a deletion to the same people."""
    from scheduling.live import attendance as live_attendance  # registers its handler, as LIVE_EVENT_MODULES does
    from scheduling.services import attendance

    therapist, colleague = make_therapist(), make_therapist()
    peers = [peer(u) for u in (operator, therapist, colleague)]
    listener()
    from django.utils import timezone

    now = timezone.now()
    record = attendance.check_in(therapist, at=now - dt.timedelta(hours=1))
    sent = events.dispatch(listener(), peers)
    assert sorted(o.peer.user.pk for o in sent) == sorted([operator.pk, therapist.pk])
    rest = api_client(operator).get(f"/api/attendance/records/{record.pk}/").json()
    for outgoing in sent:
        assert json.loads(outgoing.text) == {
            "type": live_attendance.ATTENDANCE_EVENT,
            "action": "created",
            "record": rest,
        }
    attendance.check_out(therapist, at=now)
    (update, _) = events.dispatch(listener(), peers)
    assert json.loads(update.text)["action"] == "updated" and json.loads(update.text)["record"]["check_out_time"]
    record_id = record.pk
    record.delete()
    gone = events.dispatch(listener(), peers)
    assert sorted(o.peer.user.pk for o in gone) == sorted([operator.pk, therapist.pk])
    assert json.loads(gone[0].text) == {
        "type": "attendance_update",
        "action": "deleted",
        "record": {"id": record_id, "staff_member": {"id": therapist.pk}},
    }
