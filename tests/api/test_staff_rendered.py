"""The staff reads are SQL rendered by PostgreSQL (scheduling/selectors/staff.py): their JSON must be what Ninja
rendered from the model through UserOut (the resolvers full_name and phone_number included), their search the
search_q rule (LIKE wildcards taken literally, every term matched), their scope staff_visible_to's."""

import datetime as dt

import orjson
import pytest

from api.pagination import Page
from api.renderers import dumps
from api.schemas import UserOut
from api.staff import ActiveStaffOut
from scheduling.models import Role, User
from scheduling.selectors import staff as staff_selectors
from scheduling.selectors.search import search_q

STAFF = "/api/scheduling/staff/"
REGISTER = "/api/registration/register/"
TIMESTAMPS = ("last_available_at", "date_joined")
MOMENT = dt.datetime(2026, 3, 4, 5, 6, 7, 123456, tzinfo=dt.UTC)


def ninja_item(user: User) -> dict:
    """What Ninja rendered for one staff member: UserOut validated from the instance, dumped, rendered."""
    return orjson.loads(dumps(UserOut.from_orm(user).model_dump()))


def comparable(item: dict) -> dict:
    """Timestamps as instants: PostgreSQL writes 07.5+00:00 where orjson wrote 07.500000+00:00."""
    return {k: dt.datetime.fromisoformat(v) if k in TIMESTAMPS and v else v for k, v in item.items()}


def expected(users) -> list[dict]:
    return [comparable(ninja_item(user)) for user in users]


def rendered(items: list[dict]) -> list[dict]:
    return [comparable(item) for item in items]


@pytest.fixture
def people(db):
    specs = [
        dict(username="olga", first_name="Olga", last_name="Op", role=Role.OPERATOR, email="olga@example.com"),
        dict(
            username="tess",
            first_name="Tess",
            last_name="Alba",
            role=Role.THERAPIST,
            license_number="L1",
            specialization="Shiatsu",
            massage_pressure="hard",
            phone="+63 917",
            date_joined=MOMENT.replace(microsecond=500000),
        ),
        # no name: full_name is the username; the underscore is a LIKE wildcard when not escaped
        dict(username="under_score", role=Role.THERAPIST, license_number="L2", email_verified=False),
        dict(
            username="pct",
            first_name="100%",
            role=Role.DRIVER,
            motorcycle_plate="MC 1",
            last_available_at=MOMENT,
            date_joined=MOMENT.replace(microsecond=0),
        ),
        dict(username="solo", last_name="Solo", role=Role.DRIVER, motorcycle_plate="MC 2", is_active=False),
        # Python's strip() removes any whitespace, SQL's trim() only spaces
        dict(username="nbsp", first_name="Ann\u00a0", last_name="\tBee ", role=Role.THERAPIST, license_number="L3"),
        dict(username="blank", first_name=" ", last_name="\u3000", role=Role.DRIVER, motorcycle_plate="MC 3"),
        dict(username="back\\slash", first_name="Bäck", last_name='O\'Neil "Q"', role=Role.OPERATOR, email="b@x.org"),
        dict(username="zed", first_name="Aaron", last_name="Zed", role=Role.THERAPIST, license_number="L4"),
    ]
    return {spec["username"]: User.objects.create(**{"date_joined": MOMENT, **spec}) for spec in specs}


def ordered(queryset) -> list[User]:
    return list(queryset.order_by(*staff_selectors.STAFF_ORDERING))


def test_the_list_renders_every_member_as_ninja_did(api_client, people):
    body = api_client(people["olga"]).get(STAFF, {"page_size": 200}).json()
    assert body["count"] == len(people)
    assert rendered(body["results"]) == expected(ordered(User.objects.all()))
    assert [list(item) for item in body["results"]] == [list(UserOut.model_fields)] * len(people)


def test_the_bytes_are_ninjas_where_no_timestamp_has_trailing_zeros(api_client, people):
    """Compact JSON, keys in UserOut's order, the same escaping: byte for byte what Ninja wrote, once the one
    timestamp with a trailing zero (07.5 vs 07.500000) is out of the picture."""
    User.objects.filter(date_joined=MOMENT.replace(microsecond=500000)).update(date_joined=MOMENT)
    users = ordered(User.objects.all())
    client = api_client(people["olga"])
    page = {"count": len(users), "total_pages": 1, "current_page": 1, "page_size": 200, "next": None}
    page.update({"previous": None, "has_next": False, "has_previous": False, "results": users})
    assert client.get(STAFF, {"page_size": 200}).content == dumps(Page[UserOut].model_validate(page).model_dump())
    active = [user for user in users if user.is_active]
    body = {"staff": active, "count": len(active), "filter": {"role": None, "is_active": True}}
    expected_active = dumps(ActiveStaffOut.model_validate(body).model_dump())
    assert client.get(f"{STAFF}active_staff/").content == expected_active
    for user in users:
        assert client.get(f"{STAFF}{user.pk}/").content == dumps(UserOut.model_validate(user).model_dump())


