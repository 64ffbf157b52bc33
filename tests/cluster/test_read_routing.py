"""Reads of read-only requests go to the replica once it has replayed the caller's last write; writes, and the
reads of a user whose write the replica has not replayed, go to the primary; a stopped replica is skipped; after
a promotion, writes reach the new primary through the multi-host address (SPEC section 12). The failover test
comes last: it leaves the cluster with one node."""

import contextlib
import datetime as dt
import time

import psycopg
import pytest
from django.conf import settings
from django.db import close_old_connections, connections

from config import db_router, pg_cluster
from tests import factories
from tests.cluster.conftest import primary_lsn, replica_sql, wait_for_replay
from tests.helpers import ApiClient

pytestmark = pytest.mark.cluster

URL = "/api/scheduling/appointments/"
TOMORROW = dt.date.today() + dt.timedelta(days=1)
NOT_DATA = ("scheduling_authtoken", "scheduling_writeposition", "pg_is_in_recovery", "pg_current_wal")


@contextlib.contextmanager
def data_queries():
    """The SQL each database ran, leaving out the token lookup, the health check and the write position."""
    seen: dict[str, list[str]] = {alias: [] for alias in settings.DATABASES}

    def recorder(alias):
        def record(execute, sql, params, many, context):
            if not any(marker in sql for marker in NOT_DATA):
                seen[alias].append(sql)
            return execute(sql, params, many, context)

        return record

    with contextlib.ExitStack() as stack:
        for alias in settings.DATABASES:
            stack.enter_context(connections[alias].execute_wrapper(recorder(alias)))
        yield seen


def served_by(seen: dict[str, list[str]]) -> set[str]:
    return {alias for alias, queries in seen.items() if queries}


def list_ids(client: ApiClient) -> tuple[set[int], set[str]]:
    with data_queries() as seen:
        response = client.get(URL, {"page_size": 200})
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}, served_by(seen)


def book(client: ApiClient) -> int:
    body = {
        "client": factories.ClientFactory().id,
        "services": [factories.ServiceFactory().id],
        "therapist": factories.TherapistFactory().id,
        "date": str(TOMORROW),
        "start_time": "10:00",
        "location": "12 Rizal St, Makati",
    }
    with data_queries() as seen:
        response = client.post(URL, body)
    assert response.status_code == 201, response.content
    assert served_by(seen) == {"default"}
    return response.json()["id"]


@pytest.fixture
def paused_replay():
    replica_sql("SELECT pg_wal_replay_pause()")
    try:
        while replica_sql("SELECT pg_get_wal_replay_pause_state()")[0] != "paused":
            time.sleep(0.01)
        yield
    finally:
        replica_sql("SELECT pg_wal_replay_resume()")


def test_the_replica_alias_is_a_streaming_standby():
    assert replica_sql("SELECT pg_is_in_recovery()") == (True,)
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT state FROM pg_stat_replication WHERE application_name = %s", [pg_cluster.SLOT])
        assert cursor.fetchone() == ("streaming",)


def test_list_reads_go_to_the_replica_and_writes_to_the_primary():
    writer, reader = ApiClient(factories.OperatorFactory()), ApiClient(factories.OperatorFactory())
    booked = book(writer)
    wait_for_replay()
    ids, databases = list_ids(reader)
    assert databases == {"replica1"}
    assert booked in ids
    ids, databases = list_ids(writer)  # the replica has replayed the writer's booking
    assert databases == {"replica1"}
    assert booked in ids


def test_a_user_who_books_while_replay_is_paused_reads_the_booking_from_the_primary(paused_replay):
    writer, other = ApiClient(factories.OperatorFactory()), ApiClient(factories.OperatorFactory())
    booked = book(writer)
    ids, databases = list_ids(writer)
    assert databases == {"default"}
    assert booked in ids
    ids, databases = list_ids(other)  # no write of theirs is pending: the (paused, older) replica serves them
    assert databases == {"replica1"}
    assert booked not in ids


def test_reads_return_to_the_replica_once_it_has_replayed_the_write(paused_replay):
    writer = ApiClient(factories.OperatorFactory())
    booked = book(writer)
    assert list_ids(writer)[1] == {"default"}
    replica_sql("SELECT pg_wal_replay_resume()")
    wait_for_replay(primary_lsn())
    ids, databases = list_ids(writer)
    assert databases == {"replica1"}
    assert booked in ids


def test_a_replica_lagging_past_the_bound_is_skipped_for_everyone(settings, paused_replay):
    writer, other = ApiClient(factories.OperatorFactory()), ApiClient(factories.OperatorFactory())
    assert list_ids(other)[1] == {"replica1"}  # within the default bound (30 s)
    settings.DATABASE_REPLICA_MAX_LAG_SECONDS = 0.2
    book(writer)  # WAL the paused replica receives but does not replay
    while replica_sql("SELECT pg_last_wal_receive_lsn() > pg_last_wal_replay_lsn()")[0] is not True:
        time.sleep(0.01)
    time.sleep(0.3)
    db_router.forget_health()
    assert list_ids(other)[1] == {"default"}


def test_a_stopped_replica_is_skipped_with_no_error():
    reader = ApiClient(factories.OperatorFactory())
    wait_for_replay()
    assert list_ids(reader)[1] == {"replica1"}  # a live connection to the replica is open now
    pg_cluster.stop_node(pg_cluster.REPLICA)
    try:
        # The test client skips the per-request connection health check a server runs (close_old_connections),
        # so the first read fails on the replica's dead connection mid-request: the middleware answers it again
        # from the primary.
        assert list_ids(reader)[1] >= {"default"}
        close_old_connections()  # what the server does at each request's start
        assert list_ids(reader)[1] == {"default"}  # the replica is known down: not even tried
        db_router.forget_health()
        close_old_connections()
        assert list_ids(reader)[1] == {"default"}  # the health check finds it down
    finally:
        pg_cluster.start_node(pg_cluster.REPLICA)
        pg_cluster.wait_streaming()
        db_router.forget_health()
    wait_for_replay()
    assert list_ids(reader)[1] == {"replica1"}


def test_after_promoting_the_replica_and_stopping_the_primary_writes_continue():
    writer = ApiClient(factories.OperatorFactory())
    wait_for_replay()
    pg_cluster.promote(pg_cluster.REPLICA)
    pg_cluster.stop_node(pg_cluster.PRIMARY)
    db_router.forget_health()
    # What a server does at each request's start: the connection to the old primary fails its health check and
    # is dropped; the next query connects through the multi-host address to the node that accepts writes.
    close_old_connections()
    booked = book(writer)
    with psycopg.connect(pg_cluster.node_uri(pg_cluster.REPLICA)) as conn:
        assert conn.execute("SELECT pg_is_in_recovery()").fetchone() == (False,)
        assert conn.execute("SELECT 1 FROM scheduling_appointment WHERE id = %s", [booked]).fetchone() == (1,)
    ids, databases = list_ids(writer)  # the promoted node is no longer a replica: reads go to the primary
    assert databases == {"default"}
    assert booked in ids
