import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction

from scheduling.errors import Forbidden
from scheduling.models import Availability
from scheduling.services import availability as availability_services

SLOTS = "/api/scheduling/availabilities/"
DAY = dt.date(2030, 3, 1)
NEXT_DAY = DAY + dt.timedelta(days=1)


@pytest.fixture
def team(operator, make_therapist, make_driver):
    return {"operator": operator, "therapist": make_therapist(), "driver": make_driver()}


def slot(start: str, end: str, **extra) -> dict:
    return {"date": DAY.isoformat(), "start_time": start, "end_time": end, **extra}


def test_operator_lists_every_slot_as_a_plain_array(api_client, team, make_availability):
    make_availability(user=team["therapist"], date=DAY)
    make_availability(user=team["driver"], date=DAY)
    body = api_client(team["operator"]).get(SLOTS).json()
    assert isinstance(body, list) and len(body) == 2
    first = body[0]
    assert first["user_details"]["id"] == first["user"]
    assert "password" not in first["user_details"]


@pytest.mark.parametrize("role", ["therapist", "driver"])
def test_staff_see_only_their_own_slots(api_client, team, make_availability, role):
    mine = make_availability(user=team[role], date=DAY)
    other = "driver" if role == "therapist" else "therapist"
    theirs = make_availability(user=team[other], date=DAY)
    client = api_client(team[role])
    assert [s["id"] for s in client.get(SLOTS).json()] == [mine.pk]
    assert client.get(SLOTS, {"user": team[other].pk}).json() == []
    assert client.get(f"{SLOTS}{theirs.pk}/").status_code == 404
    assert client.patch(f"{SLOTS}{theirs.pk}/", {"is_available": False}).status_code == 404
    assert client.delete(f"{SLOTS}{theirs.pk}/").status_code == 404
    assert Availability.objects.filter(pk=theirs.pk, is_available=True).exists()


def test_slot_list_filters(api_client, team, make_availability):
    t = team["therapist"]
    a = make_availability(user=t, date=DAY)
    b = make_availability(user=t, date=DAY + dt.timedelta(days=3), is_available=False)
    c = make_availability(user=team["driver"], date=DAY + dt.timedelta(days=5))
    client = api_client(team["operator"])

    def ids(**params):
        return [s["id"] for s in client.get(SLOTS, params).json()]

    assert ids(user=t.pk) == [a.pk, b.pk]
    assert ids(date=DAY.isoformat()) == [a.pk]
    assert ids(date_after=(DAY + dt.timedelta(days=1)).isoformat()) == [b.pk, c.pk]
    assert ids(date_before=(DAY + dt.timedelta(days=3)).isoformat()) == [a.pk, b.pk]
    assert ids(is_available="false") == [b.pk]
    assert client.get(SLOTS, {"date": "not-a-date"}).status_code == 422


@pytest.mark.parametrize("size", [1, 30])
def test_slot_list_costs_two_queries_whatever_its_size(
    api_client, operator, make_therapist, make_availability, django_assert_num_queries, size
):
    for i in range(size):
        make_availability(user=make_therapist(), date=DAY + dt.timedelta(days=i % 3))
    client = api_client(operator)
    with django_assert_num_queries(2):
        response = client.get(SLOTS)
    assert len(response.json()) == size


def test_therapist_creates_their_own_slot_without_naming_themself(api_client, team):
    response = api_client(team["therapist"]).post(SLOTS, slot("13:00", "01:00"))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["user"] == team["therapist"].pk and body["crosses_midnight"] is True


def test_staff_cannot_create_a_slot_for_someone_else(api_client, team):
    response = api_client(team["driver"]).post(SLOTS, slot("08:00", "12:00", user=team["therapist"].pk))
    assert response.status_code == 403
    assert not Availability.objects.exists()


def test_operator_creates_a_slot_for_a_driver_and_must_name_them(api_client, team):
    client = api_client(team["operator"])
    assert client.post(SLOTS, slot("08:00", "12:00")).status_code == 400
    response = client.post(SLOTS, slot("08:00", "12:00", user=team["driver"].pk))
    assert response.status_code == 201
    assert client.post(SLOTS, slot("08:00", "12:00", user=999999)).status_code == 404


