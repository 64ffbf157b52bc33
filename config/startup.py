"""Start-up checks that end in one readable line instead of a traceback.

- `check_database_url(url)`: the project runs on PostgreSQL only; anything else (sqlite, a typo in the scheme)
  stops here, saying what was given (password hidden).
- `check_database_connection()`: connects once; an unreachable server or refused credentials stop here, naming
  the host and the cause.
- `check_port_free(host, port)`: a taken port is reported before "serving on ..." is printed, with the PORT hint.

Each raises `StartupError`, a SystemExit whose message Python prints as one line on stderr (exit status 1).
"""

from __future__ import annotations

import errno
import os
import re
import socket
from urllib.parse import urlsplit, urlunsplit

POSTGRES_SCHEMES = {"postgres", "postgresql", "pgsql"}


class StartupError(SystemExit):
    def __init__(self, message: str) -> None:
        super().__init__(f"error: {message}")


def redact(url: str) -> str:
    """The URL without its password, fit to print."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparsable>"
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def check_database_url(url: str) -> None:
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme not in POSTGRES_SCHEMES:
        given = f"{scheme!r} in {redact(url)!r}" if scheme else repr(redact(url))
        raise StartupError(
            f"PostgreSQL is required, but DATABASE_URL gives {given}. Use "
            "postgresql://USER:PASSWORD@HOST:PORT/NAME, or unset DATABASE_URL to use the embedded server."
        )


def _where(settings_dict: dict) -> str:
    host = settings_dict.get("HOST") or settings_dict.get("OPTIONS", {}).get("host") or "localhost"
    port = settings_dict.get("PORT")
    place = f"{host}:{port}" if port and not str(host).startswith("/") else str(host)
    return f"{place} (database {settings_dict.get('NAME')!r}, user {settings_dict.get('USER') or 'default'!r})"


def _cause(exc: BaseException) -> str:
    # psycopg: 'connection failed: connection to server at "h", port p failed: FATAL:  <reason>' and a hint line
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    if not lines:
        return type(exc).__name__
    reason = lines[0].rsplit(" failed: ", 1)[-1]
    return re.sub(r"^(FATAL|ERROR):\s+", "", reason)


def check_database_connection(alias: str = "default") -> None:
    from django.db import OperationalError, connections

    connection = connections[alias]
    try:
        connection.ensure_connection()
    except OperationalError as exc:
        hint = ""
        if not os.environ.get("DATABASE_URL"):
            hint = " (the embedded server is not running: `make run` starts it, or `make db-start`)"
        raise StartupError(
            f"cannot connect to PostgreSQL at {_where(connection.settings_dict)}: {_cause(exc)}{hint}"
        ) from None


def check_port_free(host: str, port: int | str) -> None:
    try:
        number = int(port)
    except ValueError:
        raise StartupError(f"PORT must be a number, got {port!r}.") from None
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as probe:
        # the server sets SO_REUSEADDR too: a port left in TIME_WAIT by a stopped server is not "in use"
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, number))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise StartupError(
                    f"port {number} on {host} is already in use (another server is running there). "
                    f"Choose another port: PORT={number + 1} make run"
                ) from None
            if exc.errno == errno.EACCES:
                raise StartupError(
                    f"no permission to listen on port {number}; choose one above 1023: PORT=8000"
                ) from None
            raise StartupError(f"cannot listen on {host}:{number}: {exc.strerror}") from None
