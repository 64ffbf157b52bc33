"""Idempotency keys: the first answer to a write is stored with its key, in the write's own transaction, and a
retry with the same key and request gets that answer again without the write being done twice (issue 14).

The HTTP side (which requests, how answers are replayed) is api.middleware.IdempotencyMiddleware; this module
owns the rows. A key belongs to one user and lives IDEMPOTENCY_KEY_TTL_HOURS (24 by default).
"""

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from scheduling.errors import DomainError
from scheduling.models import IdempotencyKey

TABLE = IdempotencyKey._meta.db_table
MAX_KEY_LENGTH = 255


class KeyReused(DomainError):
    """The key was already used for another request (method, path or body differ)."""

    status_code = 422


@dataclass(frozen=True)
class StoredAnswer:
    status_code: int
    content_type: str
    body: bytes


def ttl() -> timedelta:
    return timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS)


def fingerprint(method: str, path: str, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), body):
        digest.update(len(part).to_bytes(8, "big"))  # length-prefixed: no two requests hash alike by accident
        digest.update(part)
    return digest.hexdigest()


def claim(user_id: int, key: str, request_fingerprint: str) -> StoredAnswer | None:
    """Inside the write's transaction: take the key for this request (None: go ahead and do the work), or return
    the answer stored for it. A concurrent request with the same key waits here until the first one commits (then
    it gets the stored answer) or rolls back (then it does the work). An expired row is taken over."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {TABLE} AS k (user_id, key, fingerprint, status_code, content_type, body, created_at)
                VALUES (%s, %s, %s, 0, '', '', now())
                ON CONFLICT (user_id, key) DO UPDATE
                    SET fingerprint = EXCLUDED.fingerprint, status_code = 0, content_type = '', body = '',
                        created_at = now()
                    WHERE k.created_at < now() - %s
                RETURNING 1""",
            [user_id, key, request_fingerprint, ttl()],
        )
        if cursor.fetchone() is not None:
            return None
        cursor.execute(
            f"SELECT fingerprint, status_code, content_type, body FROM {TABLE} WHERE user_id = %s AND key = %s",
            [user_id, key],
        )
        stored_fingerprint, status_code, content_type, body = cursor.fetchone()
    if stored_fingerprint != request_fingerprint:
        raise KeyReused(
            "This Idempotency-Key was already used for a different request; use a new key for a new request.",
            errors={"Idempotency-Key": ["Already used with another method, path or body."]},
        )
    return StoredAnswer(status_code, content_type, bytes(body))


def store(user_id: int, key: str, answer: StoredAnswer) -> None:
    """Record the answer of the request that claimed the key (same transaction as its write)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {TABLE} SET status_code = %s, content_type = %s, body = %s WHERE user_id = %s AND key = %s",
            [answer.status_code, answer.content_type, answer.body, user_id, key],
        )


def prune(now=None, batch_size: int = 5000) -> int:
    """Delete expired keys in batches (each its own short transaction); returns how many were deleted."""
    cutoff = (now or timezone.now()) - ttl()
    deleted = 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {TABLE} WHERE id IN (SELECT id FROM {TABLE} WHERE created_at < %s LIMIT %s)",
                [cutoff, batch_size],
            )
            deleted += cursor.rowcount
            if cursor.rowcount < batch_size:
                return deleted