def test_operators_and_inactive_staff_get_no_slots(api_client, team, make_therapist):
    client = api_client(team["operator"])
    for_operator = client.post(SLOTS, slot("08:00", "12:00", user=team["operator"].pk))
    assert for_operator.status_code == 400 and "therapists and drivers" in for_operator.json()["detail"]
    retired = make_therapist(is_active=False)
    for_inactive = client.post(SLOTS, slot("08:00", "12:00", user=retired.pk))
    assert for_inactive.status_code == 400 and "deactivated" in for_inactive.json()["detail"]
    assert not Availability.objects.exists()


@pytest.mark.parametrize(
    "existing, new",
    [
        (("08:00", "12:00"), ("11:00", "13:00")),
        (("13:00", "01:00"), ("23:30", "00:30")),
        (("13:00", "01:00"), ("09:00", "14:00")),
        (("22:00", "02:00"), ("20:00", "23:00")),
    ],
)
def test_overlapping_slots_of_one_person_on_one_date_are_refused(api_client, team, existing, new):
    client = api_client(team["therapist"])
    assert client.post(SLOTS, slot(*existing)).status_code == 201
    response = client.post(SLOTS, slot(*new))
    assert response.status_code == 409
    assert "overlaps" in response.json()["detail"]
    assert Availability.objects.count() == 1


def test_a_slot_past_midnight_also_clashes_with_the_next_mornings_slot(api_client, team):
    client = api_client(team["therapist"])
    assert client.post(SLOTS, slot("22:00", "02:00")).status_code == 201
    next_morning = {"date": NEXT_DAY.isoformat(), "start_time": "01:00", "end_time": "05:00"}
    assert client.post(SLOTS, next_morning).status_code == 409
    later = {"date": NEXT_DAY.isoformat(), "start_time": "02:00", "end_time": "05:00"}
    assert client.post(SLOTS, later).status_code == 201


def test_back_to_back_slots_and_other_peoples_slots_do_not_clash(api_client, team):
    client = api_client(team["operator"])
    assert client.post(SLOTS, slot("08:00", "12:00", user=team["therapist"].pk)).status_code == 201
    assert client.post(SLOTS, slot("12:00", "16:00", user=team["therapist"].pk)).status_code == 201
    assert client.post(SLOTS, slot("08:00", "12:00", user=team["driver"].pk)).status_code == 201


def test_a_zero_length_or_malformed_slot_is_refused(api_client, team):
    client = api_client(team["therapist"])
    assert client.post(SLOTS, slot("10:00", "10:00")).status_code == 400
    assert client.post(SLOTS, slot("25:00", "10:00")).status_code == 422
    assert client.post(SLOTS, {"start_time": "10:00", "end_time": "11:00"}).status_code == 422
    assert not Availability.objects.exists()


def test_owner_edits_their_slot_and_edits_are_checked_for_overlap(api_client, team, make_availability):
    morning = make_availability(user=team["therapist"], date=DAY, start_time=dt.time(8), end_time=dt.time(12))
    make_availability(user=team["therapist"], date=DAY, start_time=dt.time(14), end_time=dt.time(18))
    client = api_client(team["therapist"])
    url = f"{SLOTS}{morning.pk}/"
    assert client.patch(url, {"end_time": "13:00"}).json()["end_time"] == "13:00:00"
    assert client.patch(url, {"end_time": "15:00"}).status_code == 409
    assert client.put(url, {"date": DAY.isoformat(), "start_time": "07:00", "end_time": "09:00"}).status_code == 200
    morning.refresh_from_db()
    assert (morning.start_time, morning.end_time) == (dt.time(7), dt.time(9))


def test_operator_edits_and_deletes_anyones_slot(api_client, team, make_availability):
    mine = make_availability(user=team["driver"], date=DAY)
    client = api_client(team["operator"])
    assert client.patch(f"{SLOTS}{mine.pk}/", {"is_available": False}).json()["is_available"] is False
    assert client.delete(f"{SLOTS}{mine.pk}/").status_code == 204
    assert not Availability.objects.exists()


def test_the_services_refuse_staff_writing_someone_elses_slot(team, make_availability):
    """The API already answers 404 (the slot is not visible); the service holds the rule on its own too."""
    theirs = make_availability(user=team["driver"], date=DAY)
    with pytest.raises(Forbidden):
        availability_services.update_slot(team["therapist"], theirs, {"is_available": False})
    with pytest.raises(Forbidden):
        availability_services.delete_slot(team["therapist"], theirs)
    assert Availability.objects.get(pk=theirs.pk).is_available is True


