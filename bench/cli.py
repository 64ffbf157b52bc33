"""`python -m bench`: fresh database, seed, in-process + floor, HTTP, growth, writes, report."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import logging
import os
import platform
import signal
import time
import traceback
from pathlib import Path

from bench import database

BASE_DIR = Path(__file__).resolve().parent.parent
# Published results (tracked, referenced by the README) are written only with --update-readme; any other run
# writes to the git-ignored scratch folder, so a quick or partial run leaves the working tree unchanged.
RESULTS = BASE_DIR / "bench" / "results"
SCRATCH = RESULTS / "tmp"

# The production arrangement against the previous one (gunicorn gthread WSGI), interleaved A/B/A/B before the HTTP
# figures: its throughput must stay within 10% of gunicorn's measured in the same run (README, "Serving").
SERVING_CANDIDATES = [
    ("uvicorn, Django on the event loop (production, config/serving.py)", "production_server"),
    ("gunicorn gthread (config/gunicorn_conf.py)", "gunicorn_server"),
]
SERVING_ROUNDS = 2


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench", description="The performance report of SPEC section 9.")
    p.add_argument("--quick", action="store_true", help="smoke run: few repetitions, growth 1x/2x, short HTTP load")
    p.add_argument("--skip-http", action="store_true")
    p.add_argument("--skip-growth", action="store_true")
    p.add_argument("--skip-writes", action="store_true")
    p.add_argument("--skip-servers", action="store_true", help="do not compare the production server with gunicorn")
    p.add_argument("--skip-live", action="store_true", help="no live-channel section (WebSockets)")
    p.add_argument("--live-sockets", type=int, default=None, help="WebSockets opened by the live section (1000)")
    p.add_argument("--only", default="", help="measure only endpoints whose name contains this text")
    p.add_argument("--size", default="standard", choices=["standard", "small"])
    p.add_argument("--load", default="auto", choices=["auto", "wrk", "python"], help="HTTP load generator")
    p.add_argument("--connections", type=int, default=8)
    p.add_argument("--duration", type=float, default=None, help="seconds of HTTP load per endpoint")
    p.add_argument("--update-readme", action="store_true", help="write the table between the README's markers")
    p.add_argument("--no-progress", action="store_true")
    p.add_argument("--keep-database", action="store_true", help="leave the <db>_bench database for inspection")
    p.add_argument(
        "--cluster",
        action="store_true",
        help="on the local primary + replica (make bench-cluster): replica vs one server, pool vs persistent"
        " connections, synchronous vs asynchronous replication; bench/cluster.py",
    )
    p.add_argument("--rounds", type=int, default=None, help="--cluster: interleaved A/B rounds (default 3)")
    p.add_argument("--sections", default="replica,pool,writes", help="--cluster: which comparisons to run")
    p.add_argument("--writes", type=int, default=None, help="--cluster: appointments created per mode and round")
    p.add_argument("--budget", type=float, default=14 * 60, help="seconds the whole run may take (growth adapts)")
    return p.parse_args(argv)


def say(text: str = "") -> None:
    print(text, flush=True)


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url  # before settings are read: Django points at the benchmark's database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    # a missing endpoint is reported in the table; Django's "Not Found: ..." log line would only add noise
    logging.getLogger("django.request").setLevel(logging.ERROR)


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


@contextlib.contextmanager
def guard(result: dict, phase: str):
    """A phase that fails is reported (note and traceback) and the run goes on to the next one."""
    try:
        yield
    except Exception as exc:
        traceback.print_exc()
        note = f"{phase} phase failed: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        result["notes"].append(note)
        say(f"  {note}")


def _interrupt(signum: int, _frame) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


@dataclasses.dataclass
class Run:
    """What every phase of one benchmark run reads: the options, the seeded callers, the floor connection, the
    in-process figures the later phases start from, and the result being filled in."""

    args: argparse.Namespace
    url: str
    began: float
    actors: object
    ctx: object
    floor_conn: object
    result: dict
    endpoints: list
    duration: float
    warmup: int
    reps: int
    heavy_reps: int
    grower: object = None
    measured: list = dataclasses.field(default_factory=list)
    ok: dict = dataclasses.field(default_factory=dict)

    @property
    def quick(self) -> bool:
        return self.args.quick


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.cluster:
        return _cluster(args)
    _unwind_on_signals()
    began = time.perf_counter()
    from bench.machine import Monitor

    monitor = Monitor()  # load and CPU steal before the run and at each phase boundary
    url = database.bench_url(database.database_url())
    try:
        return _measure(args, url, began, monitor)
    finally:
        if not args.keep_database:  # the bench database is dropped when done (--keep-database keeps it)
            from django.db import connections

            connections.close_all()
            database.drop_database(url)
            say(f"benchmark database {database.database_name(url)} dropped")


def _measure(args: argparse.Namespace, url: str, began: float, monitor) -> int:
    """Seed the benchmark database, run every phase, write the results."""
    seed_seconds = _prepare_database(url, args)
    from django.conf import settings

    # the in-process phase loads WhiteNoise, which warns when collectstatic has not run yet (a fresh clone); the
    # servers of the http phase run it themselves
    Path(settings.STATIC_ROOT).mkdir(exist_ok=True)

    import psycopg

    from bench import growth, inprocess
    from bench.endpoints import ENDPOINTS
    from bench.floor import prepare_floor_connection

    actors = inprocess.prepare_actors()
    warmup, reps, heavy_reps = (3, 20, 8) if args.quick else (20, 300, 40)
    floor_conn = psycopg.connect(database.psycopg_conninfo(url), autocommit=True, prepare_threshold=None)
    prepare_floor_connection(floor_conn)
    run = Run(
        args=args,
        url=url,
        began=began,
        actors=actors,
        ctx=inprocess.context(),
        floor_conn=floor_conn,
        result=_meta(args, url, actors, monitor, seed_seconds, warmup, reps),
        endpoints=[e for e in ENDPOINTS if args.only in e.name],
        duration=args.duration or (2.0 if args.quick else 10.0),
        warmup=warmup,
        reps=reps,
        heavy_reps=heavy_reps,
        grower=None if args.skip_growth else growth.Grower(actors.users["notified"].id),  # notes the seeded rows
    )
    say(f"callers: {actors.describe()}")
    try:
        _run_phases(run, monitor)
    finally:
        floor_conn.close()

    run.result["meta"]["total_seconds"] = time.perf_counter() - began
    run.result["meta"]["machine"] = monitor.describe()
    run.result["meta"]["busy"] = monitor.busy_reasons()
    return 0 if _write(run.result, args) else 1


def _unwind_on_signals() -> None:
    # Ctrl+C, and the SIGTERM/SIGHUP that `config.embedded_pg run` forwards, unwind through the finally blocks
    # that stop the gunicorn server (it runs in its own session, so no terminal signal reaches it directly)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _interrupt)


def _run_phases(run: Run, monitor) -> None:
    """Each phase in turn, timed; a failing guarded phase is noted and the run goes on."""
    args = run.args
    phases = run.result["meta"]["phase_seconds"] = {"migrate+seed": time.perf_counter() - run.began}
    monitor.end("migrate+seed")
    # 1-2. in-process figures and the floor; 3. real HTTP; 3b. the live channel; 5. writes (before growth, on the
    # standard data); 4. growth
    for name, phase, skipped, guarded in (
        ("in-process", _inprocess_phase, False, ""),
        ("http", _http_phase, args.skip_http, "HTTP"),
        ("live", _live_phase, args.skip_live, "live"),
        ("writes", _writes_phase, args.skip_writes, "writes"),
        ("growth", _growth_phase, args.skip_growth, "growth"),
    ):
        t_phase = time.perf_counter()
        with guard(run.result, guarded) if guarded else contextlib.nullcontext():
            if not skipped:
                phase(run)
        phases[name] = time.perf_counter() - t_phase
        if name != "live":  # the machine table folds the live phase into the writes row
            monitor.end(name)


def _cluster(args: argparse.Namespace) -> int:
    from bench import cluster

    args.rounds = args.rounds or (2 if args.quick else 3)
    args.writes = args.writes or (5 if args.quick else 30)
    args.duration = args.duration or (3.0 if args.quick else 10.0)
    return cluster.main(args)


def _prepare_database(url: str, args: argparse.Namespace) -> float:
    """Drops and recreates the benchmark database, migrates and seeds it; returns the seconds seeding took."""
    say(f"benchmark database: {database.database_name(url)} (dropped and created anew)")
    database.recreate_database(url)
    setup_django(url)
    from django.core.management import call_command

    from scheduling.demo import Seeder

    t0 = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    say(f"migrated in {time.perf_counter() - t0:.1f} s")
    t0 = time.perf_counter()
    Seeder(args.size, progress=not args.no_progress).run()
    seed_seconds = time.perf_counter() - t0
    say(f"seeded the {args.size} data set in {seed_seconds:.1f} s")
    return seed_seconds


def _meta(args: argparse.Namespace, url: str, actors, monitor, seed_seconds: float, warmup: int, reps: int) -> dict:
    from scheduling.models import Appointment, Notification

    return {
        "meta": {
            "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M"),
            "cores": len(os.sched_getaffinity(0)),
            "cpu": cpu_model(),
            "postgres": database.server_version(url),
            "python": platform.python_version(),
            "size": args.size,
            "data": {"appointments": Appointment.objects.count(), "notifications": Notification.objects.count()},
            "seed_seconds": seed_seconds,
            "mode": "quick" if args.quick else "full",
            "warmup": warmup,
            "reps": reps,
            "actors": actors.describe(),
            "machine": monitor.describe(),
        },
        "notes": [],
    }


def _inprocess_phase(run: Run) -> None:
    from bench import inprocess

    say("\nin-process:")
    for endpoint in run.endpoints:
        n = run.heavy_reps if endpoint.heavy else run.reps
        r = inprocess.measure(
            endpoint, run.actors, run.ctx, warmup=min(run.warmup, n), reps=n, floor_conn=run.floor_conn
        )
        run.measured.append(r)
        if r["status"] == "ok":
            say(
                f"  {r['key']:<45} {r['queries']:>2} q  p50 {r['latency']['p50_ms']:7.2f} ms"
                f"  p95 {r['latency']['p95_ms']:7.2f} ms  {r['bytes']:>8,} B  x{r.get('ratio') or 0:.1f} floor"
            )
        else:
            say(f"  {r['key']:<45} missing (status {r['code']})")
    run.result["inprocess"] = run.measured
    run.ok = {r["key"]: r for r in run.measured if r["status"] == "ok"}


def _drive(run: Run, port: int, path: str, token: str, **extra) -> dict:
    from bench import httpbench

    return httpbench.drive(
        port, path, token, connections=run.args.connections, duration=run.duration, tool=run.args.load, **extra
    )


def _http_phase(run: Run) -> None:
    from bench import httpbench

    args, result, ok = run.args, run.result, run.ok
    targets = [e for e in run.endpoints if e.http]
    result["http"], result["servers"] = [], []
    found = [(e, ok[e.key()]["path"]) for e in targets if e.key() in ok]
    tool = "wrk" if (args.load in ("auto", "wrk") and httpbench.shutil.which("wrk")) else "python"
    result["http_meta"] = (
        f"uvicorn as `manage.py serve` runs it (config/serving.py) on 127.0.0.1, {args.connections} connections,"
        f" {run.duration:g} s per endpoint, load by {tool}"
    )
    say(f"\nHTTP ({result['http_meta']}):")
    probe = found[0] if found else None
    if probe is None and "auth me [operator]" in ok:
        probe = (None, ok["auth me [operator]"]["path"])
    if not args.skip_servers and probe and not run.quick:
        _serving_comparison(run, probe)
    with httpbench.production_server(run.url) if found else contextlib.nullcontext(0) as port:
        for endpoint in targets:
            result["http"].append(_http_endpoint(run, port, endpoint))


def _serving_comparison(run: Run, probe: tuple) -> None:
    """The production server against gunicorn, interleaved A/B/A/B on one probe endpoint."""
    from bench import httpbench

    token = run.actors.tokens[probe[0].as_user] if probe[0] else run.actors.tokens["operator"]
    servers = run.result["servers"]
    for _ in range(SERVING_ROUNDS):
        for label, starter in SERVING_CANDIDATES:
            with getattr(httpbench, starter)(run.url) as port:
                r = _drive(run, port, probe[1], token)
            r["config"] = f"{label} ({probe[1]})"
            servers.append(r)
            say(f"  {r['config']:<70} {r['rps']:8.1f} req/s  p50 {r['p50_ms']:.1f} ms  errors {r['errors']}")
    run.result["serving_summary"] = _serving_summary(servers)
    say("  " + run.result["serving_summary"])


def _http_endpoint(run: Run, port: int, endpoint) -> dict:
    from bench import httpbench

    key = endpoint.key()
    if key not in run.ok:
        say(f"  {endpoint.name:<35} missing")
        return {
            "name": endpoint.name,
            "status": "missing",
            "code": next((r["code"] for r in run.measured if r["key"] == key), None),
        }
    path = run.ok[key]["path"]
    token = run.actors.tokens[endpoint.as_user]
    r = _drive(run, port, path, token)
    r.update(name=endpoint.name, status="ok", path=path)
    # the same GET polled with the tag it already has: 304s after one query
    tag = httpbench.entity_tag(port, path, token)
    if tag:
        r["not_modified"] = _drive(run, port, path, token, headers={"If-None-Match": tag})
    nm = r.get("not_modified") or {}
    say(
        f"  {endpoint.name:<35} {r['rps']:8.1f} req/s  p50 {r['p50_ms']:.2f} ms"
        f"  p99 {r['p99_ms']:.2f} ms  errors {r['errors']}"
        + (f"  | 304s: {nm['rps']:8.1f} req/s  p50 {nm['p50_ms']:.2f} ms" if nm else "")
    )
    return r


def _live_phase(run: Run) -> None:
    """The live channel (WebSockets on two server processes)."""
    from bench import live

    quick = run.quick
    sockets = run.args.live_sockets or (200 if quick else 1000)
    say(f"\nlive channel ({sockets} sockets):")
    run.result["live"] = live.run(
        run.url,
        run.actors.tokens["operator"],
        sockets=sockets,
        operators=min(20, sockets // 10),
        write_seconds=3 if quick else 10,
        http_seconds=min(run.duration, 2 if quick else 10),
        connections=run.args.connections,
        tool=run.args.load,
        say=say,
    )


def _writes_phase(run: Run) -> None:
    from bench import history_cost, report, writes

    quick, actors, floor_conn = run.quick, run.actors, run.floor_conn
    say("\nwrites:")
    n = 5 if quick else 30
    create, ids = writes.create_appointments(actors, n)
    confirm = writes.therapist_confirm(actors, ids, n)
    inserts = writes.notification_insert_cost(floor_conn, actors.users["driver"].id, reps=20 if quick else 200)
    mark = writes.mark_all_read_cost(floor_conn, actors, "driver", rows=10_000, reps=1 if quick else 3)
    history = history_cost.history_cost(floor_conn, actors, per_round=3 if quick else 10, rounds=2 if quick else 4)
    run.result["writes"] = {
        "create": create,
        "confirm": confirm,
        "notification_insert": inserts,
        "mark_all": mark,
        "history": history,
        "triggers": writes.trigger_costs(floor_conn, reps=5 if quick else 30),
    }
    say(report.writes_table(run.result["writes"]))


def _growth_phase(run: Run) -> None:
    say("\ngrowth:")
    result = run.result
    light = _light_user(run.actors)
    ladder = [1, 2] if run.quick else [1, 5, 25]
    rungs = result["growth"] = []
    for i, planned in enumerate(ladder):
        fitted = _fit_rung(run, i, planned, last=i == len(ladder) - 1)
        if fitted is None:
            break
        rung = _grow_and_measure(run, *fitted, with_light=bool(light) and i == 0)
        rungs.append(rung)
        if not any(m["status"] == "ok" for m in rung["measures"]):
            result["notes"].append("growth stopped at 1x: none of its endpoints answered")
            say("  none of the growth endpoints answered: the data is not grown further")
            break
    result["growth"] = rungs
    result["growth_summary"] = _growth_summary(rungs, light)
    if result["growth_summary"]:
        say("  " + result["growth_summary"])


def _fit_rung(run: Run, i: int, planned: int, last: bool) -> tuple[int, int] | None:
    """The (factor, notification target) of a growth rung cut to fit in --budget, or None when it is skipped."""
    grower, args, notes = run.grower, run.args, run.result["notes"]
    factor = planned
    target = grower.base_notifications * factor
    if last and not run.quick:
        target = max(target, 1_000_000)
    # keep the whole run within --budget: a rung that would overrun is made smaller, then skipped
    left = args.budget - (time.perf_counter() - run.began) - 60  # a minute for the report and the rest
    # the million notifications matter most (SPEC: unread count flat to 1,000,000): appointments yield first
    while factor > grower.copies and (grower.forecast(factor, target) or 0) > left:
        factor = max(grower.copies, factor // 2)
    have = grower.counts()["user_notifications"]
    while target > have and (grower.forecast(factor, target) or 0) > left:
        target = max(have, target // 2)
    if i and factor <= grower.copies and target <= have:
        notes.append(f"growth rung {planned}x skipped: it would not fit in the time budget")
        say(f"  rung {planned}x skipped: it would not fit in --budget {args.budget:.0f} s")
        return None
    if factor != planned:
        notes.append(f"growth rung {planned}x cut to {factor}x to fit in the time budget")
        say(f"  rung {planned}x cut to {factor}x to fit in --budget {args.budget:.0f} s")
    return factor, target


def _grow_and_measure(run: Run, factor: int, target: int, with_light: bool) -> dict:
    from bench import inprocess
    from bench.endpoints import Endpoint

    grower, progress = run.grower, not run.args.no_progress
    g_reps, g_warm = (10, 3) if run.quick else (100, 10)
    t0 = time.perf_counter()
    grower.grow_appointments(factor, progress)
    grower.grow_notifications(target, progress)
    grower.analyze()
    grow_seconds = time.perf_counter() - t0
    counts = grower.counts()
    topped_up = target > grower.base_notifications * factor
    label = f"{factor}x, {counts['user_notifications']:,} notifications" if topped_up else f"{factor}x"
    grow_endpoints = [e for e in run.endpoints if e.growth]
    measures = [
        inprocess.measure(e, run.actors, run.ctx, warmup=g_warm, reps=g_reps, floor_conn=None) for e in grow_endpoints
    ]
    unread = next((e for e in grow_endpoints if "unread" in e.name), None)
    if with_light and unread:
        le = Endpoint(unread.name, unread.paths, as_user="light")
        measures.append(inprocess.measure(le, run.actors, run.ctx, warmup=g_warm, reps=g_reps, floor_conn=None))
    say(f"  {label}: {counts} (grown in {grow_seconds:.1f} s)")
    for m in measures:
        if m["status"] == "ok":
            say(f"    {m['key']:<45} p50 {m['latency']['p50_ms']:.2f} ms  {m['queries']} q")
        else:
            say(f"    {m['key']:<45} missing (status {m['code']})")
    return {"factor": factor, "label": label, "counts": counts, "seconds": grow_seconds, "measures": measures}


def _serving_summary(runs: list[dict]) -> str:
    """Median req/s of each arrangement over its interleaved runs, and the production one's ratio to gunicorn."""
    import statistics

    medians = {}
    for label, _ in SERVING_CANDIDATES:
        figures = [r["rps"] for r in runs if r["config"].startswith(label)]
        if figures:
            medians[label] = statistics.median(figures)
    production, gunicorn = (medians.get(label) for label, _ in SERVING_CANDIDATES)
    if not production or not gunicorn:
        return ""
    from config.serving import workers

    return (
        f"Median of {SERVING_ROUNDS} interleaved runs each, {workers()} processes each (one per core):"
        f" production {production:.1f} req/s, gunicorn gthread {gunicorn:.1f} req/s,"
        f" ratio {production / gunicorn:.2f} (the requirement: at least 0.90)."
    )


