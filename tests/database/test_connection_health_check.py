"""config/postgresql: CONN_HEALTH_CHECKS without a round trip while the connection is healthy."""

import time

import psycopg
import pytest
from django.db import connections

from config.postgresql.base import DatabaseWrapper

pytestmark = pytest.mark.django_db(transaction=True)

connection = connections["default"]


def test_the_project_uses_the_backend():
    assert isinstance(connection, DatabaseWrapper)
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True


def test_a_healthy_idle_connection_is_usable_without_asking_the_server(monkeypatch):
    connection.ensure_connection()

    def no_round_trip(self):
        raise AssertionError("SELECT 1 was sent")

    monkeypatch.setattr("django.db.backends.postgresql.base.DatabaseWrapper.is_usable", no_round_trip)
    assert connection.is_usable() is True


@pytest.fixture
def dead_connection_dropped():
    yield
    if connection.connection is not None and connection.connection.closed is False and not connection.is_usable():
        connection.close()  # a failed assertion must not leave the dead connection to the tests after this one


def test_a_connection_the_server_ended_is_not_usable_and_is_replaced(dead_connection_dropped):
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    with psycopg.connect(connection.connection.info.dsn, autocommit=True) as admin:
        # pg_terminate_backend only signals the backend; with a timeout it waits until the process has exited
        assert admin.execute("SELECT pg_terminate_backend(%s, 10000)", [pid]).fetchone()[0] is True
    deadline = time.monotonic() + 5
    while connection.is_usable():  # the FATAL notice and the close reach the socket
        if time.monotonic() > deadline:
            pytest.fail("a terminated connection still passes the health check")
        time.sleep(0.01)
    # Django's own path: the first query of a request runs the check, drops the dead connection and reconnects
    connection.health_check_done = False
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != pid


def test_a_connection_left_in_a_transaction_is_checked_by_the_server(monkeypatch):
    connection.ensure_connection()
    asked = []
    monkeypatch.setattr(
        "django.db.backends.postgresql.base.DatabaseWrapper.is_usable", lambda self: asked.append(1) or True
    )
    connection.connection.execute("BEGIN")
    try:
        assert connection.is_usable() is True
        assert asked == [1]
    finally:
        connection.connection.execute("ROLLBACK")
