import pytest
from django.db import IntegrityError, transaction

from scheduling.models import AuthToken, Role, User

STAFF = "/api/scheduling/staff/"

NEW_THERAPIST = {
    "username": "newbie",
    "password": "a-long-password-1",
    "role": "therapist",
    "first_name": "Nina",
    "last_name": "Reyes",
    "email": "nina@example.com",
    "license_number": "LIC-9",
    "specialization": "Hot Stone",
    "massage_pressure": "hard",
}


def assert_no_secrets(payload) -> None:
    text = str(payload).lower()
    assert "password" not in text
    assert "pbkdf2" not in text and "md5$" not in text and "argon2" not in text
    assert "token" not in text and "key_hash" not in text


@pytest.fixture
def team(operator, make_therapist, make_driver):
    return {
        "operator": operator,
        "therapist": make_therapist(first_name="Tess", last_name="Alba"),
        "driver": make_driver(first_name="Dan", last_name="Cruz"),
    }


@pytest.mark.parametrize("role", ["operator", "therapist", "driver"])
def test_every_role_reads_the_staff_list_ordered_by_role_then_name(api_client, team, make_therapist, role):
    make_therapist(first_name="Aaron", last_name="Zed")
    response = api_client(team[role]).get(STAFF)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 4
    keys = [(item["role"], item["first_name"]) for item in body["results"]]
    assert keys == sorted(keys)
    assert keys[0][0] == "driver" and keys[-1] == ("therapist", "Tess")
    assert_no_secrets(body)


def test_staff_list_filters_by_role_and_active_flag(api_client, team, make_driver):
    make_driver(is_active=False)
    client = api_client(team["operator"])
    drivers = client.get(STAFF, {"role": "driver"}).json()
    assert drivers["count"] == 2
    active_drivers = client.get(STAFF, {"role": "driver", "is_active": "true"}).json()
    assert [d["id"] for d in active_drivers["results"]] == [team["driver"].pk]
    assert client.get(STAFF, {"is_active": "false"}).json()["count"] == 1


def test_staff_search_matches_names_email_role_and_username(api_client, team):
    client = api_client(team["operator"])

    def found(text):
        return {item["id"] for item in client.get(STAFF, {"search": text}).json()["results"]}

    assert found("tess") == {team["therapist"].pk}
    assert found("tess alba") == {team["therapist"].pk}
    assert found(team["driver"].email.upper()) == {team["driver"].pk}
    assert found("driver") == {team["driver"].pk}
    assert found(team["operator"].username) == {team["operator"].pk}
    assert found("nobody-like-this") == set()


def test_staff_list_rejects_an_unknown_role_and_a_bad_page(api_client, team):
    client = api_client(team["operator"])
    assert client.get(STAFF, {"role": "pilot"}).status_code == 422
    assert client.get(STAFF, {"page_size": 0}).status_code == 422
    assert client.get(STAFF, {"page": 9}).status_code == 404


def test_staff_list_needs_authentication(api_client, team):
    assert api_client().get(STAFF).status_code == 401


@pytest.mark.parametrize("size", [1, 30])
def test_staff_list_costs_two_queries_whatever_its_size(
    api_client, operator, make_therapist, django_assert_num_queries, size
):
    for _ in range(size):
        make_therapist()
    client = api_client(operator)
    with django_assert_num_queries(2):  # authentication, the count and the page in one statement
        response = client.get(STAFF, {"page_size": 200, "search": "a b"})
    with django_assert_num_queries(2):
        response = client.get(STAFF, {"page_size": 200})
    assert response.json()["count"] == size + 1


def test_one_staff_member_costs_two_queries(api_client, team, django_assert_num_queries):
    client = api_client(team["driver"])
    with django_assert_num_queries(2):
        assert client.get(f"{STAFF}{team['therapist'].pk}/").status_code == 200
    with django_assert_num_queries(2):
        assert client.get(f"{STAFF}999999/").status_code == 404


@pytest.mark.parametrize("size", [1, 30])
def test_active_staff_costs_two_queries_whatever_its_size(
    api_client, operator, make_driver, django_assert_num_queries, size
):
    for _ in range(size):
        make_driver()
    client = api_client(operator)
    with django_assert_num_queries(2):  # authentication, the count and the members in one statement
        response = client.get(STAFF + "active_staff/", {"role": "driver"})
    assert response.json()["count"] == size
    with django_assert_num_queries(2):
        assert client.get(STAFF + "active_staff/").json()["count"] == size + 1