def _light_user(actors) -> int:
    """Adds the 'light' caller: the user whose notification count is closest to 1,000 (for the 1k vs 1M ratio)."""
    from django.db.models import Count

    from bench.inprocess import issue_token
    from scheduling.models import Notification, User

    rows = list(Notification.objects.values("user_id").annotate(n=Count("id")))
    if not rows:
        return 0
    best = min(rows, key=lambda r: abs(r["n"] - 1000))
    user = User.objects.get(pk=best["user_id"])
    actors.users["light"] = user
    actors.tokens["light"] = issue_token(user)
    return best["n"]


def _growth_summary(rungs: list[dict], n_light: int) -> str:
    first, last = rungs[0], rungs[-1]
    lines = []
    by_first = {m["key"]: m for m in first["measures"] if m["status"] == "ok"}
    for m in last["measures"]:
        if m["status"] == "ok" and m["key"] in by_first:
            ratio = m["latency"]["p50_ms"] / by_first[m["key"]]["latency"]["p50_ms"]
            lines.append(f"`{m['key']}` {last['label']} / 1x = {ratio:.2f}")
    light = next((m for m in first["measures"] if m["as"] == "light" and m["status"] == "ok"), None)
    heavy = next((m for m in last["measures"] if "unread" in m["name"] and m["status"] == "ok"), None)
    if light and heavy:
        lines.append(
            f"unread_count at {last['counts']['user_notifications']:,} notifications vs the user with about 1,000"
            f"{f' ({n_light:,})' if n_light else ''}: {heavy['latency']['p50_ms'] / light['latency']['p50_ms']:.2f}"
        )
    return "Ratios (p50): " + "; ".join(lines) if lines else ""


def _write(result: dict, args: argparse.Namespace) -> bool:
    from bench import report

    folder = RESULTS if args.update_readme else SCRATCH
    folder.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    report.write_json(result, folder / f"{stamp}.json")
    text = report.markdown(result)
    (folder / "latest.md").write_text(text)
    if result.get("growth"):
        try:
            report.chart(result["growth"], folder / "latest.png")
        except ImportError as exc:  # matplotlib is a dev dependency: the tables do not need it
            say(f"no chart: {exc}")
    say("\n" + text)
    shown = folder.relative_to(BASE_DIR)
    say(f"results: {shown}/{stamp}.json, {shown}/latest.md, {shown}/latest.png")
    if args.update_readme:
        if report.update_readme(BASE_DIR / "README.md", text):
            say("README.md updated between the bench markers")
        else:
            say("README.md is missing or has no <!-- bench:start --> / <!-- bench:end --> markers: not updated")
            return False
    return True