def test_a_slot_cannot_move_to_another_person(api_client, team, make_availability):
    mine = make_availability(user=team["driver"], date=DAY)
    response = api_client(team["operator"]).patch(f"{SLOTS}{mine.pk}/", {"user": team["therapist"].pk})
    assert response.status_code in (400, 422)


def test_bulk_create_reports_created_slots_and_per_slot_errors(api_client, team, make_availability):
    make_availability(user=team["therapist"], date=DAY, start_time=dt.time(6), end_time=dt.time(8))
    payload = {
        "date": DAY.isoformat(),
        "slots": [
            {"start_time": "08:00", "end_time": "12:00"},
            {"start_time": "07:00", "end_time": "09:00"},
            {"start_time": "11:00", "end_time": "13:00"},
            {"start_time": "14:00", "end_time": "14:00"},
            {"start_time": "22:00", "end_time": "02:00"},
        ],
    }
    response = api_client(team["therapist"]).post(SLOTS + "bulk_create/", payload)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert [(s["start_time"], s["end_time"]) for s in body["created"]] == [
        ("08:00:00", "12:00:00"),
        ("22:00:00", "02:00:00"),
    ]
    assert [e["index"] for e in body["errors"]] == [1, 2, 3]
    assert "overlaps" in body["errors"][0]["detail"]
    assert Availability.objects.filter(user=team["therapist"]).count() == 3


def test_bulk_create_with_nothing_created_is_400(api_client, team, make_availability):
    make_availability(user=team["driver"], date=DAY, start_time=dt.time(0), end_time=dt.time(23))
    payload = {
        "user": team["driver"].pk,
        "date": DAY.isoformat(),
        "slots": [{"start_time": "08:00", "end_time": "09:00"}],
    }
    response = api_client(team["operator"]).post(SLOTS + "bulk_create/", payload)
    assert response.status_code == 400
    assert response.json()["created"] == [] and len(response.json()["errors"]) == 1


def test_bulk_create_for_someone_else_is_refused_to_staff(api_client, team):
    payload = {
        "user": team["driver"].pk,
        "date": DAY.isoformat(),
        "slots": [{"start_time": "08:00", "end_time": "09:00"}],
    }
    assert api_client(team["therapist"]).post(SLOTS + "bulk_create/", payload).status_code == 403
    assert (
        api_client(team["therapist"]).post(SLOTS + "bulk_create/", {"date": DAY.isoformat(), "slots": []}).status_code
        == 422
    )
    assert not Availability.objects.exists()


def test_the_database_refuses_overlapping_slots_written_behind_the_api(team):
    Availability.objects.create(user=team["therapist"], date=DAY, start_time=dt.time(22), end_time=dt.time(2))
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        Availability.objects.create(user=team["therapist"], date=NEXT_DAY, start_time=dt.time(1), end_time=dt.time(3))
    assert caught.value.__cause__.diag.constraint_name == "availability_no_overlap"


def test_the_database_refuses_slots_for_operators_and_inactive_staff(team, make_driver):
    for user in (team["operator"], make_driver(is_active=False)):
        with pytest.raises(IntegrityError) as caught, transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO scheduling_availability (user_id, date, start_time, end_time, is_available, created_at,"
                " updated_at) VALUES (%s, %s, '08:00', '10:00', true, now(), now())",
                [user.pk, DAY],
            )
        assert caught.value.__cause__.diag.constraint_name == "availability_staff_only"


def test_when_two_writers_race_the_database_constraint_still_answers_409(api_client, team, monkeypatch):
    # Simulate the race: the Python pre-check sees nothing, as a concurrent writer would.
    monkeypatch.setattr("scheduling.services.availability.overlapping_slots", lambda *args, **kwargs: [])
    client = api_client(team["therapist"])
    assert client.post(SLOTS, slot("22:00", "02:00")).status_code == 201
    response = client.post(SLOTS, slot("23:00", "00:30"))
    assert response.status_code == 409
    assert response.json()["detail"] == "The slot overlaps another slot of the same person."
    assert Availability.objects.count() == 1
