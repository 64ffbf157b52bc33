import pytest

from scheduling.models import Client

CLIENTS = "/api/scheduling/clients/"
NEW = {"first_name": "Rosa", "last_name": "Lim", "phone_number": "+63 917 555 0101", "email": "rosa@example.com"}


@pytest.fixture
def people(operator, make_therapist, make_driver):
    return {"operator": operator, "therapist": make_therapist(), "driver": make_driver()}


@pytest.mark.parametrize("role", ["operator", "therapist", "driver"])
def test_every_role_reads_the_paginated_client_list(api_client, people, make_client, role):
    make_client(last_name="Bautista")
    make_client(last_name="Aquino")
    body = api_client(people[role]).get(CLIENTS).json()
    assert body["count"] == 2 and body["total_pages"] == 1
    assert [c["last_name"] for c in body["results"]] == ["Aquino", "Bautista"]


def test_client_search_covers_names_phone_email_and_address(api_client, people, make_client):
    rosa = make_client(
        first_name="Rosa",
        last_name="Lim",
        phone_number="+639170001111",
        email="rl@mail.ph",
        address="12 Mabini St, Makati",
    )
    make_client(
        first_name="Ben", last_name="Tan", phone_number="+639170002222", email="ben@mail.ph", address="Quezon City"
    )
    client = api_client(people["operator"])
    for text in ("rosa", "rosa lim", "0001111", "RL@MAIL", "mabini makati"):
        assert [c["id"] for c in client.get(CLIENTS, {"search": text}).json()["results"]] == [rosa.pk], text
    assert client.get(CLIENTS, {"search": "nowhere"}).json()["count"] == 0


@pytest.mark.parametrize("size", [1, 30])
def test_client_list_costs_two_queries_whatever_its_size(
    api_client, operator, make_client, django_assert_num_queries, size
):
    make_client.create_batch(size)
    client = api_client(operator)
    with django_assert_num_queries(2):  # the token lookup; the count and the page rendered, in one statement
        assert client.get(CLIENTS, {"page_size": 200}).json()["count"] == size
    with django_assert_num_queries(2):  # a search too
        assert client.get(CLIENTS, {"search": "@example.com", "page_size": 200}).json()["count"] == size


def test_operator_creates_a_client_without_an_email(api_client, people):
    client = api_client(people["operator"])
    first = client.post(CLIENTS, {**NEW, "email": ""})
    second = client.post(CLIENTS, {**NEW, "phone_number": "+63 2", "email": None})
    assert first.status_code == second.status_code == 201
    assert first.json()["email"] is None and first.json()["full_name"] == "Rosa Lim"


@pytest.mark.parametrize(
    "change, field",
    [({"phone_number": NEW["phone_number"]}, "phone_number"), ({"email": "ROSA@example.com"}, "email")],
)
def test_duplicate_phone_or_email_is_409_naming_the_field(api_client, people, change, field):
    client = api_client(people["operator"])
    assert client.post(CLIENTS, NEW).status_code == 201
    other = {**NEW, "phone_number": "+63 999", "email": "other@example.com", **change}
    response = client.post(CLIENTS, other)
    assert response.status_code == 409
    # The friendly check answers with the field map the booking form shows (the unique constraint is the guarantee).
    label = field.replace("_", " ")
    message = [f"A client with this {label} already exists."]
    assert response.json() == {
        "detail": f"{field}: a client with this {label} already exists.",
        "error": {field: message},
        field: message,
    }
    assert Client.objects.count() == 1


@pytest.mark.parametrize(
    "payload, field",
    [
        ({**NEW, "first_name": ""}, "first_name"),
        ({**NEW, "phone_number": "   "}, "phone_number"),
        ({**NEW, "email": "nope"}, "email"),
        ({"first_name": "X"}, "phone_number"),
    ],
)
def test_bad_client_input_is_a_4xx_naming_the_field(api_client, people, payload, field):
    response = api_client(people["operator"]).post(CLIENTS, payload)
    assert response.status_code in (400, 422)
    assert field in response.json()["detail"]
    assert not Client.objects.exists()


def test_check_duplicates_says_which_clients_match(api_client, people, make_client):
    by_phone = make_client(phone_number="+631", email="a@example.com")
    by_email = make_client(phone_number="+632", email="b@example.com")
    client = api_client(people["therapist"])
    body = client.get(CLIENTS + "check_duplicates/", {"phone_number": "+631", "email": "B@example.com"}).json()
    assert body["has_duplicates"] and body["phone_number_exists"] and body["email_exists"]
    assert [c["id"] for c in body["duplicates"]] == [by_phone.pk, by_email.pk]
    none = client.get(CLIENTS + "check_duplicates/", {"phone_number": "+639"}).json()
    assert none == {"has_duplicates": False, "phone_number_exists": False, "email_exists": False, "duplicates": []}


def test_check_duplicates_needs_a_phone_or_an_email(api_client, people):
    response = api_client(people["operator"]).get(CLIENTS + "check_duplicates/")
    assert response.status_code == 400 and "phone_number" in response.json()["detail"]


def test_operator_edits_a_client_and_duplicates_are_still_refused(api_client, people, make_client):
    rosa, ben = make_client(), make_client()
    client = api_client(people["operator"])
    response = client.patch(f"{CLIENTS}{rosa.pk}/", {"address": "New address"})
    assert response.status_code == 200 and response.json()["address"] == "New address"
    clash = client.patch(f"{CLIENTS}{rosa.pk}/", {"phone_number": ben.phone_number})
    assert clash.status_code == 409 and "phone_number" in clash.json()["detail"]
    replaced = client.put(f"{CLIENTS}{rosa.pk}/", {"first_name": "Rosa", "phone_number": rosa.phone_number})
    assert replaced.status_code == 200 and replaced.json()["email"] is None and replaced.json()["address"] == ""


@pytest.mark.parametrize("role", ["therapist", "driver"])
def test_only_operators_write_clients(api_client, people, make_client, role):
    existing = make_client()
    client = api_client(people[role])
    assert client.post(CLIENTS, NEW).status_code == 403
    assert client.patch(f"{CLIENTS}{existing.pk}/", {"notes": "x"}).status_code == 403
    assert client.delete(f"{CLIENTS}{existing.pk}/").status_code == 403
    assert Client.objects.count() == 1 and Client.objects.get().notes == ""


def test_operator_deletes_a_client_without_appointments(api_client, people, make_client):
    gone = make_client()
    assert api_client(people["operator"]).delete(f"{CLIENTS}{gone.pk}/").status_code == 204
    assert not Client.objects.exists()
    assert api_client(people["operator"]).get(f"{CLIENTS}{gone.pk}/").status_code == 404


def test_a_client_with_appointments_cannot_be_deleted(api_client, people, make_appointment):
    appointment = make_appointment()
    response = api_client(people["operator"]).delete(f"{CLIENTS}{appointment.client_id}/")
    assert response.status_code == 409 and "appointment" in response.json()["detail"]
    assert Client.objects.filter(pk=appointment.client_id).exists()
