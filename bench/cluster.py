"""`python -m bench --cluster` (make bench-cluster): the figures of SPEC section 12 on the local primary + replica
(config/pg_cluster.py), in one run and interleaved A/B (the machine is noisy):

- HTTP throughput of the read endpoints: one server (no replica configured) vs primary + replica;
- HTTP throughput with persistent connections (CONN_MAX_AGE) vs psycopg's pool (DB_POOL=true), on one server;
- write latency with synchronous replication on vs off: an appointment POST in-process, and a bare one-row
  commit through psycopg.

The server is gunicorn with config/gunicorn_conf.py (its defaults) on 127.0.0.1; the load is wrk when installed.
Both nodes share this machine's cores, so the replica adds no CPU here: the read figures show what routing
costs, not the capacity a replica on its own machine adds (docs/scaling.md does that arithmetic).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import statistics
import time
from pathlib import Path

import psutil
import psycopg

from bench import database

RESULTS = Path(__file__).resolve().parent / "results"
READS = [
    ("appointments page 50", "/api/scheduling/appointments/?page_size=50", "operator"),
    ("notifications page", "/api/scheduling/notifications/", "notified"),
]


def say(text: str = "") -> None:
    print(text, flush=True)


def _scalar(url: str, sql: str):
    with psycopg.connect(database.psycopg_conninfo(url), autocommit=True) as conn:
        return conn.execute(sql).fetchone()[0]


def wait_for_replay(primary_url: str, replica_url: str, timeout: float = 120) -> None:
    target = _scalar(primary_url, "SELECT pg_current_wal_insert_lsn()::text")
    deadline = time.monotonic() + timeout
    while not _scalar(replica_url, f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn"):
        if time.monotonic() > deadline:
            raise RuntimeError("the replica did not catch up")
        time.sleep(0.1)


def replica_transactions(replica_url: str) -> int:
    return _scalar(replica_url, "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")


def _cpu_seconds(processes: list[psutil.Process]) -> float:
    total = 0.0
    for proc in processes:
        with contextlib.suppress(psutil.Error):
            times = proc.cpu_times()
            total += times.user + times.system
    return total


def cpu_snapshot() -> dict[str, float]:
    """CPU seconds used so far by the API server (our gunicorn children) and each node's server processes."""
    from config import pg_cluster

    children = psutil.Process().children(recursive=True)
    snapshot = {"api": _cpu_seconds([p for p in children if "gunicorn" in " ".join(p.cmdline() or [])])}
    for node in pg_cluster.NODES:
        pid = pg_cluster.postmaster_pid(node)
        if pid is not None:
            postmaster = psutil.Process(pid)
            snapshot[node] = _cpu_seconds([postmaster, *postmaster.children(recursive=True)])
    return snapshot


def http_ab(label: str, modes: list[tuple[str, dict]], url: str, replica_url: str, actors, args) -> list[dict]:
    """Each mode's server in turn, `rounds` times, every read endpoint under the same load."""
    from bench import httpbench

    rows = []
    for round_no in range(args.rounds):
        for mode, env in modes:
            before = replica_transactions(replica_url)
            with httpbench.gunicorn_server(url, env) as port:
                for name, path, who in READS:
                    load = {"connections": args.connections, "warmup": 0}
                    httpbench.drive(port, path, actors.tokens[who], duration=1.0, **load)  # connections, caches
                    cpu_before = cpu_snapshot()
                    r = httpbench.drive(port, path, actors.tokens[who], duration=args.duration, **load)
                    cpu_after = cpu_snapshot()
                    r.update(section=label, mode=mode, round=round_no, endpoint=name)
                    for part, seconds in cpu_after.items():  # CPU ms per request, where it was spent
                        r[f"{part}_cpu_ms"] = (seconds - cpu_before.get(part, 0.0)) * 1000 / max(r["requests"], 1)
                    rows.append(r)
                    say(
                        f"  [{label}] round {round_no + 1} {mode:<22} {name:<22} {r['rps']:8.1f} req/s"
                        f"  p50 {r['p50_ms']:.1f} ms  p99 {r['p99_ms']:.1f} ms  errors {r['errors']}"
                        f"  CPU/request: API {r['api_cpu_ms']:.2f} ms, primary {r.get('primary_cpu_ms', 0):.2f} ms,"
                        f" replica {r.get('replica_cpu_ms', 0):.2f} ms"
                    )
            # the server's connections have closed, so their statistics are flushed
            time.sleep(0.5)
            served = replica_transactions(replica_url) - before
            for r in rows[-len(READS) :]:
                r["replica_transactions"] = served
            say(f"  [{label}] {mode}: the replica committed {served:,} transactions meanwhile")
    return rows


