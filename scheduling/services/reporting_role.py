"""The read-only PostgreSQL login role for analysts (issue 17): it may SELECT the report_* views and nothing else.

The views keep PostgreSQL's default owner rights (not `security_invoker`): a view reads its tables with the rights
of its owner (the application's role), so the reporting role reads what a view shows (aggregates, ids, staff
names, the change history) and never the tables behind it, whose other columns (password and token hashes,
clients' phone numbers, e-mails and addresses) it cannot name. With `security_invoker` the role would need SELECT
on those base tables, which is exactly what it must not have.

Grants follow the views: `scheduling.sql_views.create_view` re-grants a `report_*` view to the role whenever a
migration (re)creates it (a `DROP VIEW ... CASCADE` loses the grant), and this command grants every existing one.
"""

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from django.db import connection, transaction

from scheduling.errors import BadRequest

ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
REPORT_VIEW_PATTERN = r"report\_%"
SCRAM_ITERATIONS = 4096


@dataclass(frozen=True)
class RoleResult:
    role: str
    created: bool
    password_set: bool
    views: list[str]


def scram_sha256_verifier(password: str, *, salt: bytes | None = None, iterations: int = SCRAM_ITERATIONS) -> str:
    """The SCRAM-SHA-256 verifier PostgreSQL stores for `password` (RFC 5802/7677), computed here so the plain
    password never reaches the server, its logs or pg_stat_statements."""
    salt = salt or secrets.token_bytes(16)
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()

    def b64(value: bytes) -> str:
        return base64.b64encode(value).decode()

    return f"SCRAM-SHA-256${iterations}:{b64(salt)}${b64(stored_key)}:{b64(server_key)}"


def check_role_name(role: str) -> str:
    if not ROLE_NAME.match(role or ""):
        raise BadRequest(f"Role name '{role}' must be lower-case letters, digits and underscores (at most 63).")
    return role


def grant_view_sql(view: str, role: str) -> str:
    """SQL that grants SELECT on `view` to `role` when that role exists (a migration run before the role was
    made, or on a server without it, does nothing)."""
    check_role_name(role)
    return (
        "DO $grant$ BEGIN "
        f"IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') THEN "
        f"EXECUTE format('GRANT SELECT ON %I TO %I', '{view}', '{role}'); "
        "END IF; END $grant$;"
    )


def report_views() -> list[str]:
    """Every view of the current schema whose name starts with report_."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('v', 'm') AND n.nspname = current_schema() AND c.relname LIKE %s "
            "ORDER BY c.relname",
            [REPORT_VIEW_PATTERN],
        )
        return [row[0] for row in cursor.fetchall()]


def ensure_reporting_role(
    role: str, *, password: str | None, statement_timeout: str, connection_limit: int
) -> RoleResult:
    """Create or update the role (idempotent): LOGIN, no other attribute, SELECT on every report_* view only, a
    statement timeout, read-only transactions by default and a cap on its connections. `password` None keeps the
    existing one (a new role needs one)."""
    check_role_name(role)
    if connection_limit < 1:
        raise BadRequest("The connection limit must be at least 1.")
    quoted = connection.ops.quote_name(role)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        exists = cursor.fetchone() is not None
        if not exists and not password:
            raise BadRequest(f"Role {role} does not exist yet: give it a password.")
        attributes = (
            "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS "
            f"CONNECTION LIMIT {int(connection_limit)}"
        )
        params: list[str] = []
        if password:
            attributes += " PASSWORD %s"
            params.append(scram_sha256_verifier(password))
        cursor.execute(f"{'ALTER' if exists else 'CREATE'} ROLE {quoted} WITH {attributes}", params)
        # Guard rails for the sessions it opens (a session may lower or lift its own settings; the grants below
        # are the security boundary, these keep an honest heavy query from starving the API).
        cursor.execute(f"ALTER ROLE {quoted} SET statement_timeout = %s", [statement_timeout])
        cursor.execute(f"ALTER ROLE {quoted} SET idle_in_transaction_session_timeout = %s", ["60s"])
        cursor.execute(f"ALTER ROLE {quoted} SET default_transaction_read_only = on")
        # Start from nothing in this database, then grant the reports alone.
        cursor.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {quoted}")
        cursor.execute(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {quoted}")
        cursor.execute(f"REVOKE CREATE ON SCHEMA public FROM {quoted}")
        cursor.execute(f"GRANT USAGE ON SCHEMA public TO {quoted}")
        cursor.execute("SELECT current_database()")
        database = connection.ops.quote_name(cursor.fetchone()[0])
        cursor.execute(f"GRANT CONNECT ON DATABASE {database} TO {quoted}")
        views = report_views()
        for view in views:
            cursor.execute(f"GRANT SELECT ON {connection.ops.quote_name(view)} TO {quoted}")
    return RoleResult(role=role, created=not exists, password_set=bool(password), views=views)
