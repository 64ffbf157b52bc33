"""config/postgresql: CONN_HEALTH_CHECKS without a round trip while the connection is healthy."""

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


def test_a_connection_the_server_ended_is_not_usable_and_is_replaced():
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    with psycopg.connect(connection.connection.info.dsn, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    for _ in range(50):  # the FATAL notice and the close reach the socket
        if not connection.is_usable():
            break
    else:
        pytest.fail("a terminated connection still passes the health check")
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
