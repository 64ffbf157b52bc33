"""Tests on the local primary + replica cluster (`make cluster-test`, which runs
`python -m config.pg_cluster run --fresh -- pytest tests/cluster`). They need committed data to reach the replica,
so they use the cluster's own database, migrated once, outside pytest-django's per-test transactions; the cluster
is created fresh for each run and deleted with it. Without DATABASE_REPLICA_URLS they are skipped."""

import time

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connections

from config import db_router


def pytest_collection_modifyitems(config, items):
    if settings.DATABASE_REPLICA_URLS:
        return
    skip = pytest.mark.skip(reason="needs the local cluster: make cluster-test")
    for item in items:
        if "cluster" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def django_db_setup(django_db_blocker):
    """The cluster's database itself, migrated (no test database: a replica cannot create one)."""
    with django_db_blocker.unblock():
        call_command("migrate", verbosity=0)
        wait_for_replay()


@pytest.fixture(autouse=True)
def cluster_db(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        db_router.forget_health()
        yield
        for alias in connections:
            connections[alias].close()


def primary_lsn() -> str:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_insert_lsn()::text")
        return cursor.fetchone()[0]


def replica_sql(sql: str):
    with connections["replica1"].cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()


def wait_for_replay(lsn: str | None = None, timeout: float = 30) -> None:
    """Until the replica has replayed the primary's current position (or `lsn`)."""
    target = db_router.lsn_to_int(lsn or primary_lsn())
    deadline = time.monotonic() + timeout
    while db_router.lsn_to_int(replica_sql("SELECT pg_last_wal_replay_lsn()::text")[0]) < target:
        assert time.monotonic() < deadline, "the replica did not catch up"
        time.sleep(0.05)
    db_router.forget_health()
