"""One transaction per business operation, retried when PostgreSQL aborts it for a deadlock or a serialization
failure (SQLSTATE 40P01, 40001), and the staff locks that make booking writers queue in one order.

Locks are taken in one order everywhere (staff in id order here, counter rows in key order in the triggers), so
deadlocks are rare; the retry covers the rest: PostgreSQL rolled the whole transaction back, so running the
operation again is safe and the caller never sees the deadlock.
"""

import functools
import logging
import random
import time
from collections.abc import Callable, Iterable
from typing import ParamSpec, TypeVar

from django.db import OperationalError, connection, transaction
from psycopg import errors as pg_errors

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
P = ParamSpec("P")
T = TypeVar("T")


def is_retryable(exc: BaseException) -> bool:
    """A deadlock or serialization failure: PostgreSQL aborted the transaction and it may simply run again."""
    cause = exc.__cause__ if isinstance(exc, OperationalError) else exc
    return isinstance(cause, pg_errors.DeadlockDetected | pg_errors.SerializationFailure)


def run_in_transaction(fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run fn in a transaction; on a deadlock or serialization failure run it again (at most MAX_ATTEMPTS times,
    with a short random pause). Inside an outer transaction only the owner of that transaction can retry (the
    work before us was rolled back too), so there fn runs once in a savepoint and the error propagates."""
    if connection.in_atomic_block:
        with transaction.atomic():
            return fn(*args, **kwargs)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            with transaction.atomic():
                return fn(*args, **kwargs)
        except OperationalError as exc:
            if attempt == MAX_ATTEMPTS or not is_retryable(exc):
                raise
            logger.info("retrying %s after %s (attempt %d)", fn.__qualname__, type(exc.__cause__).__name__, attempt)
            # Random back-off so the transactions that collided do not collide again in the same order.
            time.sleep(random.uniform(0.01, 0.05) * attempt)
    raise AssertionError("unreachable")


def transactional(fn: Callable[P, T]) -> Callable[P, T]:
    """Decorator form of run_in_transaction: a service function that is one retried transaction."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        return run_in_transaction(fn, *args, **kwargs)

    return wrapper


def lock_staff(staff_ids: Iterable[int | None], *, reserve_id_of: str | None = None) -> int | None:
    """Queue booking writers per staff member, in id order (one order for everyone, so no deadlock between them).
    Transaction-scoped advisory locks: they guard the check-then-insert of a booking without blocking reads or
    other writes of the user rows. The caller's next statement sees what the previous holder committed.
    reserve_id_of: a table whose next id is drawn in the same round trip (and returned), for a row whose children
    are inserted before it (foreign keys are checked at commit)."""
    ids = sorted({i for i in staff_ids if i is not None})
    locks = (
        "SELECT count(*) FROM (SELECT pg_advisory_xact_lock(hashtextextended('staff_booking:' || id, 0))"
        " FROM unnest(%s::bigint[]) AS id ORDER BY id) AS locked"
    )
    if reserve_id_of is None:
        if ids:
            with connection.cursor() as cursor:
                cursor.execute(locks, [ids])
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT ({locks}), nextval(pg_get_serial_sequence(%s, 'id'))", [ids, reserve_id_of])
        return cursor.fetchone()[1]
