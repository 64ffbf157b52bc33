import pytest
from django.db import IntegrityError, transaction

from scheduling.models import Service
from scheduling.services.validation import breaks

SERVICES = "/api/scheduling/services/"
NEW = {"name": "Hot Stone", "duration": 90, "price": "675.00", "oil": "Lavender"}


@pytest.fixture
def people(operator, make_therapist, make_driver):
    return {"operator": operator, "therapist": make_therapist(), "driver": make_driver()}


@pytest.mark.parametrize("role", ["operator", "therapist", "driver"])
def test_every_role_reads_the_active_services_as_a_plain_array(api_client, people, make_service, role):
    make_service(name="Shiatsu")
    make_service(name="Retired", is_active=False)
    body = api_client(people[role]).get(SERVICES).json()
    assert [s["name"] for s in body] == ["Shiatsu"]
    assert body[0]["price"] == "500.00" and body[0]["duration"] == 60


def test_only_operators_may_include_inactive_services(api_client, people, make_service):
    make_service(name="Shiatsu")
    make_service(name="Retired", is_active=False)
    everything = api_client(people["operator"]).get(SERVICES, {"include_inactive": "true"}).json()
    assert [s["name"] for s in everything] == ["Retired", "Shiatsu"]
    for role in ("therapist", "driver"):
        names = [s["name"] for s in api_client(people[role]).get(SERVICES, {"include_inactive": "true"}).json()]
        assert names == ["Shiatsu"]


@pytest.mark.parametrize("size", [1, 30])
def test_service_list_costs_two_queries_whatever_its_size(
    api_client, operator, make_service, django_assert_num_queries, size
):
    make_service.create_batch(size)
    make_service(name="Retired", is_active=False)
    client = api_client(operator)
    with django_assert_num_queries(2):  # the token lookup, the list rendered
        assert len(client.get(SERVICES).json()) == size
    with django_assert_num_queries(2):
        assert len(client.get(SERVICES, {"include_inactive": "true"}).json()) == size + 1


def test_an_inactive_service_is_invisible_to_staff_by_id(api_client, people, make_service):
    retired = make_service(name="Retired", is_active=False)
    assert api_client(people["therapist"]).get(f"{SERVICES}{retired.pk}/").status_code == 404
    assert api_client(people["operator"]).get(f"{SERVICES}{retired.pk}/").status_code == 200


def test_operator_creates_edits_and_deactivates_a_service(api_client, people):
    client = api_client(people["operator"])
    created = client.post(SERVICES, NEW)
    assert created.status_code == 201 and created.json()["price"] == "675.00"
    url = f"{SERVICES}{created.json()['id']}/"
    assert client.patch(url, {"price": "700"}).json()["price"] == "700.00"
    assert client.put(url, {**NEW, "duration": 120}).json()["duration"] == 120
    assert client.post(url + "deactivate/").json()["is_active"] is False
    assert client.patch(url, {"is_active": True}).json()["is_active"] is True


@pytest.mark.parametrize(
    "payload, field",
    [
        ({**NEW, "duration": 0}, "duration"),
        ({**NEW, "price": "-1"}, "price"),
        ({**NEW, "price": "abc"}, "price"),
        ({**NEW, "name": ""}, "name"),
        ({"name": "X", "price": "1"}, "duration"),
    ],
)
def test_bad_service_input_is_a_4xx_naming_the_field(api_client, people, payload, field):
    response = api_client(people["operator"]).post(SERVICES, payload)
    assert response.status_code in (400, 422)
    assert field in response.json()["detail"]
    assert not Service.objects.exists()


def test_a_duplicate_service_name_is_409(api_client, people, make_service):
    make_service(name="Hot Stone")
    response = api_client(people["operator"]).post(SERVICES, {**NEW, "name": "hot stone"})
    assert response.status_code == 409 and response.json()["detail"].startswith("name")


@pytest.mark.parametrize("name", ["Hot Stone", "hot stone", "HOT STONE", "Hot stone"])
def test_python_and_postgresql_agree_that_service_names_are_unique_regardless_of_case(make_service, name):
    make_service(name="Hot Stone")
    assert breaks(Service(name=name, duration=60, price=1), "service_name_unique_ci")
    with pytest.raises(IntegrityError, match="service_name_unique_ci"), transaction.atomic():
        Service.objects.create(name=name, duration=60, price=1)


def test_a_service_keeps_its_own_name_and_a_new_name_is_free(make_service):
    service = make_service(name="Hot Stone")
    assert not breaks(service, "service_name_unique_ci")
    assert not breaks(Service(name="Hot Stones", duration=60, price=1), "service_name_unique_ci")


@pytest.mark.parametrize("role", ["therapist", "driver"])
def test_only_operators_write_services(api_client, people, make_service, role):
    service = make_service(name="Shiatsu")
    client = api_client(people[role])
    assert client.post(SERVICES, NEW).status_code == 403
    assert client.patch(f"{SERVICES}{service.pk}/", {"price": "1"}).status_code == 403
    assert client.post(f"{SERVICES}{service.pk}/deactivate/").status_code == 403
    assert client.delete(f"{SERVICES}{service.pk}/").status_code == 403
    service.refresh_from_db()
    assert service.is_active and str(service.price) == "500.00"


def test_deleting_an_unused_service_removes_it(api_client, people, make_service):
    unused = make_service(name="Unused")
    body = api_client(people["operator"]).delete(f"{SERVICES}{unused.pk}/").json()
    assert body["deleted"] is True and body["service"] is None
    assert not Service.objects.filter(pk=unused.pk).exists()


def test_deleting_a_service_in_use_deactivates_it_and_keeps_the_bookings(
    api_client, people, make_service, make_appointment
):
    used = make_service(name="Shiatsu")
    appointment = make_appointment(services=[used])
    response = api_client(people["operator"]).delete(f"{SERVICES}{used.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["deleted"] is False and body["service"]["is_active"] is False
    assert "deactivated" in body["detail"]
    assert list(appointment.services.all()) == [used]
