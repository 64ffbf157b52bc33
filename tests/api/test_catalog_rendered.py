"""The catalog reads PostgreSQL renders (scheduling/selectors/catalog.py) answer exactly what the response schemas
render from the ORM's rows: the same keys in the same order, the same values and types, the same rows in the same
order, for every role, every search (LIKE wildcards and several words included) and every page."""

import datetime as dt
from decimal import Decimal

import orjson
import pytest

from api.catalog import ServiceOut
from api.clients import ClientOut
from api.renderers import dumps
from scheduling.models import Client
from scheduling.selectors import catalog as selectors
from scheduling.selectors import rendered

SERVICES = "/api/scheduling/services/"
CLIENTS = "/api/scheduling/clients/"
REGISTRATION = "/api/registration/register/client/"
SEARCHES = [
    None,
    "",
    "   ",
    "ann",
    "smith ann",  # every word must match, each in any field
    "ANN st",
    "%",  # LIKE wildcards are literal characters
    "_",
    "a_b",
    "100%",
    "\\",
    "x.com",
    "+5",
    "nowhere",
]


def ninja(obj, schema) -> dict:
    """`obj` as Ninja's own response schema renders it (validated by pydantic, written by the API's renderer)."""
    return orjson.loads(dumps(schema.from_orm(obj).model_dump()))


def instant(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value)


def same_client(got: dict, expected: dict) -> None:
    """Equal, keys in the schema's order; created_at the same instant (PostgreSQL drops trailing zeros of the
    fraction: .12 where Python writes .120000)."""
    assert list(got) == list(ClientOut.model_fields), got
    assert instant(got["created_at"]) == instant(expected["created_at"])
    assert {**got, "created_at": None} == {**expected, "created_at": None}
    assert type(got["id"]) is int


@pytest.fixture
def people(operator, make_therapist, make_driver):
    return {"operator": operator, "therapist": make_therapist(), "driver": make_driver()}


@pytest.fixture
def services(make_service):
    made = [
        make_service(name="Shiatsu", description="Pressure", duration=60, price=Decimal("500.00"), oil="Lavender"),
        make_service(name="Retired", duration=45, price=Decimal("0.00"), is_active=False),
        make_service(name="Zen", description="", duration=1440, price=Decimal("12345678.90"), oil=""),
        make_service(name='ärger "quoted" \\ back', duration=30, price=Decimal("1.05")),
        make_service(name="aardvark", duration=30, price=Decimal("7")),
        make_service(name="Old \u00e9", duration=15, price=Decimal("99999999.99"), is_active=False),
    ]
    for service in made:
        service.refresh_from_db()  # the price as stored: Decimal("7.00"), not the Decimal("7") it was made with
    return made


@pytest.fixture
def clients(make_client):
    made = [
        make_client(first_name="Ann", last_name="Smith", phone_number="+1", email=None, address="1 % St", notes=""),
        make_client(first_name="Bo", last_name="", phone_number="+2", email="bo@x.com", address="a_b road", notes="n"),
        make_client(first_name="Cy", last_name="Smith", phone_number="+3", email="C@x.com", address="", notes="x\ny"),
        make_client(first_name="Dee\t", last_name="\u00a0Zed ", phone_number="+4", email="d@x.com", address="100%"),
        make_client(first_name="Émile", last_name="Ann", phone_number="+5_5", email="e@x.com", address="Ann St"),
        # full_name strips what Python's str.strip() strips, and only that (U+200B is no whitespace to Python)
        make_client(first_name="\u3000\x1fEve\u2003", last_name="\u00a0Q\u2029\x85", phone_number="+6", address=""),
        make_client(first_name=" \u200b", last_name="", phone_number="+7", email="g@x.com", address="\t"),
        make_client(first_name="Gus", last_name='O\'Neil \\ "x"', phone_number="+8", email=None, address=""),
        make_client(first_name="Ann", last_name="Smith", phone_number="+9", email="ann2@x.com", address="2 Rd"),
    ]
    moments = [
        dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
        dt.datetime(2026, 1, 2, 3, 4, 5, 120000, tzinfo=dt.UTC),
        dt.datetime(2025, 12, 31, 23, 59, 59, 1, tzinfo=dt.UTC),
    ]
    for i, client in enumerate(made):
        Client.objects.filter(pk=client.pk).update(created_at=moments[i % len(moments)])
        client.refresh_from_db()
    return made


def test_python_whitespace_is_what_str_strip_strips():
    """rendered.py_strip (the clients' and staff's full_name in SQL) strips every character str.strip() strips."""
    assert set(rendered.PY_WHITESPACE) == {chr(c) for c in range(0x110000) if chr(c).isspace()}


@pytest.mark.parametrize("role", ["operator", "therapist", "driver"])
@pytest.mark.parametrize("include_inactive", [None, "true", "false"])
def test_the_service_list_is_the_schemas_rendering_of_the_visible_services(
    api_client, people, services, role, include_inactive
):
    user = people[role]
    query = {} if include_inactive is None else {"include_inactive": include_inactive}
    body = api_client(user).get(SERVICES, query).json()
    visible = selectors.services_visible_to(user, include_inactive=include_inactive == "true")
    assert body == [ninja(s, ServiceOut) for s in visible]
    assert all(list(item) == list(ServiceOut.model_fields) for item in body)
    assert len(body) == (6 if role == "operator" and include_inactive == "true" else 4)
    assert {item["price"] for item in body} >= {"500.00", "12345678.90", "1.05", "7.00"}


