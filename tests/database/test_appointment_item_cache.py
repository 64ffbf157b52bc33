"""appointment_item_cache stays equal to the view appointment_items after every kind of change."""

import datetime as dt
from io import StringIO

import pgtrigger
import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from scheduling.models import (
    AppointmentItemCache,
    AppointmentRejection,
    AppointmentStatusCount,
    AppointmentTherapist,
    Client,
    Service,
    User,
)
from scheduling.services.appointment_caches import PROTECT_TRIGGERS

URL = "/api/scheduling/appointments/"


def stale_items() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM appointment_items AS i FULL JOIN appointment_item_cache AS c USING (appointment_id) "
            "WHERE i.item::text IS DISTINCT FROM c.item::text"
        )
        return cursor.fetchone()[0]


def test_the_cache_follows_every_table_the_json_draws_on(make_appointment, make_therapist, make_service, operator):
    appointment = make_appointment(operator=operator)
    other = make_appointment(start_time=dt.time(14), end_time=dt.time(15))
    assert stale_items() == 0
    appointment.services.add(make_service(name="Foot"))
    AppointmentTherapist.objects.create(appointment=appointment, therapist=make_therapist())
    AppointmentRejection.objects.create(appointment=appointment, reason="x", rejected_by=appointment.therapist)
    Client.objects.filter(id=appointment.client_id).update(first_name="Renamed")
    User.objects.filter(id=appointment.therapist_id).update(last_name="Newname")
    Service.objects.filter(name="Shiatsu").update(price="999.00")
    appointment.services.remove(*appointment.services.all()[:1])
    AppointmentTherapist.objects.filter(appointment=appointment).delete()
    other.delete()
    assert stale_items() == 0


def test_renaming_a_therapist_shows_in_the_list(api_client, operator, make_appointment):
    appointment = make_appointment()
    User.objects.filter(id=appointment.therapist_id).update(first_name="Zelda")
    item = api_client(operator).get(f"{URL}{appointment.id}/").json()
    assert item["therapist_details"]["first_name"] == "Zelda"


def test_a_login_does_not_rewrite_a_therapists_appointments(make_appointment, django_assert_num_queries):
    appointment = make_appointment()
    with connection.cursor() as cursor:
        cursor.execute("SELECT xmin::text FROM appointment_item_cache WHERE appointment_id = %s", [appointment.id])
        before = cursor.fetchone()[0]
        User.objects.filter(id=appointment.therapist_id).update(last_login=dt.datetime.now(dt.UTC))
        cursor.execute("SELECT xmin::text FROM appointment_item_cache WHERE appointment_id = %s", [appointment.id])
        assert cursor.fetchone()[0] == before


def test_the_verify_command_finds_and_fixes_drift(make_appointment):
    appointment = make_appointment()
    call_command("verify_appointment_caches", stdout=StringIO())
    with pgtrigger.ignore(*PROTECT_TRIGGERS), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE appointment_item_cache SET item = '{}'")
        cursor.execute("UPDATE scheduling_appointmentstatuscount SET count = count + 5")
    out = StringIO()
    with pytest.raises(CommandError, match="2 cached appointment rows differed"):
        call_command("verify_appointment_caches", stdout=out)
    assert f"appointment {appointment.id}: cached item stale" in out.getvalue()
    assert f"{appointment.date:%Y-%m-%d} {appointment.status}: counter 6, recount 1" in out.getvalue()
    # --fix repairs, and still exits non-zero so a scheduled run reports that drift happened
    with pytest.raises(CommandError, match="repaired"):
        call_command("verify_appointment_caches", fix=True, stdout=StringIO())
    call_command("verify_appointment_caches", stdout=StringIO())


def test_direct_writes_to_the_item_cache_and_the_status_counts_are_refused(make_appointment):
    appointment = make_appointment()
    statements = {
        "item cache update": lambda: AppointmentItemCache.objects.update(item="{}"),
        "item cache delete": lambda: AppointmentItemCache.objects.all().delete(),
        "item cache insert": lambda: AppointmentItemCache.objects.bulk_create(
            [AppointmentItemCache(appointment_id=appointment.id + 1000, item="{}")]
        ),
        "count update": lambda: AppointmentStatusCount.objects.update(count=99),
        "count delete": lambda: AppointmentStatusCount.objects.all().delete(),
        "count insert": lambda: AppointmentStatusCount.objects.create(date=appointment.date, status="x", count=1),
    }
    for label, statement in statements.items():
        with pytest.raises(DatabaseError, match="Cannot insert or update or delete"), transaction.atomic():
            statement()
            pytest.fail(f"{label} was allowed")
    assert stale_items() == 0
    assert AppointmentStatusCount.objects.get(date=appointment.date, status=appointment.status).count == 1


def test_the_refresh_function_keeps_generic_plans(db):
    """Without them PostgreSQL planned every statement of refresh_appointment_items on every call (about 0.9 ms of
    each appointment write); the setting comes from sql_views/appointment_item_cache.sql and migration 0020."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT proconfig FROM pg_proc WHERE proname = 'refresh_appointment_items'"
            " AND pg_get_function_identity_arguments(oid) = 'ids bigint[], lock_shown boolean'"
        )
        (config,) = cursor.fetchone()
    assert "plan_cache_mode=force_generic_plan" in config and "TimeZone=UTC" in config
