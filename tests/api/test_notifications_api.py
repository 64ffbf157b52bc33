import datetime as dt

import pytest

from scheduling.models import Notification, NotificationType

URL = "/api/scheduling/notifications/"

ROLES = ["make_operator", "make_therapist", "make_driver"]


@pytest.fixture(params=ROLES)
def staff(request):
    """One user of each role in turn: every endpoint is checked for operators, therapists and drivers."""
    return request.getfixturevalue(request.param)()


def test_list_is_newest_first_in_the_standard_envelope_with_both_shapes(api_client, staff, make_notification):
    first = make_notification(user=staff, message="first")
    second = make_notification(user=staff, message="second", is_read=True)
    third = make_notification(user=staff, message="third")
    body = api_client(staff).get(URL).json()
    assert [n["id"] for n in body["results"]["notifications"]] == [third.id, second.id, first.id]
    assert body["results"]["unreadCount"] == 2
    assert body["notifications"] == body["results"]["notifications"]
    assert body["unreadCount"] == 2
    assert (body["count"], body["total_pages"], body["current_page"], body["page_size"]) == (3, 1, 1, 20)
    assert (body["next"], body["previous"], body["has_next"], body["has_previous"]) == (None, None, False, False)


def test_each_item_carries_ids_type_and_appointment_info(
    api_client, make_therapist, make_notification, make_appointment
):
    therapist = make_therapist()
    appointment = make_appointment(therapist=therapist, date=dt.date(2031, 5, 4))
    with_appointment = make_notification(
        user=therapist, appointment=appointment, notification_type=NotificationType.APPOINTMENT_CREATED
    )
    without = make_notification(user=therapist)
    items = {n["id"]: n for n in api_client(therapist).get(URL).json()["notifications"]}
    item = items[with_appointment.id]
    assert item["notification_type"] == item["type"] == "appointment_created"
    assert item["appointment"] == appointment.id
    assert item["rejection"] is None
    assert item["appointment_info"] == {"id": appointment.id, "date": "2031-05-04", "status": "pending"}
    assert item["is_read"] is False
    assert item["message"] == with_appointment.message
    assert item["created_at"]
    assert items[without.id]["appointment_info"] is None
    assert items[without.id]["appointment"] is None


def test_list_shows_only_the_callers_own_notifications(api_client, staff, make_operator, make_notification):
    mine = make_notification(user=staff)
    make_notification(user=make_operator())
    body = api_client(staff).get(URL).json()
    assert [n["id"] for n in body["notifications"]] == [mine.id]
    assert body["count"] == 1


def test_list_filters_by_is_read_and_type(api_client, operator, make_notification):
    unread_system = make_notification(user=operator)
    read_system = make_notification(user=operator, is_read=True)
    unread_created = make_notification(user=operator, notification_type=NotificationType.APPOINTMENT_CREATED)
    client = api_client(operator)

    def ids(query: str) -> tuple[list[int], int, int]:
        body = client.get(URL + query).json()
        return [n["id"] for n in body["notifications"]], body["count"], body["unreadCount"]

    assert ids("?is_read=false") == ([unread_created.id, unread_system.id], 2, 2)
    assert ids("?is_read=true") == ([read_system.id], 1, 2)
    assert ids("?notification_type=system") == ([read_system.id, unread_system.id], 2, 2)
    assert ids("?notification_type=system&is_read=false") == ([unread_system.id], 1, 2)
    assert ids("?notification_type=payment_verified") == ([], 0, 2)


@pytest.mark.parametrize(
    "query", ["?is_read=maybe", "?notification_type=nonsense", "?page=0", "?page_size=0", "?page=abc"]
)
def test_bad_filter_or_page_values_are_a_clear_4xx(api_client, operator, make_notification, query):
    make_notification(user=operator)
    response = api_client(operator).get(URL + query)
    assert response.status_code == 422
    assert response.json()["detail"].startswith("Invalid input.")


def test_a_page_past_the_last_is_404_and_pages_link_to_each_other(api_client, operator, make_notification):
    for _ in range(5):
        make_notification(user=operator)
    client = api_client(operator)
    body = client.get(URL + "?page=2&page_size=2").json()
    assert (body["count"], body["total_pages"], body["has_next"], body["has_previous"]) == (5, 3, True, True)
    assert "page=3" in body["next"] and "page=1" in body["previous"]
    assert len(body["notifications"]) == 2
    assert client.get(URL + "?page=4&page_size=2").status_code == 404


def test_empty_list_has_zero_counts(api_client, driver):
    body = api_client(driver).get(URL).json()
    assert body["count"] == 0 and body["notifications"] == [] and body["unreadCount"] == 0


def test_unread_count_reads_the_counter_and_is_zero_without_notifications(api_client, staff, make_notification):
    client = api_client(staff)
    assert client.get(URL + "unread_count/").json() == {"unread": 0, "total": 0}
    make_notification(user=staff)
    make_notification(user=staff, is_read=True)
    assert client.get(URL + "unread_count/").json() == {"unread": 1, "total": 2}


