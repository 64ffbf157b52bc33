"""The floor: an endpoint's own SQL run straight through psycopg, rows serialized with orjson.

Endpoint time divided by floor time is the framework's overhead (SPEC section 9): the same round trips and
rows, without Django, pydantic or the renderer."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

import orjson
import psycopg
from psycopg.adapt import Loader

READ_PREFIXES = ("SELECT", "WITH", "(SELECT", "VALUES")


_LEADING_COMMENTS = re.compile(r"\A(?:\s+|--[^\n]*(?:\n|\Z)|/\*.*?\*/)*", re.S)


def is_read_query(sql_text: str) -> bool:
    """SELECT/WITH/VALUES, after any leading whitespace and comments (SQL files often open with one)."""
    return _LEADING_COMMENTS.sub("", sql_text, count=1).upper().startswith(READ_PREFIXES)


class _RawJsonLoader(Loader):
    """json/jsonb values stay the text PostgreSQL sent, embedded as is by orjson (no parse and re-dump), as a
    hand-written fast path would do with JSON built in SQL."""

    def load(self, data) -> orjson.Fragment:
        return orjson.Fragment(bytes(data))


def prepare_floor_connection(conn: psycopg.Connection) -> psycopg.Connection:
    for name in ("json", "jsonb"):
        conn.adapters.register_loader(name, _RawJsonLoader)
    return conn


def _json_default(value: object) -> str:
    return str(value)  # Decimal, ranges, timedelta: as the API's renderer does with Decimal


def floor_runner(conn: psycopg.Connection, statements: Iterable[str]) -> Callable[[], int]:
    """A function that runs every read statement (parameters already interpolated) on `conn` and serializes its
    rows as a JSON list of objects; it returns the bytes produced. Writes (UPDATE, SAVEPOINT, ...) are left out:
    the floor is the read path."""
    reads = [s for s in statements if is_read_query(s)]

    def run() -> int:
        size = 0
        with conn.cursor() as cur:
            for statement in reads:
                cur.execute(statement)
                if cur.description is None:
                    continue
                columns = [c.name for c in cur.description]
                rows = cur.fetchall()
                size += len(orjson.dumps([dict(zip(columns, r, strict=True)) for r in rows], default=_json_default))
        return size

    run.statements = reads  # type: ignore[attr-defined]
    return run
