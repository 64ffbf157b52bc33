"""Backup and restore round-trip a seeded database: same rows in every table, same counters, and the restored
database still enforces its rules (triggers and views came back)."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from config import backup
from scheduling.demo import Seeder

pytestmark = pytest.mark.django_db(transaction=True)

COUNTERS = ("scheduling_notificationcounter", "scheduling_appointmentstatuscount")


def row_counts(url: str) -> dict[str, int]:
    import psycopg
    from psycopg import sql

    with psycopg.connect(url) as conn:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            ).fetchall()
        ]
        return {
            t: conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(t))).fetchone()[0] for t in tables
        }


def rows(url: str, query: str) -> list[tuple]:
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute(query).fetchall()


@pytest.fixture
def restored_name():
    name = connection.settings_dict["NAME"] + "_restored"
    yield name
    import psycopg
    from psycopg import sql

    url = backup.url_from_settings(connection.settings_dict)
    with psycopg.connect(backup.with_database(url, "postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def test_a_seeded_database_round_trips_through_backup_and_restore(tmp_path, restored_name):
    Seeder("small", progress=False).run()
    source = backup.url_from_settings(connection.settings_dict)
    dump = tmp_path / "scheduling.dump"

    call_command("backup_db", str(dump))
    assert dump.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format
    call_command("restore_db", str(dump), database=restored_name)

    target = backup.with_database(source, restored_name)
    before, after = row_counts(source), row_counts(target)
    assert after == before
    assert before["scheduling_appointment"] > 0 and before["scheduling_notification"] > 0
    for table in COUNTERS:
        query = f"SELECT * FROM {table} ORDER BY 1, 2"
        assert rows(target, query) == rows(source, query)
    # the counters still equal a recount, and the rules came back with the data
    assert rows(target, "SELECT * FROM notification_counter_drift") == []
    assert rows(target, "SELECT count(*) FROM appointment_items") == [(before["scheduling_appointment"],)]
    triggers = "SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal"
    assert rows(target, triggers) == rows(source, triggers)


def test_restore_refuses_a_database_that_is_not_empty(tmp_path):
    dump = tmp_path / "scheduling.dump"
    call_command("backup_db", str(dump))
    with pytest.raises(CommandError, match="is not empty"):
        call_command("restore_db", str(dump))


def test_restore_names_a_missing_file(tmp_path, restored_name):
    with pytest.raises(CommandError, match="no backup file at"):
        call_command("restore_db", str(tmp_path / "nope.dump"), database=restored_name)
