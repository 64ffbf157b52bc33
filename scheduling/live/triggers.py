"""The database side of the live channel: triggers that `pg_notify` a small payload when rows change.

`live_event(...)` is declared in a model's `Meta.triggers`, so an event exists exactly when a change commits,
whoever wrote it (API, admin, a management command, raw SQL). The triggers are statement-level with transition
tables: a statement touching 10,000 rows sends a few hundred notifications of `CHUNK` rows each, not 10,000, and
PostgreSQL delivers them at commit (never for a rolled-back transaction). Payloads carry ids and a few short
columns, never whole objects, so they stay far under NOTIFY's 8,000-byte limit; the server process loads the
current rows itself (`scheduling.live.events`).

Payload: `{"k": kind, "op": "I"|"U"|"D", "rows": [{key: value, ...}, ...]}`. Another area adds its own kind by
declaring `live_event("its_kind", ...)` on its model and registering a handler with
`scheduling.live.events.handles("its_kind")`.
"""

from __future__ import annotations

import pgtrigger

CHANNEL = "live_events"
# rows per notification: ~80 bytes a row (ids, statuses) x 40 stays well under NOTIFY's 8,000 bytes
CHUNK = 40

_OPERATIONS = {
    "I": (pgtrigger.Insert, pgtrigger.Referencing(new="new_rows"), "new_rows n"),
    "U": (
        pgtrigger.Update,
        pgtrigger.Referencing(old="old_rows", new="new_rows"),
        "new_rows n JOIN old_rows o ON o.{pk} = n.{pk}",
    ),
    # the deleted row is read as `n` too, so one field list serves every operation
    "D": (pgtrigger.Delete, pgtrigger.Referencing(old="old_rows"), "old_rows n"),
}


def live_event(
    kind: str,
    *,
    name: str,
    fields: dict[str, str],
    old_fields: dict[str, str] | None = None,
    operations: str = "IUD",
    report_as: str | None = None,
    where: dict[str, str] | None = None,
    pk: str = "id",
) -> list[pgtrigger.Trigger]:
    """Statement-level AFTER triggers (one per operation in `operations`, a string of I, U, D) that notify
    `CHANNEL` with `{"k": kind, "op": ..., "rows": [...]}`.

    fields: payload key -> column of the written row (the old row for a delete), e.g. {"id": "id"};
    old_fields: payload key -> column of the row before an update (e.g. the previous status);
    report_as: the op letter to send whatever the operation (a link table's insert is its parent's update);
    where: op letter -> SQL condition over `n` (and `o` for updates) selecting the rows worth an event.
    """
    triggers = []
    for op in operations:
        operation, referencing, source = _OPERATIONS[op]
        columns = [f"'{key}', n.{column}" for key, column in fields.items()]
        if op == "U":
            columns += [f"'{key}', o.{column}" for key, column in (old_fields or {}).items()]
        condition = (where or {}).get(op)
        func = f"""
            PERFORM pg_notify('{CHANNEL}', json_build_object(
                        'k', '{kind}', 'op', '{report_as or op}', 'rows', json_agg(r.row))::text)
               FROM (SELECT json_build_object({", ".join(columns)}) AS row,
                            (row_number() OVER () - 1) / {CHUNK} AS chunk
                       FROM {source.format(pk=pk)}
                      {f"WHERE {condition}" if condition else ""}) AS r
              GROUP BY r.chunk;
            RETURN NULL;
        """
        triggers.append(
            pgtrigger.Trigger(
                name=f"{name}_live_{op.lower()}",
                level=pgtrigger.Statement,
                when=pgtrigger.After,
                operation=operation,
                referencing=referencing,
                func=func,
            )
        )
    return triggers