def test_active_staff_returns_the_unpaginated_envelope(api_client, team, make_therapist):
    make_therapist(is_active=False)
    body = api_client(team["driver"]).get(STAFF + "active_staff/", {"role": "therapist"}).json()
    assert set(body) == {"staff", "count", "filter"}
    assert body["count"] == 1 and [s["id"] for s in body["staff"]] == [team["therapist"].pk]
    assert body["filter"] == {"role": "therapist", "is_active": True}
    everyone = api_client(team["driver"]).get(STAFF + "active_staff/").json()
    assert everyone["count"] == 3 and everyone["filter"] == {"role": None, "is_active": True}
    assert_no_secrets(everyone)


@pytest.mark.parametrize("role", ["operator", "therapist", "driver"])
def test_every_role_reads_one_staff_member(api_client, team, role):
    response = api_client(team[role]).get(f"{STAFF}{team['therapist'].pk}/")
    assert response.status_code == 200
    assert response.json()["license_number"] == team["therapist"].license_number
    assert_no_secrets(response.json())


def test_unknown_staff_member_is_404(api_client, team):
    assert api_client(team["operator"]).get(f"{STAFF}999999/").status_code == 404


def test_operator_creates_a_therapist_with_a_hashed_password(api_client, team):
    response = api_client(team["operator"]).post(STAFF, NEW_THERAPIST)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["role"] == "therapist" and body["massage_pressure"] == "hard" and body["is_active"]
    assert_no_secrets(body)
    user = User.objects.get(username="newbie")
    assert user.password != NEW_THERAPIST["password"]
    assert user.check_password(NEW_THERAPIST["password"])
    login = api_client().post("/api/auth/login/", {"username": "newbie", "password": NEW_THERAPIST["password"]})
    assert login.status_code == 200


def test_a_therapist_needs_a_license_and_a_driver_a_plate(api_client, team):
    client = api_client(team["operator"])
    no_license = client.post(STAFF, {**NEW_THERAPIST, "license_number": "  "})
    assert no_license.status_code == 400
    assert "license_number" in no_license.json()["detail"]
    driver = {"username": "rider", "password": "a-long-password-1", "role": "driver"}
    no_plate = client.post(STAFF, driver)
    assert no_plate.status_code == 400
    assert "motorcycle_plate" in no_plate.json()["detail"]
    assert client.post(STAFF, {**driver, "motorcycle_plate": "AB 123"}).status_code == 201
    assert not User.objects.filter(username="newbie").exists()


def test_duplicate_username_or_email_is_409_naming_the_field(api_client, team):
    client = api_client(team["operator"])
    same_username = client.post(STAFF, {**NEW_THERAPIST, "username": team["driver"].username.upper()})
    assert same_username.status_code == 409
    assert same_username.json()["detail"].startswith("username")
    same_email = client.post(STAFF, {**NEW_THERAPIST, "email": team["driver"].email.upper()})
    assert same_email.status_code == 409
    assert same_email.json()["detail"].startswith("email")
    assert User.objects.count() == 3


@pytest.mark.parametrize(
    "change, field",
    [
        ({"password": "short"}, "password"),
        ({"email": "not-an-email"}, "email"),
        ({"role": "pilot"}, "role"),
        ({"massage_pressure": "extreme"}, "massage_pressure"),
        ({"username": ""}, "username"),
        ({"username": "has spaces!"}, "username"),
    ],
)
def test_bad_staff_input_is_a_4xx_naming_the_field(api_client, team, change, field):
    response = api_client(team["operator"]).post(STAFF, {**NEW_THERAPIST, **change})
    assert response.status_code in (400, 422)
    assert field in response.json()["detail"]
    assert not User.objects.filter(username="newbie").exists()


@pytest.mark.parametrize("role", ["therapist", "driver"])
def test_only_operators_write_staff(api_client, team, role):
    client = api_client(team[role])
    target = team["therapist"].pk
    assert client.post(STAFF, NEW_THERAPIST).status_code == 403
    assert client.patch(f"{STAFF}{target}/", {"first_name": "X"}).status_code == 403
    assert client.put(f"{STAFF}{target}/", {"license_number": "L"}).status_code == 403
    assert client.post(f"{STAFF}{team['driver'].pk}/deactivate/").status_code == 403
    assert client.post(f"{STAFF}{target}/reactivate/").status_code == 403
    team["therapist"].refresh_from_db()
    assert team["therapist"].first_name == "Tess" and team["driver"].is_active


def test_operator_edits_a_therapist_partially(api_client, team):
    url = f"{STAFF}{team['therapist'].pk}/"
    response = api_client(team["operator"]).patch(url, {"specialization": "Ventosa", "phone": "+63 900"})
    assert response.status_code == 200
    assert response.json()["specialization"] == "Ventosa"
    assert response.json()["last_name"] == "Alba"


