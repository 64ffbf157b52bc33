"""Conditional GETs (api/conditional.py): ETag on every list and count, 304 after one query while nothing changed,
200 with the new body after any change the list would show, and never another user's stale 304."""

import datetime as dt
import re

import pytest
from django.db import connection

from api.api import api
from api.conditional import CACHE_CONTROL, NOT_CONDITIONAL, scopes_for
from scheduling.models import Appointment, Client, Notification, Service, User

A = "/api/scheduling/appointments/"
N = "/api/scheduling/notifications/"
DAY = dt.date.today() + dt.timedelta(days=2)


def poll(client, path, tag):
    """A browser's revalidation: the same GET with the tag it holds."""
    return client.get(path, HTTP_IF_NONE_MATCH=tag)


def first(client, path):
    response = client.get(path)
    assert response.status_code == 200, response.content
    assert response["Cache-Control"] == CACHE_CONTROL
    assert re.fullmatch(r'"[0-9a-f]{32}"', response["ETag"])
    return response


def assert_304(client, path, tag, django_assert_num_queries):
    with django_assert_num_queries(1):  # the token lookup, which reads the data version too
        response = poll(client, path, tag)
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == tag
    assert response["Cache-Control"] == CACHE_CONTROL
    return response


def assert_changed(client, path, tag):
    response = poll(client, path, tag)
    assert response.status_code == 200
    assert response["ETag"] != tag
    return response


@pytest.fixture
def booked(make_appointment, make_therapist, make_client):
    therapist = make_therapist()
    client = make_client(first_name="Ana", last_name="Reyes")
    appointment = make_appointment(therapist=therapist, client=client, date=DAY)
    return appointment


GET_LISTS = [
    A,
    f"{A}?page_size=5&ordering=-date",
    f"{A}pending/",
    f"{A}today/",
    f"{A}upcoming/",
    f"{A}by_week/?week_start={DAY.isoformat()}",
    f"{A}status_counts/",
    N,
    f"{N}unread_count/",
    "/api/scheduling/staff/",
    "/api/scheduling/staff/active_staff/",
    "/api/scheduling/clients/",
    "/api/scheduling/services/",
    "/api/scheduling/availabilities/",
    f"/api/scheduling/available_therapists/?date={DAY}&start_time=10:00&end_time=11:00",
    "/api/scheduling/reports/revenue/",
    "/api/scheduling/reports/funnel/",
]


@pytest.mark.parametrize("path", GET_LISTS)
def test_an_unchanged_list_is_a_304_after_one_query(api_client, operator, booked, path, django_assert_num_queries):
    client = api_client(operator)
    tag = first(client, path)["ETag"]
    assert_304(client, path, tag, django_assert_num_queries)
    assert client.get(path)["ETag"] == tag, "the tag is stable while nothing changes"


def test_a_200_costs_no_query_more_than_without_a_tag(api_client, operator, booked, django_assert_num_queries):
    client = api_client(operator)
    with django_assert_num_queries(2):  # the token and version lookup, the page (count and rows in one)
        client.get(A)
    with django_assert_num_queries(2):
        poll(client, A, '"stale"')


def test_the_tag_differs_per_query_string(api_client, operator, booked):
    client = api_client(operator)
    assert first(client, A)["ETag"] != first(client, f"{A}?page_size=5")["ETag"]


def test_a_booking_changes_the_list(api_client, operator, booked, make_client, make_service):
    client = api_client(operator)
    tag = first(client, A)["ETag"]
    body = {
        "client": make_client().id,
        "services": [make_service(name="Foot").id],
        "therapist": booked.therapist_id,
        "date": (DAY + dt.timedelta(days=1)).isoformat(),
        "start_time": "15:00",
        "location": "1 Test St",
    }
    assert client.post(A, body).status_code == 201
    response = assert_changed(client, A, tag)
    assert response.json()["count"] == 2


def test_a_status_change_changes_the_list_and_the_counts(api_client, operator, booked):
    therapist = User.objects.get(pk=booked.therapist_id)
    client, staff = api_client(operator), api_client(therapist)
    tags = {path: first(client, path)["ETag"] for path in (A, f"{A}status_counts/", f"{A}pending/")}
    mine = first(staff, A)["ETag"]
    assert staff.post(f"{A}{booked.id}/therapist_confirm/").status_code == 200
    for path, tag in tags.items():
        assert_changed(client, path, tag)
    assert assert_changed(staff, A, mine).json()["results"][0]["status"] == "therapist_confirmed"


def test_a_notification_changes_that_users_notification_lists(api_client, therapist, make_notification):
    client = api_client(therapist)
    tags = {path: first(client, path)["ETag"] for path in (N, f"{N}unread_count/")}
    make_notification(user=therapist, message="new")
    for path, tag in tags.items():
        assert_changed(client, path, tag)
    assert client.get(f"{N}unread_count/").json()["unread"] == 1


def test_marking_read_changes_the_list_even_when_the_counts_look_the_same(
    api_client, therapist, make_notification, django_assert_num_queries
):
    a, b = make_notification(user=therapist), make_notification(user=therapist, is_read=True)
    client = api_client(therapist)
    tag = first(client, N)["ETag"]
    Notification.objects.filter(pk=a.pk).update(is_read=True)
    Notification.objects.filter(pk=b.pk).update(is_read=False)  # unread 1 of 2, as before
    assert_changed(client, N, tag)


