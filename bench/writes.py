"""Write costs: creating an appointment, one lifecycle action, a notification insert with and without the
counter triggers, and marking 10,000 notifications read (endpoint and bare UPDATE)."""

from __future__ import annotations

import datetime as dt
import json
import statistics
import time

import psycopg
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from psycopg.types.json import JsonLoader

from bench.endpoints import APPOINTMENTS
from bench.inprocess import Actors
from bench.sqlcopy import copy_sql, table_columns
from scheduling.models import (
    Appointment,
    AppointmentItemCache,
    AppointmentStatus,
    Client,
    Notification,
    Service,
)

NOTIFICATIONS = "/api/scheduling/notifications/"


def _ms(seconds: list[float]) -> float:
    return statistics.median(seconds) * 1000


def _detail(response) -> str:
    return response.content[:200].decode(errors="replace")


def create_appointments(actors: Actors, n: int, first_day: int = 400) -> tuple[dict, list[int]]:
    """POST n appointments as the operator, each on its own day from `first_day` days ahead (so nobody is
    double-booked; a later call passes the next free day)."""
    client = actors.client("operator")
    therapist = actors.users["therapist"]
    payload = {
        "client": Client.objects.order_by("id").values_list("id", flat=True).first(),
        "services": [Service.objects.order_by("id").values_list("id", flat=True).first()],
        "therapist": therapist.id,
        "start_time": "10:00",
        "location": "1 Benchmark St, Makati",
        "notes": "benchmark",
    }
    base = timezone.localdate() + dt.timedelta(days=first_day)
    samples, ids, queries = [], [], 0
    for i in range(n):
        body = {**payload, "date": (base + dt.timedelta(days=i)).isoformat()}
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.post(APPOINTMENTS, body, content_type="application/json")
            elapsed = time.perf_counter() - start
        if response.status_code not in (200, 201):
            if not ids:
                return {"status": "missing", "code": response.status_code, "detail": _detail(response)}, ids
            break
        samples.append(elapsed)
        queries = len(captured.captured_queries)
        ids.append(response.json()["id"])
    return {"status": "ok", "n": len(samples), "median_ms": _ms(samples), "queries": queries}, ids


def therapist_confirm(actors: Actors, ids: list[int], n: int) -> dict:
    """POST therapist_confirm on pending appointments of the benchmark's therapist."""
    therapist = actors.users["therapist"]
    if not ids:
        ids = list(
            Appointment.objects.filter(
                therapist=therapist, status=AppointmentStatus.PENDING, group_size=1, date__gte=timezone.localdate()
            ).values_list("id", flat=True)[:n]
        )
    client = actors.client("therapist")
    samples, queries, first = [], 0, None
    for appointment_id in ids[:n]:
        path = f"{APPOINTMENTS}{appointment_id}/therapist_confirm/"
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.post(path, {}, content_type="application/json")
            elapsed = time.perf_counter() - start
        if response.status_code != 200:
            first = first or {"code": response.status_code, "detail": _detail(response)}
            continue
        samples.append(elapsed)
        queries = len(captured.captured_queries)
    if not samples:
        return {"status": "missing", **(first or {"code": None, "detail": "no pending appointment to confirm"})}
    return {"status": "ok", "n": len(samples), "median_ms": _ms(samples), "queries": queries}


def _notification_template(conn: psycopg.Connection, user_id: int) -> tuple[list[str], int]:
    table = Notification._meta.db_table
    with conn.cursor() as cur:
        cols = table_columns(cur, table)
        cur.execute(f'SELECT min(id) FROM "{table}"')
        return cols, cur.fetchone()[0]


def notification_insert_cost(conn: psycopg.Connection, user_id: int, reps: int, rounds: int = 3) -> dict:
    """Single-row and 1,000-row inserts with the counter triggers, then with every user trigger disabled (inside
    a transaction that is rolled back, so the triggers are never really off). Rounds alternate to share noise."""
    table = Notification._meta.db_table
    cols, template = _notification_template(conn, user_id)
    one = copy_sql(
        cols,
        table,
        {"id": None, "user_id": str(int(user_id)), "is_read": "false", "created_at": "now()"},
        f'"{table}" s WHERE s.id = {int(template)}',
    )
    bulk = copy_sql(
        cols,
        table,
        {"id": None, "user_id": str(int(user_id)), "is_read": "false", "created_at": "now()"},
        f'"{table}" s CROSS JOIN generate_series(1, 1000) g WHERE s.id = {int(template)}',
    )
    samples: dict[str, list[float]] = {"on": [], "off": [], "bulk_on": [], "bulk_off": []}
    for _ in range(rounds):
        for mode in ("on", "off"):
            with conn.transaction(force_rollback=True), conn.cursor() as cur:
                if mode == "off":
                    cur.execute(f'ALTER TABLE "{table}" DISABLE TRIGGER USER')
                for _ in range(10):
                    cur.execute(one)  # warm-up
                for _ in range(reps):
                    start = time.perf_counter()
                    cur.execute(one)
                    samples[mode].append(time.perf_counter() - start)
                for _ in range(5):
                    start = time.perf_counter()
                    cur.execute(bulk)
                    samples[f"bulk_{mode}"].append(time.perf_counter() - start)
    result = {k: _ms(v) for k, v in samples.items()}
    return {
        "single_with_triggers_ms": result["on"],
        "single_without_triggers_ms": result["off"],
        "single_ratio": result["on"] / result["off"],
        "bulk1000_with_triggers_ms": result["bulk_on"],
        "bulk1000_without_triggers_ms": result["bulk_off"],
        "bulk1000_ratio": result["bulk_on"] / result["bulk_off"],
        "n": len(samples["on"]),
    }


