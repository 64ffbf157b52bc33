"""Retention of the change history (manage.py prune_history): old events go, in short batches.

Snapshot tables (appointments, availability, staff accounts) show a change as the difference from the previous
snapshot, so for every object the newest event older than the cutoff stays, relabelled `baseline` (its state at
the cutoff, no longer listed as a change); everything older goes. An object whose newest old event is its
deletion leaves nothing behind. Link tables (services, therapists of an appointment) record add/remove events
that stand alone, so every old one goes.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction

from scheduling.models.history import LINK_MODELS, SNAPSHOT_MODELS


@dataclass(frozen=True)
class PruneResult:
    table: str
    deleted: int
    kept_as_baseline: int


def _newer_old_event(table: str) -> str:
    return (
        f'EXISTS (SELECT 1 FROM "{table}" n '
        "WHERE n.pgh_obj_id = e.pgh_obj_id AND n.pgh_id > e.pgh_id AND n.pgh_created_at < %(cutoff)s)"
    )


def _superseded(table: str) -> str:
    """Old events that a newer old event of the same object follows (each object's newest old event stays)."""
    return f'FROM "{table}" e WHERE e.pgh_created_at < %(cutoff)s AND {_newer_old_event(table)}'


def _old_deletes(table: str) -> str:
    """Objects whose newest old event is their deletion: nothing of theirs needs to stay."""
    return (
        f"FROM \"{table}\" e WHERE e.pgh_created_at < %(cutoff)s AND e.pgh_label = 'delete' "
        f"AND NOT {_newer_old_event(table)}"
    )


def _old(table: str) -> str:
    return f'FROM "{table}" e WHERE e.pgh_created_at < %(cutoff)s'


def _delete_in_batches(table: str, where: str, cutoff: datetime, batch_size: int) -> int:
    deleted = 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f'DELETE FROM "{table}" WHERE pgh_id IN (SELECT e.pgh_id {where} ORDER BY e.pgh_id LIMIT %(limit)s)',
                {"cutoff": cutoff, "limit": batch_size},
            )
            count = cursor.rowcount
        deleted += count
        if count < batch_size:
            return deleted


def _count(where: str, cutoff: datetime) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) {where}", {"cutoff": cutoff})
        return cursor.fetchone()[0]


def prunable(cutoff: datetime) -> list[PruneResult]:
    """What prune(cutoff) would delete and keep, per table, without changing anything."""
    results = []
    for model in SNAPSHOT_MODELS:
        table = model._meta.db_table
        deleted = _count(_superseded(table), cutoff) + _count(_old_deletes(table), cutoff)
        results.append(PruneResult(table, deleted, _count(_old(table), cutoff) - deleted))
    for model in LINK_MODELS:
        table = model._meta.db_table
        results.append(PruneResult(table, _count(_old(table), cutoff), 0))
    return results


def prune(cutoff: datetime, *, batch_size: int = 5000) -> list[PruneResult]:
    """Delete history events created before `cutoff`, `batch_size` rows per statement, each batch its own
    transaction (no long locks; the tables are only appended to by the triggers meanwhile)."""
    results = []
    for model in SNAPSHOT_MODELS:
        table = model._meta.db_table
        deleted = _delete_in_batches(table, _superseded(table), cutoff, batch_size)
        deleted += _delete_in_batches(table, _old_deletes(table), cutoff, batch_size)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE \"{table}\" SET pgh_label = 'baseline' "
                "WHERE pgh_created_at < %(cutoff)s AND pgh_label <> 'baseline'",
                {"cutoff": cutoff},
            )
            cursor.execute(f'SELECT count(*) FROM "{table}" WHERE pgh_created_at < %(cutoff)s', {"cutoff": cutoff})
            kept = cursor.fetchone()[0]
        results.append(PruneResult(table, deleted, kept))
    for model in LINK_MODELS:
        table = model._meta.db_table
        results.append(PruneResult(table, _delete_in_batches(table, _old(table), cutoff, batch_size), 0))
    return results