def commit_latency(url: str, reps: int) -> float:
    """Median ms of a one-row INSERT committed on its own (what a commit waits for, nothing else)."""
    with psycopg.connect(database.psycopg_conninfo(url), autocommit=True) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS bench_commit_probe (id bigserial PRIMARY KEY, at timestamptz)")
        samples = []
        for _ in range(reps):
            start = time.perf_counter()
            conn.execute("INSERT INTO bench_commit_probe (at) VALUES (now())")
            samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def writes_ab(url: str, actors, args) -> list[dict]:
    from bench import writes
    from config import pg_cluster

    rows = []
    day = 400
    try:
        for round_no in range(args.rounds):
            for mode, sync in (("asynchronous", False), ("synchronous", True)):
                pg_cluster.set_synchronous(sync)
                time.sleep(0.3)  # the reload reaches the walsender
                cpu_before = {**cpu_snapshot(), "api": _cpu_seconds([psutil.Process()])}
                create, _ids = writes.create_appointments(actors, args.writes, first_day=day)
                cpu_after = {**cpu_snapshot(), "api": _cpu_seconds([psutil.Process()])}
                day += args.writes
                bare = commit_latency(url, 200)
                row = {"mode": mode, "round": round_no, "create_ms": create.get("median_ms"), "commit_ms": bare}
                for part, seconds in cpu_after.items():  # CPU ms per booking: this process (Django) and each node
                    row[f"{part}_cpu_ms"] = (seconds - cpu_before.get(part, 0.0)) * 1000 / max(create.get("n", 1), 1)
                rows.append(row)
                say(
                    f"  [writes] round {round_no + 1} {mode:<13} create {row['create_ms']:.2f} ms"
                    f"  bare commit {bare:.3f} ms  CPU/booking: API {row['api_cpu_ms']:.2f} ms,"
                    f" primary {row.get('primary_cpu_ms', 0):.2f} ms, replica {row.get('replica_cpu_ms', 0):.2f} ms"
                )
    finally:
        pg_cluster.set_synchronous(False)
    return rows


def _median(rows: list[dict], key: str, **match) -> float:
    values = [r[key] for r in rows if all(r.get(k) == v for k, v in match.items()) and r.get(key) is not None]
    return statistics.median(values) if values else float("nan")


def _cpu_table(result: dict) -> list[str]:
    lines = [
        "",
        "CPU time per request (ms, medians; the API server's processes and each PostgreSQL node's processes,"
        " wrk excluded), and what one core of each sustains at that cost:",
        "",
        "| endpoint | servers | API ms | primary ms | replica ms | req/s per API core | req/s per PostgreSQL core |",
        "|---|---|---|---|---|---|---|",
    ]
    for section, modes in result["pairs"].items():
        if not any(r["section"] == section for r in result["http"]):
            continue
        for name, _path, _who in READS:
            for mode in modes:
                api, primary, replica = (
                    _median(result["http"], f"{part}_cpu_ms", section=section, mode=mode, endpoint=name)
                    for part in ("api", "primary", "replica")
                )
                lines.append(
                    f"| `{name}` | {mode} | {api:.2f} | {primary:.2f} | {replica:.2f} | {1000 / api:.0f} |"
                    f" {1000 / (primary + replica):.0f} |"
                )
    return lines


