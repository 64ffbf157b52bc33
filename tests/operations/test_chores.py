"""Operator chores, each a management command (README "Operator chores")."""

import io

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from scheduling.models import Appointment, Client, Role, User


def login(client, username: str, password: str) -> int:
    return client.post(
        "/api/auth/login/", {"username": username, "password": password}, content_type="application/json"
    ).status_code


def test_create_operator_makes_an_operator_who_can_log_in_to_the_api_and_the_admin(db, client, monkeypatch):
    monkeypatch.setenv("OPERATOR_PASSWORD", "first-operator-2026")
    out = io.StringIO()
    call_command("create_operator", "boss", "--email", "boss@example.com", stdout=out)
    user = User.objects.get(username="boss")
    assert (user.role, user.is_staff, user.is_superuser, user.email) == (Role.OPERATOR, True, True, "boss@example.com")
    assert "operator 'boss' created" in out.getvalue()
    assert login(client, "boss", "first-operator-2026") == 200
    # the admin's own login form (django-axes needs the request, which client.login() does not pass)
    answer = client.post("/admin/login/?next=/admin/", {"username": "boss", "password": "first-operator-2026"})
    assert (answer.status_code, answer["Location"]) == (302, "/admin/")
    assert client.get("/admin/").status_code == 200


def test_create_operator_reads_the_password_from_stdin(db, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("piped-password-2026\n"))
    call_command("create_operator", "piped", "--password-stdin", "--no-admin")
    user = User.objects.get(username="piped")
    assert user.check_password("piped-password-2026")
    assert not user.is_staff


@pytest.mark.parametrize(
    ("username", "password", "message"),
    [("weak", "short", "password"), ("taken", "long-enough-2026", "already exists")],
)
def test_create_operator_refuses_a_weak_password_or_a_taken_name(
    db, monkeypatch, make_operator, username, password, message
):
    make_operator(username="taken")
    monkeypatch.setenv("OPERATOR_PASSWORD", password)
    with pytest.raises(CommandError, match=message):
        call_command("create_operator", username)


def test_unlock_account_lets_a_locked_user_log_in_again(db, client, make_operator):
    make_operator(username="locked", password="right-password-2026")
    for _ in range(settings.LOGIN_MAX_FAILURES):  # django-axes locks the account from this address
        assert login(client, "locked", "wrong-password") == 401
    assert login(client, "locked", "right-password-2026") == 401
    out = io.StringIO()
    call_command("unlock_account", "LOCKED", stdout=out)
    assert out.getvalue().strip() == "locked: unlocked, failed logins reset"
    assert login(client, "locked", "right-password-2026") == 200


def test_unlock_account_names_an_unknown_account(db):
    with pytest.raises(CommandError, match="no account with username or email 'ghost'"):
        call_command("unlock_account", "ghost")


@pytest.mark.django_db(transaction=True)
def test_reset_demo_starts_the_data_over_with_the_demo_set(make_client):
    make_client(first_name="Only-before-the-reset")
    out = io.StringIO()
    call_command("reset_demo", "--yes", stdout=out)
    assert not Client.objects.filter(first_name="Only-before-the-reset").exists()
    assert Appointment.objects.exists()
    assert User.objects.filter(username="operator1", role=Role.OPERATOR).exists()
    assert "demo logins" in out.getvalue()
    call_command("verify_appointment_caches")  # raises on any drift