@pytest.mark.parametrize(
    "search",
    ["tess", "TESS alba", "%", "_", "100%", "under_", "\\", "bäck", "BÄCK", "driver mc", "example.com olga", "  ", "x"],
)
def test_the_search_is_search_qs_rule(api_client, people, search):
    body = api_client(people["olga"]).get(STAFF, {"search": search, "page_size": 200}).json()
    matching = ordered(User.objects.filter(search_q(search, staff_selectors.STAFF_SEARCH_FIELDS)))
    assert body["count"] == len(matching)
    assert rendered(body["results"]) == expected(matching)


def test_wildcards_are_literal_and_every_term_must_match(api_client, people):
    client = api_client(people["olga"])

    def found(search):
        return [item["username"] for item in client.get(STAFF, {"search": search}).json()["results"]]

    assert found("_") == ["under_score"]
    assert found("%") == ["pct"]
    assert found("\\") == ["back\\slash"]
    assert found("score therapist") == ["under_score"]
    assert found("score driver") == []


@pytest.mark.parametrize(
    "params, condition",
    [
        ({"role": "therapist"}, {"role": Role.THERAPIST}),
        ({"role": "driver", "is_active": "false"}, {"role": Role.DRIVER, "is_active": False}),
        ({"is_active": "true"}, {"is_active": True}),
    ],
)
def test_the_filters_and_pages(api_client, people, params, condition):
    client = api_client(people["olga"])
    matching = ordered(User.objects.filter(**condition))
    for page in range(1, (len(matching) + 1) // 2 + 1):
        body = client.get(STAFF, {**params, "page_size": 2, "page": page}).json()
        assert body["count"] == len(matching)
        assert rendered(body["results"]) == expected(matching[2 * page - 2 : 2 * page])
    assert client.get(STAFF, {**params, "page_size": 2, "page": page + 1}).status_code == 404


@pytest.mark.parametrize("role", list(Role))
def test_every_role_sees_what_staff_visible_to_gives(api_client, people, make_therapist, make_driver, role):
    viewer = {Role.OPERATOR: people["olga"], Role.THERAPIST: people["tess"], Role.DRIVER: people["pct"]}[role]
    body = api_client(viewer).get(STAFF, {"page_size": 200}).json()
    assert rendered(body["results"]) == expected(staff_selectors.staff_visible_to(viewer))


@pytest.mark.parametrize("role", [None, "therapist", "driver", "operator"])
def test_active_staff_renders_as_ninja_did(api_client, people, role):
    params = {"role": role} if role else {}
    body = api_client(people["tess"]).get(f"{STAFF}active_staff/", params).json()
    matching = ordered(User.objects.filter(is_active=True, **({"role": role} if role else {})))
    assert body["count"] == len(matching) and body["filter"] == {"role": role, "is_active": True}
    assert rendered(body["staff"]) == expected(matching)
    assert list(body) == ["staff", "count", "filter"]


def test_one_member_renders_as_ninja_did_and_an_unknown_one_is_the_same_404(api_client, people):
    client = api_client(people["pct"])
    for user in people.values():
        response = client.get(f"{STAFF}{user.pk}/")
        assert response.status_code == 200
        assert comparable(response.json()) == comparable(ninja_item(user))
    for missing in (999_999_999, 3405806559848048885760):
        response = client.get(f"{STAFF}{missing}/")
        assert (response.status_code, response.json()) == (404, {"detail": "Not found."})


@pytest.mark.parametrize("role", [Role.THERAPIST, Role.DRIVER])
def test_the_registration_lists_are_the_staff_list_of_one_role(api_client, people, role):
    client = api_client(people["olga"])
    for params in ({}, {"is_active": "true", "search": "_"}, {"search": "a", "page_size": 1, "page": 2}):
        mine = client.get(f"{REGISTER}{role.value}/", params)
        theirs = client.get(STAFF, {**params, "role": role.value})
        assert mine.status_code == theirs.status_code
        mine, theirs = mine.json(), theirs.json()
        for page in (mine, theirs):
            page.pop("next", None), page.pop("previous", None)  # their own paths
        assert mine == theirs
    assert client.get(f"{REGISTER}{role.value}/", {"page": 9}).status_code == 404


def test_a_nul_byte_in_a_search_is_still_a_400(api_client, people):
    response = api_client(people["olga"]).get(STAFF, {"search": "a\x00"})
    assert response.status_code == 400 and response.json()["detail"].startswith("Invalid input")