@pytest.mark.parametrize("role", ["operator", "therapist", "driver"])
def test_one_service_is_the_schemas_rendering_or_a_404(api_client, people, services, role):
    client = api_client(people[role])
    for service in services:
        response = client.get(f"{SERVICES}{service.pk}/")
        if service.is_active or role == "operator":
            assert response.status_code == 200
            assert response.json() == ninja(service, ServiceOut)
            assert list(response.json()) == list(ServiceOut.model_fields)
        else:
            assert response.status_code == 404 and response.json() == {"detail": "Not found."}
    for missing in (987654321, 2**63, 10**20):
        response = client.get(f"{SERVICES}{missing}/")
        assert response.status_code == 404 and response.json() == {"detail": "Not found."}


@pytest.mark.parametrize("search", SEARCHES)
def test_the_client_list_is_the_schemas_rendering_of_the_searched_clients(api_client, operator, clients, search):
    query = {} if search is None else {"search": search}
    expected = [ninja(c, ClientOut) for c in selectors.clients_visible_to(operator, search=search)]
    body = api_client(operator).get(CLIENTS, {**query, "page_size": 200}).json()
    assert body["count"] == len(expected)
    assert [c["id"] for c in body["results"]] == [c["id"] for c in expected]
    for got, want in zip(body["results"], expected, strict=True):
        same_client(got, want)


def test_the_searches_find_what_they_should(api_client, operator, clients):
    client = api_client(operator)

    def found(text):
        return {c["id"] for c in client.get(CLIENTS, {"search": text}).json()["results"]}

    assert found("%") == {clients[0].pk, clients[3].pk}  # "1 % St", "100%": not every client
    assert found("_") == {clients[1].pk, clients[4].pk}  # "a_b road", "+5_5"
    assert found("a_b") == {clients[1].pk}
    assert found("\\") == {clients[7].pk}
    assert found("smith ann") == {clients[0].pk, clients[8].pk}  # not Cy Smith, not Émile Ann
    assert found("ann SMITH 2") == {clients[8].pk}


@pytest.mark.parametrize("page_size", [1, 2, 4, 20])
def test_every_page_of_clients_is_the_schemas_rendering(api_client, operator, clients, page_size):
    expected = [ninja(c, ClientOut) for c in selectors.clients_visible_to(operator)]
    client = api_client(operator)
    pages = -(-len(expected) // page_size)
    for page in range(1, pages + 1):
        body = client.get(CLIENTS, {"page": page, "page_size": page_size}).json()
        assert body["count"] == len(expected) and body["total_pages"] == pages and body["current_page"] == page
        assert body["has_next"] is (page < pages) and body["has_previous"] is (page > 1)
        want = expected[(page - 1) * page_size : page * page_size]
        for got, one in zip(body["results"], want, strict=True):
            same_client(got, one)
    past = client.get(CLIENTS, {"page": pages + 1, "page_size": page_size})
    assert past.status_code == 404 and "past the last page" in past.json()["detail"]


def test_an_empty_client_list_is_one_empty_page(api_client, operator, db):
    body = api_client(operator).get(CLIENTS).json()
    assert body["count"] == 0 and body["total_pages"] == 1 and body["results"] == []
    assert api_client(operator).get(CLIENTS, {"page": 2}).status_code == 404


@pytest.mark.parametrize("role", ["operator", "therapist", "driver"])
def test_one_client_is_the_schemas_rendering_or_a_404(api_client, people, clients, role):
    client = api_client(people[role])
    for one in clients:
        response = client.get(f"{CLIENTS}{one.pk}/")
        assert response.status_code == 200
        same_client(response.json(), ninja(one, ClientOut))
    assert [client.get(f"{CLIENTS}{one.pk}/").json()["full_name"] for one in clients] == [c.full_name for c in clients]
    for missing in (0, 987654321, 2**63, 10**20):
        response = client.get(f"{CLIENTS}{missing}/")
        assert response.status_code == 404 and response.json() == {"detail": "Not found."}


@pytest.mark.parametrize("query", [{}, {"search": "smith", "page_size": 1, "page": 2}, {"search": "%"}])
def test_the_older_frontends_client_list_answers_the_same(api_client, therapist, clients, query):
    client = api_client(therapist)
    ours, theirs = client.get(CLIENTS, query).json(), client.get(REGISTRATION, query).json()
    strip_links = {"next": None, "previous": None}
    assert {**theirs, **strip_links} == {**ours, **strip_links}


@pytest.mark.parametrize("size", [1, 40])
def test_one_service_and_one_client_cost_two_queries(
    api_client, operator, make_service, make_client, django_assert_num_queries, size
):
    service = make_service.create_batch(size)[-1]
    one = make_client.create_batch(size)[-1]
    client = api_client(operator)
    with django_assert_num_queries(2):  # the token lookup, the rendered row
        assert client.get(f"{SERVICES}{service.pk}/").json()["id"] == service.pk
    with django_assert_num_queries(2):
        assert client.get(f"{CLIENTS}{one.pk}/").json()["id"] == one.pk
