"""Read replicas with read-your-writes by WAL position (SPEC section 12).

With `DATABASE_REPLICA_URLS` set, settings add one alias per replica (`replica1`, `replica2`, ...) and install
`PrimaryReplicaRouter` with `config.read_your_writes.ReadYourWritesMiddleware`. Per request:

- a read-only request (GET, HEAD, OPTIONS) may read from a replica; anything else reads and writes the primary;
- everything inside a transaction, and every read after a write in the same request, goes to the primary;
- the token lookup always runs on the primary and also returns the caller's last write position (the table
  `scheduling_writeposition`, written after each write request by the middleware); the request then reads from
  a healthy replica only if that replica has replayed at least that position (`pg_last_wal_replay_lsn()`),
  else from the primary. So a user never reads older data than their own last write, and other users' reads
  stay on the replica however far it lags (up to `DATABASE_REPLICA_MAX_LAG_SECONDS`);
- a replica that is down, not in recovery (promoted), or lagging past the bound is skipped; its health is
  cached per process for `DATABASE_REPLICA_CHECK_SECONDS`. A cached replay position is a lower bound of the
  real one (replay only moves forward), so deciding on a cached value never serves stale data.

Libraries looked at first: django-multidb-router (pins a client to the primary for a time window after a write,
by cookie), django-replicated and django-pindb (the same idea, cookie or thread state), django-balancer and
django-database-routing (no read-your-writes). None compares WAL positions, and the cookie approach needs the
frontend to send cookies cross-origin, which it does not (token auth).
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import random
import threading
import time

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# In recovery?, how far replayed, and the lag: 0 when everything received is replayed, else the age of the last
# replayed transaction (a replica idle because the primary is idle is not lagging).
HEALTH_SQL = """
SELECT pg_is_in_recovery(),
       pg_last_wal_replay_lsn()::text,
       CASE WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0
            ELSE coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 0) END
"""
RECORD_SQL = """
INSERT INTO scheduling_writeposition (user_id, lsn) VALUES (%s, pg_current_wal_insert_lsn())
ON CONFLICT (user_id) DO UPDATE SET lsn = greatest(scheduling_writeposition.lsn, excluded.lsn)
"""


def lsn_to_int(text: str | None) -> int | None:
    """`16/B374D848` -> a comparable integer (the two halves are hexadecimal)."""
    if not text:
        return None
    high, _, low = text.partition("/")
    return (int(high, 16) << 32) + int(low, 16)


def replica_aliases() -> list[str]:
    return [alias for alias in settings.DATABASES if alias.startswith("replica")]


@dataclasses.dataclass
class Health:
    checked_at: float
    usable: bool
    replay_lsn: int = 0
    lag_seconds: float = 0.0


_health: dict[str, Health] = {}
_health_lock = threading.Lock()


def forget_health() -> None:
    """Drop the cached replica health (tests; after a topology change)."""
    with _health_lock:
        _health.clear()


def replica_health(alias: str, max_age: float | None = None) -> Health:
    """The replica's state, from the per-process cache unless older than `max_age` seconds."""
    max_age = settings.DATABASE_REPLICA_CHECK_SECONDS if max_age is None else max_age
    now = time.monotonic()
    cached = _health.get(alias)
    if cached is not None and now - cached.checked_at < max_age:
        return cached
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute(HEALTH_SQL)
            in_recovery, replay, lag = cursor.fetchone()
        health = Health(now, bool(in_recovery) and replay is not None, lsn_to_int(replay) or 0, float(lag))
        health.usable = health.usable and health.lag_seconds <= settings.DATABASE_REPLICA_MAX_LAG_SECONDS
    except DatabaseError:
        connections[alias].close()
        health = Health(now, False)
    with _health_lock:
        _health[alias] = health
    return health


def mark_down(alias: str) -> None:
    """Treat the replica as unusable until its next health check."""
    with contextlib.suppress(DatabaseError):
        connections[alias].close()
    with _health_lock:
        _health[alias] = Health(time.monotonic(), False)


@dataclasses.dataclass
class RequestRoute:
    read_only: bool
    user_id: int | None = None
    user_lsn: int | None = None
    authenticated: bool = False
    wrote: bool = False
    alias: str | None = None  # chosen on the first routed read, then kept for the whole request


_route: contextvars.ContextVar[RequestRoute | None] = contextvars.ContextVar("db_route", default=None)


def begin_request(method: str) -> contextvars.Token:
    return _route.set(RequestRoute(read_only=method in SAFE_METHODS))


def end_request(token: contextvars.Token) -> RequestRoute | None:
    route = _route.get()
    _route.reset(token)
    return route


def replace_route(route: RequestRoute) -> None:
    _route.set(route)


def note_user(user_id: int, lsn: str | None) -> None:
    """Called by the token lookup: who is asking, and the WAL position of their last write."""
    route = _route.get()
    if route is not None:
        route.user_id, route.user_lsn, route.authenticated = user_id, lsn_to_int(lsn), True


def current_route() -> RequestRoute | None:
    return _route.get()


def record_write(user_id: int) -> None:
    """Store the primary's WAL insert position as the user's last write (after the request's commits, so it is
    at or past each of them)."""
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(RECORD_SQL, [user_id])


def _choose(route: RequestRoute) -> str:
    aliases = replica_aliases()
    random.shuffle(aliases)  # spread requests over the replicas
    for alias in aliases:
        health = replica_health(alias)
        if health.usable and route.user_lsn is not None and health.replay_lsn < route.user_lsn:
            health = replica_health(alias, max_age=0)  # the cache may be behind the replica: ask once more
        if not health.usable or (route.user_lsn is not None and health.replay_lsn < route.user_lsn):
            continue
        try:
            # a replica stopped since the last check is skipped here (Django would run the same health check at
            # the request's first query, so this costs nothing extra)
            connections[alias].close_if_health_check_failed()
            connections[alias].ensure_connection()
        except DatabaseError:
            mark_down(alias)
            continue
        return alias
    return DEFAULT_DB_ALIAS


class PrimaryReplicaRouter:
    """Reads of read-only requests go to a replica that has replayed the caller's last write; all else to the
    primary."""

    def db_for_read(self, model, **hints) -> str:
        route = _route.get()
        if route is None or not route.read_only or route.wrote or not route.authenticated:
            return DEFAULT_DB_ALIAS
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        if route.alias is None:
            route.alias = _choose(route)
        return route.alias

    def db_for_write(self, model, **hints) -> str:
        route = _route.get()
        if route is not None:
            route.wrote = True  # later reads in this request must see this write
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True  # the replicas hold the primary's rows

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints) -> bool:
        return db == DEFAULT_DB_ALIAS
