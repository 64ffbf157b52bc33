"""The parts of replica routing that need no replica (the cluster tests in tests/cluster/ cover the rest): WAL
positions compare as numbers, the stored position only moves forward, the token lookup reports it, and reads
stay on the primary outside read-only requests, inside transactions and after a write."""

import pytest
from django.db import DEFAULT_DB_ALIAS, connections

from config import db_router
from scheduling.models import WritePosition
from scheduling.services import auth as auth_service
from scheduling.services.auth import issue_token


def test_wal_positions_compare_by_both_halves():
    assert db_router.lsn_to_int("0/16B3748") < db_router.lsn_to_int("1/0") < db_router.lsn_to_int("1/A")
    assert db_router.lsn_to_int("16/B374D848") == (0x16 << 32) + 0xB374D848
    assert db_router.lsn_to_int(None) is None


def test_a_write_records_the_primarys_position_and_it_never_moves_back(operator):
    db_router.record_write(operator.id)
    first = WritePosition.objects.get(user=operator).lsn
    WritePosition.objects.filter(user=operator).update(lsn="FFFF/0")
    db_router.record_write(operator.id)
    assert WritePosition.objects.get(user=operator).lsn == "FFFF/0"
    assert db_router.lsn_to_int(first) < db_router.lsn_to_int("FFFF/0")


@pytest.fixture
def replicas_configured(settings):
    settings.DATABASE_REPLICA_URLS = ["postgresql://postgres@/scheduling?host=/nowhere"]
    auth_service._token_lookup_sql.cache_clear()
    yield
    settings.DATABASE_REPLICA_URLS = []
    auth_service._token_lookup_sql.cache_clear()


def test_the_token_lookup_reports_the_callers_last_write_position(operator, replicas_configured):
    token = db_router.begin_request("GET")
    try:
        WritePosition.objects.create(user=operator, lsn="2/A0")
        assert auth_service.user_for_token(issue_token(operator)) == operator
        route = db_router.current_route()
        assert (route.user_id, route.user_lsn, route.authenticated) == (operator.id, (2 << 32) + 0xA0, True)
    finally:
        db_router.end_request(token)


def test_reads_go_to_a_replica_only_in_a_read_only_request_after_the_token_lookup_and_before_any_write(
    monkeypatch,
):
    # no database: the decision alone, with a replica that has replayed everything
    monkeypatch.setattr(db_router, "_choose", lambda route: "replica1")
    router = db_router.PrimaryReplicaRouter()
    assert router.db_for_read(WritePosition) == DEFAULT_DB_ALIAS  # outside a request (commands, tests)
    token = db_router.begin_request("POST")
    db_router.note_user(7, None)
    assert router.db_for_read(WritePosition) == DEFAULT_DB_ALIAS
    db_router.end_request(token)
    token = db_router.begin_request("GET")
    try:
        assert router.db_for_read(WritePosition) == DEFAULT_DB_ALIAS  # before the token lookup
        db_router.note_user(7, "0/10")
        assert router.db_for_read(WritePosition) == "replica1"
        connection = connections[DEFAULT_DB_ALIAS]
        monkeypatch.setattr(connection, "in_atomic_block", True)
        assert router.db_for_read(WritePosition) == DEFAULT_DB_ALIAS  # inside a transaction
        monkeypatch.setattr(connection, "in_atomic_block", False)
        assert router.db_for_write(WritePosition) == DEFAULT_DB_ALIAS
        assert router.db_for_read(WritePosition) == DEFAULT_DB_ALIAS  # a GET that wrote reads its own write
    finally:
        db_router.end_request(token)
