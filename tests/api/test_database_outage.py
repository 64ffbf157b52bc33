"""While PostgreSQL cannot be reached every endpoint answers 503 with Retry-After, never a 500, and never shows
the connection details; once it is back the next request succeeds (issue 14, item 4)."""

import contextlib

import pytest
from django.db import connection

from scheduling.services.auth import issue_token
from tests.helpers import ApiClient

UNREACHABLE_HOST = "/tmp/no-postgres-here-faults-test"  # a socket folder that does not exist


@contextlib.contextmanager
def database_unreachable():
    saved = dict(connection.settings_dict)
    connection.close()
    options = {**saved["OPTIONS"], "host": UNREACHABLE_HOST} if "host" in saved["OPTIONS"] else saved["OPTIONS"]
    connection.settings_dict.update(HOST=UNREACHABLE_HOST, PORT="5999", OPTIONS=options)
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


def assert_unavailable(response, *secrets: str) -> None:
    assert response.status_code == 503, response.content
    assert response["Content-Type"].startswith("application/json")
    assert int(response["Retry-After"]) > 0
    assert response.json()["detail"]
    for secret in filter(None, secrets):
        assert secret not in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_every_kind_of_endpoint_answers_503_while_the_database_is_down_and_recovers(operator):
    real_host = str(connection.settings_dict["HOST"] or connection.settings_dict["OPTIONS"].get("host", ""))
    token = issue_token(operator)
    # As a real server answers: an exception raised outside a view goes to handler500, not back to the test
    user, anonymous = ApiClient(token=token, raise_request_exception=False), ApiClient(raise_request_exception=False)
    with database_unreachable():
        secrets = (UNREACHABLE_HOST, real_host, "5999", "connection", "socket")
        assert_unavailable(anonymous.get("/api/health/"), *secrets)
        assert_unavailable(user.get("/api/scheduling/appointments/"), *secrets)
        assert_unavailable(user.get("/api/scheduling/notifications/unread_count/"), *secrets)
        assert_unavailable(user.post("/api/scheduling/clients/", {"first_name": "A"}), *secrets)
        assert_unavailable(anonymous.post("/api/auth/login/", {"username": "x", "password": "y"}), *secrets)
    assert user.get("/api/health/").status_code == 200
    assert user.get("/api/scheduling/appointments/").status_code == 200
