"""Login, logout and token lookup (SPEC sections 6 and 10)."""

import functools
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import connection, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from config import db_router
from scheduling.errors import Forbidden, NotAuthenticated
from scheduling.models import AuthToken, User, WritePosition
from scheduling.models.auth import hash_token, new_raw_token
from scheduling.services import login_throttle

INVALID_CREDENTIALS = "Invalid username/email or password."
ACCOUNT_DISABLED = "This account is disabled. Please contact your administrator."
# Checked against when the user does not exist, so a miss costs as much time as a wrong password.
_DUMMY_HASH = None


def _dummy_hash() -> str:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = make_password("not-a-real-password")
    return _DUMMY_HASH


def issue_token(user: User, *, hours: float | None = None, user_agent: str = "") -> str:
    """Store a new token's hash for `user` and return the raw token (shown once). Login, the tests and the
    benchmark all mint tokens here. `hours` defaults to AUTH_TOKEN_TTL_HOURS."""
    raw = new_raw_token()
    ttl = timedelta(hours=settings.AUTH_TOKEN_TTL_HOURS if hours is None else hours)
    AuthToken.objects.create(
        user=user, key_hash=hash_token(raw), expires_at=timezone.now() + ttl, user_agent=user_agent[:200]
    )
    return raw


def login(identifier: str, password: str, user_agent: str = "", request: HttpRequest | None = None) -> tuple[User, str]:
    """Check the credentials and issue a token. Raises NotAuthenticated with one message for every failure,
    so the answer never tells whether the account exists or is locked (login_throttle keeps the failures: the
    same queries whether or not the account exists, and a password hash is checked either way)."""
    identifier = (identifier or "").strip()
    now = timezone.now()
    with transaction.atomic():
        user = (
            User.objects.filter(Q(username__iexact=identifier) | (Q(email__iexact=identifier) & ~Q(email="")))
            .order_by("id")
            .first()
            if identifier
            else None
        )
        if not login_throttle.allowed(request, identifier, user):
            check_password(password, _dummy_hash())
            raise NotAuthenticated(INVALID_CREDENTIALS)
        if user is None:
            check_password(password, _dummy_hash())
        elif user.check_password(password):
            if not user.is_active:
                # Only someone who knows the password learns the account is disabled; a wrong one stays the 401.
                raise Forbidden(ACCOUNT_DISABLED, code="ACCOUNT_DISABLED")
            login_throttle.succeeded(request, user)
            user.last_login = now
            user.save(update_fields=["last_login"])
            return user, issue_token(user, user_agent=user_agent)
    # Recorded after the transaction: the failure counts even though the login is refused.
    login_throttle.failed(request, identifier, user)
    raise NotAuthenticated(INVALID_CREDENTIALS)


@functools.cache
def _token_lookup_sql(extra: str = "") -> tuple[str, list[str]]:
    """The SQL of the per-request token check, built once: every API request runs it, so it skips the ORM's
    query compiler (a few hundred microseconds a request) and maps the row with Model.from_db. `extra`: one more
    column after the user's (it may refer to the user as `u`), read in the same round trip."""
    fields = [f for f in User._meta.concrete_fields]
    columns = ", ".join(f'u."{f.column}"' for f in fields)
    if settings.DATABASE_REPLICA_URLS:
        # the caller's last write position, for the replica router (config/db_router.py); same round trip
        columns += f', (SELECT w."lsn"::text FROM "{WritePosition._meta.db_table}" w WHERE w."user_id" = u."id")'
    sql = (
        f'SELECT t."id", {columns}{", " + extra if extra else ""} FROM "{AuthToken._meta.db_table}" t '
        f'JOIN "{User._meta.db_table}" u ON u."id" = t."user_id" '
        'WHERE t."key_hash" = %s AND t."revoked_at" IS NULL AND t."expires_at" > now() AND u."is_active"'
    )
    return sql, [f.attname for f in fields]


def user_for_token(raw: str) -> User | None:
    """One query, always on the primary (a token issued a moment ago may not be on a replica yet): the live
    token joined to its active user."""
    return user_for_token_with(raw)[0]


def user_for_token_with(raw: str, extra: str = "") -> tuple[User | None, object]:
    """The token's user and the value of the `extra` column (see _token_lookup_sql), in one query, always on the
    primary (a token issued a moment ago may not be on a replica yet)."""
    if not raw or len(raw) > 200:
        return None, None
    sql, attnames = _token_lookup_sql(extra)
    with connection.cursor() as cursor:
        cursor.execute(sql, [hash_token(raw)])
        row = cursor.fetchone()
    if row is None:
        return None, None
    user = User.from_db(connection.alias, attnames, row[1 : 1 + len(attnames)])
    user.auth_token = AuthToken(id=row[0], user_id=user.pk)
    if settings.DATABASE_REPLICA_URLS:
        db_router.note_user(user.pk, row[1 + len(attnames)])  # the write position follows the user's columns
    return user, (row[-1] if extra else None)


def logout(token: AuthToken) -> None:
    AuthToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


def is_locked(user: User) -> bool:
    return login_throttle.is_locked(user)


def unlock_account(user: User) -> bool:
    """Lift a lockout left by failed logins (the admin action and `manage.py unlock_account`): every failure
    django-axes recorded against the account, from any address. Returns whether the account was locked."""
    was_locked = login_throttle.is_locked(user)
    login_throttle.unlock(user)
    return was_locked