def report(result: dict) -> str:
    meta = result["meta"]
    lines = [
        f"Cluster benchmark of {meta['date']} (UTC) on {meta['cores']} cores, PostgreSQL {meta['postgres']},"
        f" data set `{meta['size']}`; {meta['rounds']} interleaved rounds, {meta['duration']:g} s per endpoint,"
        f" {meta['connections']} connections, gunicorn with config/gunicorn_conf.py defaults, load by {meta['tool']}."
        " Medians over the rounds.",
    ]
    if result["http"]:
        lines += [
            "",
            "| section | endpoint | A | A req/s | B | B req/s | B / A | B p99 ms | errors |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
    for section, (a, b) in result["pairs"].items():
        rows = result["http"]
        if not any(r["section"] == section for r in rows):
            continue
        for name, _path, _who in READS:
            a_rps = _median(rows, "rps", section=section, mode=a, endpoint=name)
            b_rps = _median(rows, "rps", section=section, mode=b, endpoint=name)
            b_p99 = _median(rows, "p99_ms", section=section, mode=b, endpoint=name)
            errors = sum(r["errors"] for r in rows if r["section"] == section and r["endpoint"] == name)
            lines.append(
                f"| {section} | `{name}` | {a} | {a_rps:.1f} | {b} | {b_rps:.1f} | {b_rps / a_rps:.2f} |"
                f" {b_p99:.1f} | {errors} |"
            )
    if result["http"]:
        lines += _cpu_table(result)
    replica_share = [r["replica_transactions"] for r in result["http"] if r["mode"] == "primary + replica"]
    if replica_share:
        lines += ["", f"Transactions the replica committed per primary + replica server run: {replica_share[::2]}."]
    w = result["writes"]
    if w:
        a_create, b_create = (_median(w, "create_ms", mode=m) for m in ("asynchronous", "synchronous"))
        a_commit, b_commit = (_median(w, "commit_ms", mode=m) for m in ("asynchronous", "synchronous"))
        lines += [
            "",
            "| write (median) | asynchronous replica ms | synchronous replica ms | ratio |",
            "|---|---|---|---|",
            f"| create an appointment (POST, in-process) | {a_create:.2f} | {b_create:.2f} | {b_create / a_create:.2f} |",
            f"| one-row INSERT commit (psycopg) | {a_commit:.3f} | {b_commit:.3f} | {b_commit / a_commit:.2f} |",
        ]
        api, primary, replica = (_median(w, f"{part}_cpu_ms") for part in ("api", "primary", "replica"))
        lines += [
            "",
            f"CPU per booking (median over all rounds): API {api:.2f} ms, primary {primary:.2f} ms, replica (replay)"
            f" {replica:.2f} ms, so one API core books about {1000 / api:.0f} a second and one primary core about"
            f" {1000 / primary:.0f}.",
        ]
    return "\n".join(lines)


# The read comparisons: section, heading, and the (label, server environment) pair; None stands for the replica URL.
READ_SECTIONS = (
    (
        "replica",
        "reads, one server vs primary + replica:",
        [("one server", {"DATABASE_REPLICA_URLS": ""}), ("primary + replica", {"DATABASE_REPLICA_URLS": None})],
    ),
    (
        "pool",
        "reads, persistent connections vs psycopg pool (one server):",
        [
            ("persistent", {"DATABASE_REPLICA_URLS": "", "DB_POOL": "false"}),
            ("psycopg pool", {"DATABASE_REPLICA_URLS": "", "DB_POOL": "true"}),
        ],
    ),
)


def main(args: argparse.Namespace) -> int:
    primary = os.environ.get("DATABASE_URL", "")
    replicas = os.environ.get("DATABASE_REPLICA_URLS", "")
    if not primary or not replicas:
        say("--cluster needs the local cluster: make bench-cluster (python -m config.pg_cluster run --fresh -- ...)")
        return 2
    url = database.bench_url(primary)
    replica_url = database.with_database(replicas.split(",")[0], database.database_name(url))
    actors = _prepare(url, replica_url, args)
    result = _empty_result(url, args)
    sections = set(args.sections.split(","))
    for section, heading, pair in READ_SECTIONS:
        if section in sections:
            say("\n" + heading)
            modes = [(label, {k: replica_url if v is None else v for k, v in env.items()}) for label, env in pair]
            result["http"] += http_ab(section, modes, url, replica_url, actors, args)
    if "writes" in sections:
        say("\nwrites, asynchronous vs synchronous replica:")
        result["writes"] = writes_ab(url, actors, args)
    _write(result)
    return 0


def _prepare(url: str, replica_url: str, args: argparse.Namespace):
    """Recreates, migrates and seeds the benchmark database on the primary; returns the callers once the
    replica has replayed it all."""
    say(f"benchmark database: {database.database_name(url)} on the cluster (dropped and created anew)")
    database.recreate_database(url)
    os.environ["DATABASE_REPLICA_URLS"] = replica_url  # read by settings in this process and the servers

    from bench.cli import setup_django

    setup_django(url)
    from django.core.management import call_command

    from bench import inprocess
    from scheduling.demo import Seeder

    call_command("migrate", interactive=False, verbosity=0)
    t0 = time.perf_counter()
    Seeder(args.size, progress=False).run()
    say(f"seeded the {args.size} data set in {time.perf_counter() - t0:.1f} s")
    actors = inprocess.prepare_actors()
    wait_for_replay(url, replica_url)
    return actors


def _empty_result(url: str, args: argparse.Namespace) -> dict:
    from bench import httpbench

    return {
        "meta": {
            "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M"),
            "cores": len(os.sched_getaffinity(0)),
            "postgres": database.server_version(url),
            "size": args.size,
            "rounds": args.rounds,
            "duration": args.duration,
            "connections": args.connections,
            "tool": "wrk" if httpbench.shutil.which("wrk") else "python",
        },
        "pairs": {"replica": ("one server", "primary + replica"), "pool": ("persistent", "psycopg pool")},
        "http": [],
        "writes": [],
    }


def _write(result: dict) -> None:
    text = report(result)
    say("\n" + text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    (RESULTS / f"cluster-{stamp}.json").write_text(json.dumps(result, indent=1, default=str))
    (RESULTS / "latest-cluster.md").write_text(text + "\n")
    say(f"\nresults: bench/results/cluster-{stamp}.json, bench/results/latest-cluster.md")