@pytest.mark.parametrize("action", ["mark_as_read", "mark_as_unread", "mark-unread"])
def test_marking_one_notification_read_or_unread(api_client, staff, make_notification, action):
    target_read = action == "mark_as_read"
    notification = make_notification(user=staff, is_read=not target_read)
    client = api_client(staff)
    response = client.post(f"{URL}{notification.id}/{action}/")
    assert response.status_code == 200
    assert response.json()["id"] == notification.id
    assert response.json()["is_read"] is target_read
    notification.refresh_from_db()
    assert notification.is_read is target_read
    assert client.get(URL + "unread_count/").json() == {"unread": 0 if target_read else 1, "total": 1}
    # Repeating it changes nothing.
    assert client.post(f"{URL}{notification.id}/{action}/").json()["is_read"] is target_read
    assert client.get(URL + "unread_count/").json() == {"unread": 0 if target_read else 1, "total": 1}


@pytest.mark.parametrize(
    ("method", "suffix"),
    [
        ("get", ""),
        ("delete", ""),
        ("post", "mark_as_read/"),
        ("post", "mark_as_unread/"),
        ("post", "mark-unread/"),
    ],
)
def test_another_users_notification_is_404_and_untouched(
    api_client, staff, make_operator, make_notification, method, suffix
):
    other = make_notification(user=make_operator(), is_read=False)
    response = getattr(api_client(staff), method)(f"{URL}{other.id}/{suffix}")
    assert response.status_code == 404
    assert response.json() == {"detail": "Notification not found."}
    other.refresh_from_db()
    assert other.is_read is False


def test_an_id_beyond_bigint_is_404_not_500(api_client, operator):
    assert api_client(operator).post(f"{URL}{10**30}/mark_as_read/").status_code == 404


def test_mark_all_as_read_changes_only_the_callers_unread(api_client, staff, make_operator, make_notification):
    for _ in range(3):
        make_notification(user=staff)
    make_notification(user=staff, is_read=True)
    someone_else = make_notification(user=make_operator())
    client = api_client(staff)
    response = client.post(URL + "mark_all_as_read/")
    assert response.status_code == 200
    assert response.json()["count"] == 3
    assert client.get(URL + "unread_count/").json() == {"unread": 0, "total": 4}
    someone_else.refresh_from_db()
    assert someone_else.is_read is False
    assert client.post(URL + "mark_all_as_read/").json()["count"] == 0


@pytest.mark.parametrize("method", ["post", "delete"])
def test_delete_read_keeps_unread_and_others(api_client, staff, make_operator, make_notification, method):
    unread = make_notification(user=staff)
    make_notification(user=staff, is_read=True)
    make_notification(user=staff, is_read=True)
    others = make_notification(user=make_operator(), is_read=True)
    client = api_client(staff)
    assert getattr(client, method)(URL + "delete_read/").json()["count"] == 2
    assert list(Notification.objects.filter(user=staff).values_list("id", flat=True)) == [unread.id]
    assert Notification.objects.filter(pk=others.pk).exists()
    assert client.get(URL + "unread_count/").json() == {"unread": 1, "total": 1}


def test_delete_all_and_delete_one(api_client, staff, make_operator, make_notification):
    one = make_notification(user=staff)
    make_notification(user=staff, is_read=True)
    make_notification(user=staff)
    others = make_notification(user=make_operator())
    client = api_client(staff)
    assert client.delete(f"{URL}{one.id}/").status_code == 204
    assert client.delete(f"{URL}{one.id}/").status_code == 404
    assert client.get(URL + "unread_count/").json() == {"unread": 1, "total": 2}
    assert client.post(URL + "delete_all/").json()["count"] == 2
    assert client.get(URL + "unread_count/").json() == {"unread": 0, "total": 0}
    assert Notification.objects.filter(pk=others.pk).exists()


def test_anonymous_callers_get_401(api_client):
    assert api_client().get(URL).status_code == 401
    assert api_client().get(URL + "unread_count/").status_code == 401
    assert api_client().post(URL + "mark_all_as_read/").status_code == 401


def _fill(user, count: int, make_notification, make_appointment) -> None:
    for i in range(count):
        appointment = make_appointment() if i % 2 == 0 else None
        make_notification(user=user, appointment=appointment, is_read=i % 3 == 1)


@pytest.mark.parametrize("size", [2, 30])
@pytest.mark.parametrize(
    "query", ["", "?page_size=200", "?is_read=false", "?is_read=true", "?notification_type=system&is_read=false"]
)
def test_list_costs_two_queries_at_any_size(
    api_client, staff, make_notification, make_appointment, django_assert_num_queries, size, query
):
    _fill(staff, size, make_notification, make_appointment)
    client = api_client(staff)
    with django_assert_num_queries(2):  # authentication, then counts and the page in one statement
        response = client.get(URL + query)
    assert response.status_code == 200
    assert response.json()["count"] > 0


@pytest.mark.parametrize("size", [1, 30])
def test_unread_count_costs_two_queries(
    api_client, staff, make_notification, make_appointment, django_assert_num_queries, size
):
    _fill(staff, size, make_notification, make_appointment)
    client = api_client(staff)
    with django_assert_num_queries(2):
        assert client.get(URL + "unread_count/").status_code == 200


@pytest.mark.parametrize("size", [1, 30])
def test_bulk_actions_cost_a_fixed_number_of_queries(
    api_client, staff, make_notification, make_appointment, django_assert_num_queries, size
):
    _fill(staff, size, make_notification, make_appointment)
    client = api_client(staff)
    with django_assert_num_queries(2):
        assert client.post(URL + "mark_all_as_read/").status_code == 200
    with django_assert_num_queries(2):
        assert client.post(URL + "delete_read/").status_code == 200
    _fill(staff, size, make_notification, make_appointment)
    with django_assert_num_queries(2):
        assert client.post(URL + "delete_all/").json()["count"] == size
