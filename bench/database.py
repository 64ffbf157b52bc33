"""The benchmark's own database: `<name>_bench` on the server DATABASE_URL names, dropped and created anew."""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql


def database_url() -> str:
    """DATABASE_URL, or the embedded server's URI when it is unset (as config.settings does)."""
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    from config import embedded_pg

    return embedded_pg.uri()


def with_database(url: str, name: str) -> str:
    """The same server URL pointing at another database (query string, e.g. a socket host, kept)."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/") or "postgres"


def bench_url(url: str) -> str:
    return with_database(url, f"{database_name(url)}_bench")


def psycopg_conninfo(url: str) -> str:
    """psycopg takes the URL as is; 'postgres://' is normalised for libpq."""
    return "postgresql://" + url.split("://", 1)[1] if url.startswith("postgres://") else url


def recreate_database(url: str) -> None:
    """Drop (forcing out any session) and create the database that `url` names, via the server's `postgres` db."""
    name = database_name(url)
    with psycopg.connect(psycopg_conninfo(with_database(url, "postgres")), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(url: str) -> None:
    """Drop the database that `url` names (forcing out any session left open); nothing if it is gone."""
    with psycopg.connect(psycopg_conninfo(with_database(url, "postgres")), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database_name(url))))


def server_version(url: str) -> str:
    with psycopg.connect(psycopg_conninfo(url), autocommit=True) as conn:
        return conn.execute("SHOW server_version").fetchone()[0]
