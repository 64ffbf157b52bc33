"""Per-status totals over all dates: kept by the status-count triggers, read by the operator's unfiltered count."""

import datetime as dt
import random

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.db.models import Count, Sum

from scheduling.models import Appointment, AppointmentStatusTotal
from scheduling.models.rollups import TOTAL_SHARDS

URL = "/api/scheduling/appointments/"
DAY = dt.date.today() + dt.timedelta(days=1)


def totals() -> dict:
    rows = AppointmentStatusTotal.objects.values("status").annotate(n=Sum("count"))
    return {r["status"]: r["n"] for r in rows if r["n"]}


def recount() -> dict:
    return {r["status"]: r["n"] for r in Appointment.objects.values("status").annotate(n=Count("id"))}


def test_totals_equal_a_recount_after_randomized_writes(make_appointment):
    rng = random.Random(16)
    ids = [
        make_appointment(
            date=DAY + dt.timedelta(days=i % 9), start_time=dt.time(8 + i % 10), end_time=dt.time(8 + i % 10, 30)
        ).id
        for i in range(30)
    ]
    for _ in range(40):
        op = rng.choice(["confirm", "cancel_day", "delete", "move", "insert"])
        with connection.cursor() as cursor:
            if op == "confirm":
                cursor.execute(
                    "UPDATE scheduling_appointment SET status = 'therapist_confirmed' "
                    "WHERE id = ANY(%s) AND status = 'pending'",
                    [rng.sample(ids, 5)],
                )
            elif op == "cancel_day":
                cursor.execute(
                    "UPDATE scheduling_appointment SET status = 'cancelled' "
                    "WHERE date = %s AND status IN ('pending', 'therapist_confirmed')",
                    [DAY + dt.timedelta(days=rng.randrange(9))],
                )
            elif op == "delete":
                victim = rng.choice(ids)
                Appointment.objects.filter(id=victim).delete()
            elif op == "move":
                cursor.execute(
                    "UPDATE scheduling_appointment SET date = date + 30 WHERE id = ANY(%s)", [rng.sample(ids, 3)]
                )
            else:
                ids.append(make_appointment(date=DAY + dt.timedelta(days=40 + len(ids))).id)
        assert totals() == recount()
    assert AppointmentStatusTotal.objects.filter(shard__gte=TOTAL_SHARDS).count() == 0


def test_a_client_statement_cannot_write_the_totals(make_appointment):
    make_appointment()
    with pytest.raises(DatabaseError), transaction.atomic():
        AppointmentStatusTotal.objects.update(count=0)


def test_the_operators_unfiltered_count_reads_the_totals(
    api_client, operator, make_appointment, django_assert_num_queries
):
    for i in range(3):
        make_appointment(date=DAY + dt.timedelta(days=i * 100))
    make_appointment(date=DAY, start_time=dt.time(15), end_time=dt.time(16), status="completed")
    client = api_client(operator)
    page_queries: list[str] = []
    with django_assert_num_queries(2), connection.execute_wrapper(_expect_totals_table(page_queries)):
        body = client.get(URL).json()
    assert len(page_queries) == 1
    assert body["count"] == 4
    assert client.get(f"{URL}pending/").json()["count"] == 3
    counts = client.get(f"{URL}status_counts/").json()
    assert counts["counts"]["pending"] == 3 and counts["total"] == 4


def _expect_totals_table(seen: list[str]):
    def wrapper(execute, sql, params, many, context):
        if "appointment_list_rows" in sql:
            assert "scheduling_appointmentstatustotal" in sql
            assert "scheduling_appointmentstatuscount" not in sql
            seen.append(sql)
        return execute(sql, params, many, context)

    return wrapper


def test_the_verify_command_checks_and_repairs_the_totals(make_appointment):
    make_appointment()
    call_command("verify_appointment_caches")
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE scheduling_appointmentstatustotal DISABLE TRIGGER USER")
        cursor.execute("UPDATE scheduling_appointmentstatustotal SET count = count + 3")
        cursor.execute("ALTER TABLE scheduling_appointmentstatustotal ENABLE TRIGGER USER")
    with pytest.raises(CommandError):
        call_command("verify_appointment_caches")
    with pytest.raises(CommandError, match="repaired"):  # --fix still exits non-zero: something had drifted
        call_command("verify_appointment_caches", fix=True)
    call_command("verify_appointment_caches")
    assert totals() == recount()


def test_status_counts_sum_a_status_over_its_shards_even_when_one_shard_is_negative(
    api_client, operator, make_appointment
):
    """A status step taken by another backend takes the appointment off a shard that never counted it: that shard
    goes negative while the booking's shard stays positive. Only their sum is the status's count."""
    make_appointment(status="completed")
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE scheduling_appointmentstatustotal DISABLE TRIGGER USER")
        cursor.execute(
            "INSERT INTO scheduling_appointmentstatustotal (status, shard, count) VALUES ('pending', %s, 1), "
            "('pending', %s, -1) ON CONFLICT (status, shard) DO UPDATE SET count = EXCLUDED.count",
            [TOTAL_SHARDS - 2, TOTAL_SHARDS - 1],
        )
        cursor.execute("ALTER TABLE scheduling_appointmentstatustotal ENABLE TRIGGER USER")
    assert totals() == recount() == {"completed": 1}
    counts = api_client(operator).get(f"{URL}status_counts/").json()
    assert counts["counts"]["pending"] == 0 and counts["counts"]["completed"] == 1 and counts["total"] == 1
