"""The (date, status) counter table: kept exact by statement-level triggers, read by status_counts/."""

import datetime as dt

from django.db import connection
from django.db.models import Count

from scheduling.models import Appointment, AppointmentStatusCount

URL = "/api/scheduling/appointments/status_counts/"
DAY = dt.date.today() + dt.timedelta(days=1)


def counters() -> dict:
    return {(c.date, c.status): c.count for c in AppointmentStatusCount.objects.all() if c.count}


def recount() -> dict:
    rows = Appointment.objects.values("date", "status").annotate(n=Count("id"))
    return {(r["date"], r["status"]): r["n"] for r in rows}


def test_counters_follow_inserts_updates_and_deletes(make_appointment):
    a = make_appointment(date=DAY)
    b = make_appointment(date=DAY)
    make_appointment(date=DAY + dt.timedelta(days=1), status="completed")
    assert counters() == recount()
    Appointment.objects.filter(id=a.id).update(status="therapist_confirmed")
    assert counters()[(DAY, "therapist_confirmed")] == 1
    assert counters()[(DAY, "pending")] == 1
    b.delete()
    assert counters() == recount()
    Appointment.objects.filter(id=a.id).update(date=DAY + dt.timedelta(days=5))
    assert counters() == recount()


def test_a_bulk_update_touches_each_counter_row_once(make_appointment, make_therapist):
    for hour in range(8, 18):
        make_appointment(date=DAY, start_time=dt.time(hour), end_time=dt.time(hour, 30))
    with connection.cursor() as cursor:
        cursor.execute("UPDATE scheduling_appointment SET status = 'cancelled' WHERE date = %s", [DAY])
    assert counters() == {(DAY, "cancelled"): 10}
    assert counters() == recount()


def test_operator_status_counts_read_the_counter_table(
    api_client, operator, make_appointment, django_assert_num_queries
):
    make_appointment(date=DAY)
    make_appointment(date=DAY, status="completed")
    make_appointment(date=DAY + dt.timedelta(days=1), status="completed")
    client = api_client(operator)
    with django_assert_num_queries(2):
        body = client.get(URL).json()
    assert body["source"] == "counter_table"
    assert body["counts"]["pending"] == 1 and body["counts"]["completed"] == 2
    assert body["counts"]["journey"] == 0
    assert body["total"] == 3
    day = client.get(URL, {"date": str(DAY + dt.timedelta(days=1))}).json()
    assert day["counts"]["completed"] == 1 and day["total"] == 1
    assert client.get(URL, {"date": "tomorrow"}).status_code == 422


def test_a_therapist_counts_only_their_own(api_client, make_therapist, make_appointment, django_assert_num_queries):
    me = make_therapist()
    make_appointment(therapist=me, date=DAY)
    make_appointment(date=DAY)
    client = api_client(me)
    with django_assert_num_queries(2):
        body = client.get(URL).json()
    assert body["source"] == "live_count"
    assert body["total"] == 1 and body["counts"]["pending"] == 1


def test_an_operators_list_count_from_the_counters_matches_the_rows(api_client, operator, make_appointment):
    for i, status in enumerate(["pending", "pending", "completed", "cancelled", "rejected"]):
        make_appointment(date=DAY + dt.timedelta(days=i % 2), status=status)
    client = api_client(operator)
    for params in [
        {},
        {"status": "pending"},
        {"status__in": "pending,cancelled"},
        {"date": str(DAY)},
        {"date_after": str(DAY + dt.timedelta(days=1)), "status__in": "pending,completed,rejected"},
    ]:
        body = client.get("/api/scheduling/appointments/", {**params, "page_size": 200}).json()
        assert body["count"] == len(body["results"]), params
    assert client.get("/api/scheduling/appointments/pending/").json()["count"] == 2
    assert client.get("/api/scheduling/appointments/rejected/", {"status": "pending"}).json()["count"] == 0
