from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.hashers import identify_hasher
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
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


def login_from(api_client, address, identifier, password="secret-pass-123"):
    return api_client().post(LOGIN, {"username": identifier, "password": password}, REMOTE_ADDR=address)


def test_failures_from_one_address_lock_that_address_even_for_the_right_password(api_client, alice, settings):
    for _ in range(settings.LOGIN_MAX_FAILURES):
        assert login_from(api_client, "10.0.0.66", "alice", "wrong-password").status_code == 401
    locked = login_from(api_client, "10.0.0.66", "alice")
    assert locked.status_code == 401
    assert locked.json() == login_from(api_client, "10.0.0.66", "nobody").json()


def test_an_attackers_failures_do_not_lock_the_owner_out(api_client, alice, settings):
    for _ in range(settings.LOGIN_MAX_FAILURES * 2):
        login_from(api_client, "10.0.0.66", "alice", "wrong-password")
    assert login_from(api_client, "10.0.0.66", "alice").status_code == 401  # the attacker is locked
    assert login_from(api_client, "192.168.1.5", "alice").status_code == 200  # alice, from her own address, is not


def test_spraying_many_accounts_from_one_address_locks_the_address(api_client, make_operator, settings):
    names = [make_operator(username=f"user{i}").username for i in range(settings.LOGIN_MAX_FAILURES)]
    for name in names:
        login_from(api_client, "10.0.0.66", name, "wrong-password")
    assert login_from(api_client, "10.0.0.66", names[0]).status_code == 401
    assert login_from(api_client, "10.0.0.67", names[0]).status_code == 200


def test_the_lockout_settings_keep_their_meaning(api_client, alice, settings):
    settings.LOGIN_MAX_FAILURES = 2
    for _ in range(2):
        login_from(api_client, "10.0.0.66", "alice", "wrong-password")
    assert login_from(api_client, "10.0.0.66", "alice").status_code == 401
    settings.LOGIN_LOCKOUT_MINUTES = 0  # the lock has run out
    assert login_from(api_client, "10.0.0.66", "alice").status_code == 200


def test_lock_expires_and_an_operator_can_lift_it(api_client, alice, settings):
    for _ in range(settings.LOGIN_MAX_FAILURES):
        login_from(api_client, "10.0.0.66", "alice", "wrong-password")
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES + 1))
    assert login_from(api_client, "10.0.0.66", "alice").status_code == 200
    for _ in range(settings.LOGIN_MAX_FAILURES):
        login_from(api_client, "10.0.0.66", "alice", "wrong-password")
    call_command("axes_reset_ip", "10.0.0.66")
    assert login_from(api_client, "10.0.0.66", "alice").status_code == 200


def test_a_failed_login_costs_the_same_queries_for_a_known_and_an_unknown_account(api_client, alice):
    costs = []
    for name in ("alice", "nobody-at-all"):
        with CaptureQueriesContext(connection) as queries:
            assert login_from(api_client, "10.0.0.9", name, "wrong-password").status_code == 401
        costs.append(len(queries))
    assert costs[0] == costs[1]


def test_success_resets_the_failures_of_that_account(api_client, alice, settings):
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