def _add_unread(conn: psycopg.Connection, user_id: int, rows: int) -> None:
    table = Notification._meta.db_table
    cols, template = _notification_template(conn, user_id)
    conn.execute(
        copy_sql(
            cols,
            table,
            {"id": None, "user_id": str(int(user_id)), "is_read": "false", "created_at": "now() - g * interval '1 s'"},
            f'"{table}" s CROSS JOIN generate_series(1, {int(rows)}) g WHERE s.id = {int(template)}',
        )
    )
    conn.execute(f'VACUUM ANALYZE "{table}"')


def mark_all_read_cost(conn: psycopg.Connection, actors: Actors, who: str, rows: int, reps: int) -> dict:
    """10,000 unread rows for one user, then the endpoint marks them read; the same again with a bare UPDATE."""
    user_id = actors.users[who].id
    client = actors.client(who)
    table = Notification._meta.db_table
    before = conn.execute(f'SELECT coalesce(max(id), 0) FROM "{table}"').fetchone()[0]
    endpoint: dict = {"status": "ok"}
    samples, bare, queries = [], [], 0
    for _ in range(reps):
        _add_unread(conn, user_id, rows)
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.post(f"{NOTIFICATIONS}mark_all_as_read/", {}, content_type="application/json")
            elapsed = time.perf_counter() - start
        if response.status_code != 200:
            endpoint = {"status": "missing", "code": response.status_code, "detail": _detail(response)}
            conn.execute(f'UPDATE "{table}" SET is_read = true WHERE user_id = %s AND NOT is_read', [user_id])
            break
        samples.append(elapsed)
        queries = len(captured.captured_queries)
    if samples:
        endpoint.update(n=len(samples), median_ms=_ms(samples), queries=queries)
    for _ in range(reps):
        _add_unread(conn, user_id, rows)
        start = time.perf_counter()
        cur = conn.execute(f'UPDATE "{table}" SET is_read = true WHERE user_id = %s AND NOT is_read', [user_id])
        bare.append(time.perf_counter() - start)
        updated = cur.rowcount
    conn.execute(
        f'DELETE FROM "{table}" WHERE id > %s AND user_id = %s', [before, user_id]
    )  # leave the data set as seeded
    conn.execute(f'VACUUM ANALYZE "{table}"')
    return {"rows": rows, "endpoint": endpoint, "bare_update_ms": _ms(bare), "bare_updated": updated}


def _explained(conn: psycopg.Connection, sql: str, ignore: str = "{}") -> dict:
    """One run of `sql` under EXPLAIN ANALYZE, rolled back: execution time and each trigger's time. `ignore` is the
    `pgtrigger.ignore` setting of the transaction (the triggers it names return at once)."""
    with conn.transaction(force_rollback=True), conn.cursor() as cur:
        cur.adapters.register_loader("json", JsonLoader)  # parsed here, whatever the connection does (bench/floor.py)
        cur.execute("SELECT set_config('pgtrigger.ignore', %s, true)", [ignore])
        plan = cur.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}").fetchone()[0]
    top = (plan if isinstance(plan, list) else json.loads(plan))[0]
    return {"total": top["Execution Time"], **{t["Trigger Name"]: t["Time"] for t in top.get("Triggers", [])}}


def _ignore_setting(model, trigger_name: str) -> str:
    """The `pgtrigger.ignore` value that sets aside one trigger of `model`, as `pgtrigger.ignore(...)` writes it."""
    trigger = next(t for t in model._meta.triggers if t.name == trigger_name)
    pgid = trigger.get_pgid(model)
    return "{" + f"{model._meta.db_table}:{pgid},{pgid}" + "}"


def trigger_costs(conn: psycopg.Connection, reps: int = 30) -> list[dict]:
    """What the statements of a booking and an action do, trigger by trigger (EXPLAIN ANALYZE, median of `reps`
    runs, each rolled back). Triggers fired by a trigger are inside its time: the item-cache upsert is measured
    on its own to show the triggers on appointment_item_cache (data version, report dirty days)."""
    with conn.cursor() as cur:
        cur.execute(f'SELECT max(id) FROM "{Appointment._meta.db_table}"')
        appointment_id = cur.fetchone()[0]
        cur.execute(f'SELECT user_id FROM "{Notification._meta.db_table}" LIMIT 1')
        user_id = cur.fetchone()[0]
    statements = {
        "appointment UPDATE (one row)": f'UPDATE "{Appointment._meta.db_table}" SET notes = notes WHERE id = {appointment_id}',
        "item-cache upsert (one row)": (
            "INSERT INTO appointment_item_cache AS c (appointment_id, item) SELECT appointment_id, item"
            f" FROM appointment_item_cache WHERE appointment_id = {appointment_id}"
            " ON CONFLICT (appointment_id) DO UPDATE SET item = EXCLUDED.item"
        ),
        "notification INSERT (one row)": (
            f'INSERT INTO "{Notification._meta.db_table}" (user_id, notification_type, message, is_read, created_at)'
            f" VALUES ({int(user_id)}, 'system', 'bench', false, now())"
        ),
    }
    # a client statement may not write the item cache (its Protect trigger): this one writes it as a trigger would
    ignore = {"item-cache upsert (one row)": _ignore_setting(AppointmentItemCache, "appt_item_trigger_only")}
    out = []
    for label, sql in statements.items():
        runs = [_explained(conn, sql, ignore.get(label, "{}")) for _ in range(reps)]
        names = sorted({k for r in runs for k in r if k != "total"})
        triggers = {n: statistics.median(r.get(n, 0.0) for r in runs) for n in names}
        out.append({"statement": label, "total_ms": statistics.median(r["total"] for r in runs), "triggers": triggers})
    return out
