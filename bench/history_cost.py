"""What the change history (django-pghistory triggers, issue 17) adds to writes: a booking (POST appointments/)
and a status step (therapist_confirm), each with the history triggers enabled and disabled, interleaved in
rounds so the machine's noise falls on both; and a 1,000-row notification insert, which must cost the same
either way (notifications keep no history) and write no history row."""

from __future__ import annotations

import datetime as dt
import statistics
import time

import psycopg
from django.db import connection
from django.utils import timezone

from bench.endpoints import APPOINTMENTS
from bench.inprocess import Actors
from bench.sqlcopy import copy_sql, table_columns
from scheduling.models import Client, Notification, Service
from scheduling.models.history import LINK_MODELS, SNAPSHOT_MODELS

HISTORY_TABLES = [m._meta.db_table for m in (*SNAPSHOT_MODELS, *LINK_MODELS)]
HISTORY_TRIGGERS_SQL = (
    "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
    "WHERE NOT t.tgisinternal AND t.tgname LIKE 'pgtrigger\\_%\\_history\\_%' ORDER BY 1, 2"
)


def _ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def _set_history_triggers(conn: psycopg.Connection, enabled: bool) -> int:
    """Enable or disable every history trigger (committed DDL on the benchmark's own database)."""
    rows = conn.execute(HISTORY_TRIGGERS_SQL).fetchall()
    verb = "ENABLE" if enabled else "DISABLE"
    for table, trigger in rows:
        conn.execute(f'ALTER TABLE "{table}" {verb} TRIGGER "{trigger}"')
    return len(rows)


def _history_rows(conn: psycopg.Connection) -> int:
    return sum(conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in HISTORY_TABLES)


def _bulk_notifications_sql(conn: psycopg.Connection, user_id: int) -> str:
    table = Notification._meta.db_table
    with conn.cursor() as cur:
        cols = table_columns(cur, table)
        cur.execute(f'SELECT min(id) FROM "{table}"')
        template = cur.fetchone()[0]
    return copy_sql(
        cols,
        table,
        {"id": None, "user_id": str(int(user_id)), "is_read": "false", "created_at": "now()"},
        f'"{table}" s CROSS JOIN generate_series(1, 1000) g WHERE s.id = {int(template)}',
    )


class Refused(RuntimeError):
    """A booking or confirmation the API did not accept: the history figures are missing, with its answer."""


def _book_and_confirm(operator, therapist, body: dict, samples: dict[str, list[float]], mode: str) -> None:
    """Books one appointment as the operator and confirms it as the therapist, timing each request."""
    start = time.perf_counter()
    created = operator.post(APPOINTMENTS, body, content_type="application/json")
    samples[f"book_{mode}"].append(time.perf_counter() - start)
    if created.status_code != 201:
        raise Refused(f"booking: {created.status_code} {created.content[:120]!r}")
    path = f"{APPOINTMENTS}{created.json()['id']}/therapist_confirm/"
    start = time.perf_counter()
    confirmed = therapist.post(path, {}, content_type="application/json")
    samples[f"confirm_{mode}"].append(time.perf_counter() - start)
    if confirmed.status_code != 200:
        raise Refused(f"therapist_confirm: {confirmed.status_code} {confirmed.content[:120]!r}")


def _time_bulk(conn: psycopg.Connection, bulk_sql: str, samples: list[float]) -> int:
    """Times the 1,000-row notification insert three times, rolled back; returns the history rows it wrote."""
    with conn.transaction(force_rollback=True):
        before_bulk = _history_rows(conn)
        for _ in range(3):
            start = time.perf_counter()
            conn.execute(bulk_sql)
            samples.append(time.perf_counter() - start)
        return _history_rows(conn) - before_bulk


def history_cost(conn: psycopg.Connection, actors: Actors, per_round: int, rounds: int) -> dict:
    """Book then confirm `per_round` appointments per mode and round (modes alternate each round), and time a
    rolled-back 1,000-row notification insert the same way. Leaves the triggers enabled, whatever happens."""
    operator, therapist = actors.client("operator"), actors.client("therapist")
    body = {
        "client": Client.objects.order_by("id").values_list("id", flat=True).first(),
        "services": list(Service.objects.order_by("id").values_list("id", flat=True)[:2]),
        "therapist": actors.users["therapist"].id,
        "start_time": "10:00",
        "location": "1 Benchmark St, Makati",
        "notes": "history benchmark",
    }
    base = timezone.localdate() + dt.timedelta(days=800)  # beyond the other write benchmarks' days
    samples: dict[str, list[float]] = {f"{k}_{m}": [] for k in ("book", "confirm", "bulk") for m in ("on", "off")}
    events: dict[str, int] = {}
    bulk_sql = _bulk_notifications_sql(conn, actors.users["driver"].id)
    day = 0
    try:
        for _ in range(rounds):
            for mode in ("on", "off"):
                triggers = _set_history_triggers(conn, mode == "on")
                connection.close()  # a fresh Django connection: no cached plan from the other mode
                before = _history_rows(conn)
                for _ in range(per_round):
                    day += 1
                    _book_and_confirm(
                        operator,
                        therapist,
                        {**body, "date": (base + dt.timedelta(days=day)).isoformat()},
                        samples,
                        mode,
                    )
                events[mode] = events.get(mode, 0) + _history_rows(conn) - before
                events[f"bulk_{mode}"] = _time_bulk(conn, bulk_sql, samples[f"bulk_{mode}"])
    except RuntimeError as exc:
        return {"status": "missing", "code": None, "detail": str(exc) if isinstance(exc, Refused) else "failed"}
    finally:
        _set_history_triggers(conn, True)
    med = {k: _ms(v) for k, v in samples.items()}
    n = per_round * rounds
    return {
        "status": "ok",
        "n": n,
        "triggers": triggers,
        "book_on_ms": med["book_on"],
        "book_off_ms": med["book_off"],
        "confirm_on_ms": med["confirm_on"],
        "confirm_off_ms": med["confirm_off"],
        "bulk_on_ms": med["bulk_on"],
        "bulk_off_ms": med["bulk_off"],
        "events_per_booking_and_step": events["on"] / n,
        "events_with_triggers_off": events["off"],
        "events_from_1000_notifications": events["bulk_on"],
    }


def rows(h: dict) -> list[list]:
    """Rows for the README's writes table."""
    if h.get("status") != "ok":
        return [["history triggers", None, f"missing: {h.get('detail', '')[:80]}"]]

    def ratio(on: float, off: float) -> str:
        return f"history off {off:.2f} ms, ratio {on / off:.2f}, +{on - off:.2f} ms"

    return [
        ["booking (POST, 2 services), history on", h["book_on_ms"], ratio(h["book_on_ms"], h["book_off_ms"])],
        ["therapist_confirm, history on", h["confirm_on_ms"], ratio(h["confirm_on_ms"], h["confirm_off_ms"])],
        [
            "1,000-row notification insert, history on",
            h["bulk_on_ms"],
            f"history off {h['bulk_off_ms']:.2f} ms, ratio {h['bulk_on_ms'] / h['bulk_off_ms']:.2f}; "
            f"history rows written: {h['events_from_1000_notifications']}",
        ],
        [
            "history rows per booking + status step",
            None,
            f"{h['events_per_booking_and_step']:.0f} ({h['triggers']} history triggers; n={h['n']} per mode, "
            "on/off interleaved)",
        ],
    ]
