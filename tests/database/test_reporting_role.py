"""The analysts' PostgreSQL role (issue 17): SELECT on the report_* views and nothing else, a statement timeout,
grants that survive a migration recreating a view, and a password PostgreSQL itself would verify."""

import base64
import re
import uuid

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from psycopg import errors

from scheduling.services.reporting_role import scram_sha256_verifier
from scheduling.sql_views import create_view

PASSWORD = "reporting-pass-2026"
SECRET_COLUMNS = {"password", "key_hash", "phone", "phone_number", "email", "address", "user_agent"}


def all_report_views() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT viewname FROM pg_views WHERE schemaname = current_schema() AND viewname LIKE 'report\\_%%'"
        )
        return sorted(row[0] for row in cursor.fetchall())


def base_tables() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        return sorted(row[0] for row in cursor.fetchall())


def connect_as(role: str, password: str = PASSWORD) -> psycopg.Connection:
    """The test database's server (socket or host, port) as the app reaches it, under the role's name."""
    params = {k: v for k, v in connection.get_connection_params().items() if k in {"dbname", "host", "port"}}
    return psycopg.connect(**params, user=role, password=password, autocommit=True)


@pytest.fixture
def reporting_role(transactional_db):
    """A role of this test run's own (roles are per server; several test databases may share one server)."""
    role = f"reporting_test_{uuid.uuid4().hex[:10]}"
    call_command("create_reporting_role", role=role, password=PASSWORD, statement_timeout="300ms")
    yield role
    with connection.cursor() as cursor:
        cursor.execute(f'DROP OWNED BY "{role}"')
        cursor.execute(f'DROP ROLE "{role}"')


def test_the_role_reads_every_report_view(reporting_role):
    views = all_report_views()
    assert {"report_appointment_changes", "report_staff_changes", "report_revenue_daily"} <= set(views)
    with connect_as(reporting_role) as conn:
        for view in views:
            conn.execute(f"SELECT * FROM {view} LIMIT 1").fetchall()


def test_the_role_reads_no_base_table_and_no_user_token_or_client_contact_column(reporting_role):
    tables = base_tables()
    assert {"scheduling_user", "scheduling_authtoken", "scheduling_client", "scheduling_appointmentevent"} <= set(
        tables
    )
    with connect_as(reporting_role) as conn:
        for table in tables:
            with pytest.raises(errors.InsufficientPrivilege):
                conn.execute(f'SELECT 1 FROM "{table}" LIMIT 1')
        with pytest.raises(errors.InsufficientPrivilege):
            conn.execute("SELECT phone_number FROM scheduling_client")
        # and no relation it may read has a secret or contact column
        readable = conn.execute(
            "SELECT c.relname, a.attname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
            "WHERE n.nspname = current_schema() AND has_table_privilege(current_user, c.oid, 'SELECT')"
        ).fetchall()
    assert {name for name, _ in readable} == set(all_report_views())
    assert not [(name, column) for name, column in readable if column in SECRET_COLUMNS]


def test_the_role_cannot_write_anything(reporting_role):
    with connect_as(reporting_role) as conn:
        conn.execute("SET default_transaction_read_only = off")  # its own session setting: the grants must hold
        for statement in (
            "UPDATE scheduling_appointment SET notes = 'x'",
            "DELETE FROM scheduling_appointmentevent",
            "INSERT INTO report_revenue_daily (date) VALUES (current_date)",
            "CREATE TABLE public.sneaky (id int)",
        ):
            with pytest.raises((errors.InsufficientPrivilege, errors.ObjectNotInPrerequisiteState)):
                conn.execute(statement)


def test_a_query_longer_than_the_statement_timeout_is_cut_off(reporting_role):
    with connect_as(reporting_role) as conn:
        assert conn.execute("SHOW statement_timeout").fetchone()[0] == "300ms"
        assert conn.execute("SHOW default_transaction_read_only").fetchone()[0] == "on"
        with pytest.raises(errors.QueryCanceled):
            conn.execute("SELECT pg_sleep(2)")


def test_running_the_command_again_keeps_the_password_and_updates_the_limits(reporting_role):
    call_command("create_reporting_role", role=reporting_role, statement_timeout="5s")
    with connect_as(reporting_role) as conn:
        assert conn.execute("SHOW statement_timeout").fetchone()[0] == "5s"
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolpassword LIKE 'SCRAM-SHA-256$%%' FROM pg_authid WHERE rolname = %s", [reporting_role])
        assert cursor.fetchone()[0] is True


def test_a_migration_that_recreates_a_report_view_keeps_the_grant(reporting_role, settings):
    settings.REPORTING_ROLE = reporting_role
    operation = create_view("report_revenue_daily", drop_first=True)
    with connection.cursor() as cursor:
        cursor.execute(operation.sql)
        cursor.execute("SELECT has_table_privilege(%s, 'report_revenue_daily', 'SELECT')", [reporting_role])
        assert cursor.fetchone()[0] is True
    with connect_as(reporting_role) as conn:
        conn.execute("SELECT * FROM report_revenue_daily LIMIT 1")


@pytest.mark.django_db
def test_the_password_is_sent_as_the_scram_verifier_postgresql_itself_computes():
    role = f"scram_test_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL password_encryption = 'scram-sha-256'")
        cursor.execute(f"CREATE ROLE \"{role}\" PASSWORD 'correct horse'")  # rolled back with the test
        cursor.execute("SELECT rolpassword FROM pg_authid WHERE rolname = %s", [role])
        stored = cursor.fetchone()[0]
    iterations, salt = re.match(r"SCRAM-SHA-256\$(\d+):([^$]+)\$", stored).groups()
    assert scram_sha256_verifier("correct horse", salt=base64.b64decode(salt), iterations=int(iterations)) == stored


@pytest.mark.django_db
def test_the_command_refuses_a_new_role_without_a_password_and_a_bad_name(monkeypatch):
    monkeypatch.delenv("REPORTING_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="password"):
        call_command("create_reporting_role", role=f"nobody_{uuid.uuid4().hex[:8]}")
    with pytest.raises(CommandError, match="lower-case"):
        call_command("create_reporting_role", role="Robert'); DROP TABLE x;--", password="x")


def test_the_role_sees_each_appointment_change_but_not_the_address_or_notes_typed_into_it(reporting_role):
    from tests import factories

    appointment = factories.AppointmentFactory(location="12 Secret St", notes="")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE scheduling_appointment SET location = '34 Hidden Ave', notes = 'call 0917 000 0000', "
            "payment_amount = 400 WHERE id = %s",
            [appointment.id],
        )
    with connect_as(reporting_role) as conn:
        (changes,) = conn.execute(
            "SELECT changes FROM report_appointment_changes WHERE appointment_id = %s AND event = 'updated'",
            [appointment.id],
        ).fetchone()
    assert changes["payment_amount"] == {"old": None, "new": 400}
    assert changes["location"] == changes["notes"] == {"old": None, "new": None, "masked": True}
    assert "Secret" not in str(changes) and "Hidden" not in str(changes) and "0917" not in str(changes)