def test_editing_a_clients_name_changes_the_appointment_list(api_client, operator, booked):
    client = api_client(operator)
    tag = first(client, A)["ETag"]
    clients_tag = first(client, "/api/scheduling/clients/")["ETag"]
    assert client.patch(f"/api/scheduling/clients/{booked.client_id}/", {"first_name": "Anabel"}).status_code == 200
    body = assert_changed(client, A, tag).json()
    assert body["results"][0]["client_details"]["first_name"] == "Anabel"
    assert_changed(client, "/api/scheduling/clients/", clients_tag)


def test_a_service_price_change_changes_services_appointments_and_reports(api_client, operator, booked):
    client = api_client(operator)
    paths = (A, "/api/scheduling/services/", "/api/scheduling/reports/service_popularity/")
    tags = {path: first(client, path)["ETag"] for path in paths}
    service = booked.services.get()
    assert client.patch(f"/api/scheduling/services/{service.id}/", {"price": "999.00"}).status_code == 200
    for path, tag in tags.items():
        assert_changed(client, path, tag)
    assert client.get(A).json()["results"][0]["total_price"] in ("999.00", 999, "999")


def test_a_staff_edit_changes_the_staff_lists_but_a_login_does_not(
    api_client, operator, therapist, django_assert_num_queries
):
    client = api_client(operator)
    tag = first(client, "/api/scheduling/staff/")["ETag"]
    User.objects.filter(pk=therapist.pk).update(last_login=dt.datetime.now(dt.UTC))
    assert_304(client, "/api/scheduling/staff/", tag, django_assert_num_queries)
    User.objects.filter(pk=therapist.pk).update(first_name="Renamed")
    assert_changed(client, "/api/scheduling/staff/", tag)


def test_an_availability_slot_changes_the_availability_lists(api_client, operator, therapist, make_availability):
    client = api_client(operator)
    path = f"/api/scheduling/available_therapists/?date={DAY}&start_time=10:00&end_time=11:00"
    tags = {p: first(client, p)["ETag"] for p in (path, "/api/scheduling/availabilities/")}
    make_availability(user=therapist, date=DAY, start_time=dt.time(8), end_time=dt.time(18))
    for p, tag in tags.items():
        assert_changed(client, p, tag)


def test_one_users_tag_is_never_a_304_for_another(api_client, make_therapist, make_notification):
    ann, bob = make_therapist(), make_therapist()
    make_notification(user=ann)
    make_notification(user=bob)
    ann_client, bob_client = api_client(ann), api_client(bob)
    ann_tag = first(ann_client, N)["ETag"]
    assert poll(bob_client, N, ann_tag).status_code == 200


def test_another_users_change_never_leaves_a_stale_304(api_client, make_therapist, make_notification, operator):
    ann, bob = make_therapist(), make_therapist()
    ann_client = api_client(ann)
    ann_tag = first(ann_client, N)["ETag"]
    make_notification(user=bob)  # Bob's lists move; Ann's is unchanged and may stay a 304
    assert poll(ann_client, N, ann_tag).status_code == 304
    make_notification(user=ann)
    assert poll(ann_client, N, ann_tag).status_code == 200


def test_an_operators_edit_of_a_therapists_appointment_reaches_the_therapist(api_client, operator, booked):
    therapist = User.objects.get(pk=booked.therapist_id)
    staff = api_client(therapist)
    tag = first(staff, A)["ETag"]
    Appointment.objects.filter(pk=booked.pk).update(location="2 Other St")
    assert assert_changed(staff, A, tag).json()["results"][0]["location"] == "2 Other St"


def test_a_client_statement_cannot_move_a_version_by_hand(booked):
    from django.db import DatabaseError, transaction

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE scheduling_dataversion SET version = 0")


def test_without_a_valid_token_the_answer_is_401_not_304(api_client, operator, booked):
    client = api_client(operator)
    tag = first(client, A)["ETag"]
    anonymous = api_client()
    assert anonymous.get(A, HTTP_IF_NONE_MATCH=tag).status_code == 401
    assert api_client(token="not-a-token").get(A, HTTP_IF_NONE_MATCH=tag).status_code == 401


def test_writes_and_errors_carry_no_tag(api_client, operator, booked):
    client = api_client(operator)
    assert "ETag" not in client.get(f"{A}?ordering=nonsense")
    assert "ETag" not in client.post(f"{A}{booked.id}/cancel/", {"reason": "test"})
    assert "ETag" not in client.get(f"{A}987654/")


def test_a_wildcard_or_weak_tag_matches(api_client, operator, booked):
    client = api_client(operator)
    tag = first(client, A)["ETag"]
    assert poll(client, A, f"W/{tag}").status_code == 304
    assert poll(client, A, f'"other", {tag}').status_code == 304
    assert poll(client, A, "*").status_code == 304


def _get_routes() -> list[str]:
    schema = api.get_openapi_schema()
    return [path for path, ops in schema["paths"].items() if "get" in ops]


def test_every_get_route_is_conditional_or_named_as_not():
    unclassified = []
    for route in _get_routes():
        concrete = re.sub(r"\{[^}]+\}", "1", route)
        if route not in NOT_CONDITIONAL and scopes_for(concrete) is None:
            unclassified.append(route)
    assert unclassified == [], "classify these in api/conditional.py (ROUTES or NOT_CONDITIONAL)"


def test_every_table_a_list_shows_moves_a_version():
    # The versions ride on these tables' triggers; one without them would give stale 304s.
    from scheduling.models import AppointmentItemCache, Availability

    for model in (AppointmentItemCache, Availability, Client, Notification, Service, User):
        names = [t.name for t in model._meta.triggers]
        assert any(name.endswith("_version_upd") for name in names), model
