from datetime import timedelta

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.utils import timezone

from scheduling.models import AuthToken
from scheduling.models.auth import hash_token

LOGIN = "/api/auth/login/"
ME = "/api/auth/me/"


@pytest.fixture
def alice(make_operator):
    return make_operator(username="alice", email="alice@example.com")


def login(api_client, identifier, password="secret-pass-123", field="username"):
    return api_client().post(LOGIN, {field: identifier, "password": password})


def test_login_with_username_returns_user_and_token(api_client, alice):
    response = login(api_client, "alice")
    assert response.status_code == 200
    body = response.json()
    assert body["user"]["username"] == "alice"
    assert body["user"]["role"] == "operator"
    assert "password" not in body["user"]
    assert len(body["token"]) >= 32


def test_login_with_email_in_either_field(api_client, alice):
    assert login(api_client, "alice@example.com").status_code == 200
    assert login(api_client, "ALICE@example.com", field="email").status_code == 200


def test_token_is_stored_only_as_a_hash(api_client, alice):
    token = login(api_client, "alice").json()["token"]
    stored = AuthToken.objects.get(user=alice)
    assert stored.key_hash == hash_token(token)
    assert token not in stored.key_hash


def test_wrong_password_is_401_and_does_not_reveal_the_account(api_client, alice):
    wrong = login(api_client, "alice", "nope-nope-nope")
    unknown = login(api_client, "nobody", "nope-nope-nope")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()


def test_five_failures_lock_the_account_even_for_the_right_password(api_client, alice, settings):
    for _ in range(settings.LOGIN_MAX_FAILURES):
        assert login(api_client, "alice", "wrong-password").status_code == 401
    locked = login(api_client, "alice")
    assert locked.status_code == 401
    assert locked.json() == login(api_client, "nobody").json()
    alice.refresh_from_db()
    assert alice.locked_until > timezone.now() + timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES - 1)


def test_lock_expires(api_client, alice, settings):
    for _ in range(settings.LOGIN_MAX_FAILURES):
        login(api_client, "alice", "wrong-password")
    alice.refresh_from_db()
    alice.locked_until = timezone.now() - timedelta(seconds=1)
    alice.save()
    assert login(api_client, "alice").status_code == 200


def test_success_resets_the_failure_count(api_client, alice, settings):
    for _ in range(settings.LOGIN_MAX_FAILURES - 1):
        login(api_client, "alice", "wrong-password")
    assert login(api_client, "alice").status_code == 200
    for _ in range(settings.LOGIN_MAX_FAILURES - 1):
        login(api_client, "alice", "wrong-password")
    assert login(api_client, "alice").status_code == 200


def test_a_disabled_account_with_its_password_is_told_so_and_gets_no_token(api_client, make_operator):
    make_operator(username="gone", is_active=False)
    response = login(api_client, "gone")
    assert response.status_code == 403
    assert response.json()["error_code"] == response.json()["code"] == "ACCOUNT_DISABLED"
    assert "token" not in response.json() and not AuthToken.objects.exists()


def test_a_disabled_account_with_a_wrong_password_is_the_generic_401(api_client, make_operator):
    make_operator(username="gone", is_active=False)
    wrong = login(api_client, "gone", "wrong-password")
    unknown = login(api_client, "nobody-at-all", "wrong-password")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()


@pytest.mark.parametrize("prefix", ["Token", "Bearer", "token", "bearer"])
def test_both_header_prefixes_authenticate(api_client, alice, prefix):
    token = login(api_client, "alice").json()["token"]
    response = api_client().get(ME, headers={"Authorization": f"{prefix} {token}"})
    assert response.status_code == 200
    assert response.json()["username"] == "alice"


@pytest.mark.parametrize("header", [None, "", "Token", "Token ", "Basic abc", "Token not-a-real-token", "Bearer x y"])
def test_missing_or_malformed_token_is_401_json(api_client, alice, header):
    headers = {"Authorization": header} if header is not None else {}
    response = api_client().get(ME, headers=headers)
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert "detail" in response.json()


def test_expired_token_is_401(api_client, alice):
    token = login(api_client, "alice").json()["token"]
    AuthToken.objects.filter(user=alice).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert api_client(token=token).get(ME).status_code == 401


def test_token_expiry_follows_the_setting(api_client, alice, settings):
    settings.AUTH_TOKEN_TTL_HOURS = 3
    login(api_client, "alice")
    token = AuthToken.objects.get(user=alice)
    assert timedelta(hours=2, minutes=59) < token.expires_at - token.created_at <= timedelta(hours=3, seconds=5)


def test_logout_revokes_the_token(api_client, alice):
    token = login(api_client, "alice").json()["token"]
    client = api_client(token=token)
    assert client.post("/api/auth/logout/").status_code == 200
    assert client.get(ME).status_code == 401


def test_deactivated_user_token_stops_working(api_client, alice):
    client = api_client(alice)
    assert client.get(ME).status_code == 200
    alice.is_active = False
    alice.save()
    assert client.get(ME).status_code == 401


def test_passwords_are_hashed_with_argon2_in_production(settings, make_operator, django_settings_hashers):
    user = make_operator(username="hashme")
    user.set_password("a-good-password")
    assert identify_hasher(user.password).algorithm == "argon2"


@pytest.fixture
def django_settings_hashers(settings):
    from config import settings as project_settings

    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS


def test_login_body_with_wrong_types_is_422_with_field_map(api_client):
    response = api_client().post(LOGIN, {"username": "x"})
    assert response.status_code == 422
    assert "password" in response.json()["error"]


def test_malformed_json_is_4xx_json(api_client):
    response = api_client().post(LOGIN, "{not json", content_type="application/json")
    assert 400 <= response.status_code < 500
    assert response["Content-Type"].startswith("application/json")