def test_edit_cannot_blank_a_required_field_or_change_the_role(api_client, team):
    client = api_client(team["operator"])
    url = f"{STAFF}{team['therapist'].pk}/"
    assert client.patch(url, {"license_number": ""}).status_code == 400
    assert client.patch(url, {"role": "driver"}).status_code == 400
    assert client.put(url, {"first_name": "Only"}).status_code == 400  # PUT blanks the omitted license
    team["therapist"].refresh_from_db()
    assert team["therapist"].role == Role.THERAPIST and team["therapist"].license_number


def test_edit_can_set_a_new_password(api_client, team):
    url = f"{STAFF}{team['driver'].pk}/"
    assert api_client(team["operator"]).patch(url, {"password": "brand-new-pass-9"}).status_code == 200
    team["driver"].refresh_from_db()
    assert team["driver"].check_password("brand-new-pass-9")


def test_the_database_refuses_a_username_or_email_differing_only_in_case(team):
    driver = team["driver"]
    with pytest.raises(IntegrityError, match="user_username_unique_ci"), transaction.atomic():
        User.objects.create(username=driver.username.upper(), role=Role.OPERATOR)
    with pytest.raises(IntegrityError, match="user_email_unique_ci"), transaction.atomic():
        User.objects.create(username="someone-else", email=driver.email.upper(), role=Role.OPERATOR)


def test_edit_refuses_a_username_taken_by_someone_else(api_client, team):
    url = f"{STAFF}{team['therapist'].pk}/"
    response = api_client(team["operator"]).patch(url, {"username": team["driver"].username})
    assert response.status_code == 409 and "username" in response.json()["detail"]


def test_operator_cannot_edit_another_operator_but_can_edit_themself(api_client, team, make_operator):
    other = make_operator()
    client = api_client(team["operator"])
    assert client.patch(f"{STAFF}{other.pk}/", {"first_name": "X"}).status_code == 403
    assert client.patch(f"{STAFF}{team['operator'].pk}/", {"first_name": "Me"}).json()["first_name"] == "Me"


def test_operator_deactivates_and_reactivates_a_driver_who_is_signed_out(api_client, team):
    driver_client = api_client(team["driver"])
    client = api_client(team["operator"])
    response = client.post(f"{STAFF}{team['driver'].pk}/deactivate/")
    assert response.status_code == 200 and response.json()["is_active"] is False
    assert not AuthToken.objects.filter(user=team["driver"], revoked_at__isnull=True).exists()
    assert driver_client.get(STAFF).status_code == 401
    assert client.post(f"{STAFF}{team['driver'].pk}/reactivate/").json()["is_active"] is True


def test_operator_cannot_deactivate_themself_or_another_operator(api_client, team, make_operator):
    other = make_operator()
    client = api_client(team["operator"])
    myself = client.post(f"{STAFF}{team['operator'].pk}/deactivate/")
    assert myself.status_code == 403 and "your own" in myself.json()["detail"]
    assert client.post(f"{STAFF}{other.pk}/deactivate/").status_code == 403
    assert client.post(f"{STAFF}{other.pk}/reactivate/").status_code == 403
    other.refresh_from_db()
    assert other.is_active


def test_deactivating_an_unknown_user_is_404(api_client, team):
    assert api_client(team["operator"]).post(f"{STAFF}424242/deactivate/").status_code == 404


def test_edit_refuses_unknown_keys_such_as_is_active(api_client, team):
    url = f"{STAFF}{team['driver'].pk}/"
    response = api_client(team["operator"]).patch(url, {"is_active": False})
    assert response.status_code == 422 and "is_active" in response.json()["detail"]
    team["driver"].refresh_from_db()
    assert team["driver"].is_active


def test_a_blank_massage_pressure_means_none(api_client, team):
    response = api_client(team["operator"]).post(STAFF, {**NEW_THERAPIST, "massage_pressure": ""})
    assert response.status_code == 201 and response.json()["massage_pressure"] == ""


def test_the_openapi_schema_lists_every_staff_availability_client_and_service_route(api_client, db):
    paths = api_client().get("/api/openapi.json").json()["paths"]
    for path in (
        "/api/scheduling/staff/",
        "/api/scheduling/staff/active_staff/",
        "/api/scheduling/staff/{staff_id}/deactivate/",
        "/api/scheduling/availabilities/bulk_create/",
        "/api/scheduling/availabilities/available_therapists/",
        "/api/scheduling/available_therapists/",
        "/api/scheduling/available_drivers/",
        "/api/scheduling/clients/check_duplicates/",
        "/api/scheduling/services/{service_id}/",
    ):
        assert path in paths, path
