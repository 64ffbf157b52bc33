"""The lean request path: /api/ skips the admin's middlewares (config/lean.py); the admin keeps all of them."""

import pytest
from django.test import Client


def test_an_api_request_gets_no_session_csrf_or_message_machinery(api_client, operator):
    response = api_client(operator).get("/api/scheduling/services/")
    assert response.status_code == 200
    assert not response.cookies, "the token API sets no cookie"
    assert "Cookie" not in response.get("Vary", ""), "no session was touched"
    request = response.wsgi_request
    assert not hasattr(request, "session")
    assert not hasattr(request, "_messages")
    assert request.user == operator, "the token auth sets the user itself"


def test_an_api_request_keeps_server_timing_and_json_errors(api_client, operator):
    response = api_client(operator).get("/api/no-such-route/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "Not Found"}
    # Server-Timing only for a caller the API authenticated (issue 14): an unknown route checks no token
    assert "Server-Timing" not in response
    missing = api_client(operator).get("/api/scheduling/appointments/987654321/")
    assert missing.status_code == 404 and missing["Content-Type"].startswith("application/json")
    assert missing["Server-Timing"].startswith("db;dur=")


def test_an_anonymous_api_request_has_no_session_user(client, db):
    response = client.get("/api/health/")
    assert response.status_code == 200
    assert not hasattr(response.wsgi_request, "user")


def test_an_api_post_needs_no_csrf_token(operator):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(
        "/api/auth/login/", {"username": operator.username, "password": "wrong"}, content_type="application/json"
    )
    assert response.status_code == 401  # judged on the credentials, not refused for a missing CSRF token


def test_the_admin_keeps_sessions_and_csrf(db):
    strict = Client(enforce_csrf_checks=True)
    page = strict.get("/admin/login/")
    assert page.status_code == 200
    assert "csrftoken" in page.cookies
    refused = strict.post("/admin/login/", {"username": "x", "password": "y"})
    assert refused.status_code == 403  # no CSRF token: the admin still checks it


def test_the_admin_logs_in_with_a_session(admin_client):
    response = admin_client.get("/admin/")
    assert response.status_code == 200
    assert response.wsgi_request.user.is_superuser


def test_the_api_resolves_each_path_once_and_still_404s_unknown_ones(api_client, operator):
    from django.urls import Resolver404, get_resolver

    from config.lean import MemoizedResolver

    api_resolver = next(r for r in get_resolver().url_patterns if isinstance(r, MemoizedResolver))
    client = api_client(operator)
    client.get("/api/scheduling/services/")
    before = api_resolver._remembered.cache_info().hits
    response = client.get("/api/scheduling/services/")
    assert response.status_code == 200
    assert api_resolver._remembered.cache_info().hits == before + 1
    assert client.get("/api/scheduling/appointments/12345/").status_code == 404  # a route, with its own id
    with pytest.raises(Resolver404):
        api_resolver.resolve("no-such-route/")
    assert client.get("/api/no-such-route/").json() == {"detail": "Not Found"}
