"""`python -m bench`: fresh database, seed, in-process + floor, HTTP, growth, writes, report."""

from __future__ import annotations

import argparse
import contextlib
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
    ("uvicorn + WSGI thread pool (production, config/serving.py)", "production_server"),
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


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.cluster:
        from bench import cluster

        args.rounds = args.rounds or (2 if args.quick else 3)
        args.writes = args.writes or (5 if args.quick else 30)
        args.duration = args.duration or (3.0 if args.quick else 10.0)
        return cluster.main(args)
    # Ctrl+C, and the SIGTERM/SIGHUP that `config.embedded_pg run` forwards, unwind through the finally blocks
    # that stop the gunicorn server (it runs in its own session, so no terminal signal reaches it directly)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _interrupt)
    began = time.perf_counter()
    from bench.machine import Monitor

    monitor = Monitor()  # load and CPU steal before the run and at each phase boundary
    progress = not args.no_progress
    quick = args.quick
    warmup, reps, heavy_reps = (3, 20, 8) if quick else (10, 100, 30)
    duration = args.duration or (2.0 if quick else 10.0)

    server_url = database.database_url()
    url = database.bench_url(server_url)
    say(f"benchmark database: {database.database_name(url)} (dropped and created anew)")
    database.recreate_database(url)
    setup_django(url)
    try:
        return _run(args, url, monitor, began, progress, quick, warmup, reps, heavy_reps, duration)
    finally:
        if not args.keep_database:
            from django.db import connections

            connections.close_all()
            database.drop_database(url)
            say(f"benchmark database {database.database_name(url)} dropped")


def _run(args, url, monitor, began, progress, quick, warmup, reps, heavy_reps, duration) -> int:
    import psycopg
    from django.core.management import call_command

    from bench import growth, history_cost, httpbench, inprocess, report, writes
    from bench.endpoints import ENDPOINTS
    from bench.floor import prepare_floor_connection
    from scheduling.demo import Seeder

    t0 = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    say(f"migrated in {time.perf_counter() - t0:.1f} s")
    t0 = time.perf_counter()
    Seeder(args.size, progress=progress).run()
    seed_seconds = time.perf_counter() - t0
    say(f"seeded the {args.size} data set in {seed_seconds:.1f} s")

    from scheduling.models import Appointment, Notification

    actors = inprocess.prepare_actors()
    grower = None if args.skip_growth else growth.Grower(actors.users["notified"].id)  # notes the seeded rows
    ctx = inprocess.context()
    pg_version = database.server_version(url)
    result: dict = {
        "meta": {
            "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M"),
            "cores": len(os.sched_getaffinity(0)),
            "cpu": cpu_model(),
            "postgres": pg_version,
            "python": platform.python_version(),
            "size": args.size,
            "data": {"appointments": Appointment.objects.count(), "notifications": Notification.objects.count()},
            "seed_seconds": seed_seconds,
            "mode": "quick" if quick else "full",
            "warmup": warmup,
            "reps": reps,
            "actors": actors.describe(),
            "machine": monitor.describe(),
        },
        "notes": [],
    }
    say(f"callers: {actors.describe()}")

    floor_conn = psycopg.connect(database.psycopg_conninfo(url), autocommit=True, prepare_threshold=None)
    prepare_floor_connection(floor_conn)
    try:
        # 1-2. in-process figures and the floor
        phases = result["meta"]["phase_seconds"] = {"migrate+seed": time.perf_counter() - began}
        monitor.end("migrate+seed")
        t_phase = time.perf_counter()
        endpoints = [e for e in ENDPOINTS if args.only in e.name]
        measured = []
        say("\nin-process:")
        for endpoint in endpoints:
            n = heavy_reps if endpoint.heavy else reps
            r = inprocess.measure(endpoint, actors, ctx, warmup=min(warmup, n), reps=n, floor_conn=floor_conn)
            measured.append(r)
            if r["status"] == "ok":
                say(
                    f"  {r['key']:<45} {r['queries']:>2} q  p50 {r['latency']['p50_ms']:7.2f} ms"
                    f"  p95 {r['latency']['p95_ms']:7.2f} ms  {r['bytes']:>8,} B  x{r.get('ratio') or 0:.1f} floor"
                )
            else:
                say(f"  {r['key']:<45} missing (status {r['code']})")
        result["inprocess"] = measured
        ok = {r["key"]: r for r in measured if r["status"] == "ok"}

        phases["in-process"], t_phase = time.perf_counter() - t_phase, time.perf_counter()
        monitor.end("in-process")

        # 3. real HTTP
        with guard(result, "HTTP"):
            if not args.skip_http:
                targets = [e for e in endpoints if e.http]
                result["http"], result["servers"] = [], []
                found = [(e, ok[e.key()]["path"]) for e in targets if e.key() in ok]
                tool = "wrk" if (args.load in ("auto", "wrk") and httpbench.shutil.which("wrk")) else "python"
                result["http_meta"] = (
                    f"uvicorn as `manage.py serve` runs it (config/serving.py) on 127.0.0.1, {args.connections} connections,"
                    f" {duration:g} s per endpoint, load by {tool}"
                )
                say(f"\nHTTP ({result['http_meta']}):")
                probe = found[0] if found else None
                if probe is None and "auth me [operator]" in ok:
                    probe = (None, ok["auth me [operator]"]["path"])
                if not args.skip_servers and probe and not quick:
                    token = actors.tokens[probe[0].as_user] if probe[0] else actors.tokens["operator"]
                    for _ in range(SERVING_ROUNDS):
                        for label, starter in SERVING_CANDIDATES:
                            with getattr(httpbench, starter)(url) as port:
                                r = httpbench.drive(
                                    port,
                                    probe[1],
                                    token,
                                    connections=args.connections,
                                    duration=duration,
                                    tool=args.load,
                                )
                            r["config"] = f"{label} ({probe[1]})"
                            result["servers"].append(r)
                            say(
                                f"  {r['config']:<70} {r['rps']:8.1f} req/s  p50 {r['p50_ms']:.1f} ms"
                                f"  errors {r['errors']}"
                            )
                    result["serving_summary"] = _serving_summary(result["servers"])
                    say("  " + result["serving_summary"])
                with httpbench.production_server(url) if found else contextlib.nullcontext(0) as port:
                    for endpoint in targets:
                        key = endpoint.key()
                        if key not in ok:
                            result["http"].append(
                                {
                                    "name": endpoint.name,
                                    "status": "missing",
                                    "code": next((r["code"] for r in measured if r["key"] == key), None),
                                }
                            )
                            say(f"  {endpoint.name:<35} missing")
                            continue
                        r = httpbench.drive(
                            port,
                            ok[key]["path"],
                            actors.tokens[endpoint.as_user],
                            connections=args.connections,
                            duration=duration,
                            tool=args.load,
                        )
                        r.update(name=endpoint.name, status="ok", path=ok[key]["path"])
                        # the same GET polled with the tag it already has: 304s after one query
                        token = actors.tokens[endpoint.as_user]
                        tag = httpbench.entity_tag(port, ok[key]["path"], token)
                        if tag:
                            r["not_modified"] = httpbench.drive(
                                port,
                                ok[key]["path"],
                                token,
                                connections=args.connections,
                                duration=duration,
                                tool=args.load,
                                headers={"If-None-Match": tag},
                            )
                        result["http"].append(r)
                        nm = r.get("not_modified") or {}
                        say(
                            f"  {endpoint.name:<35} {r['rps']:8.1f} req/s  p50 {r['p50_ms']:.2f} ms"
                            f"  p99 {r['p99_ms']:.2f} ms  errors {r['errors']}"
                            + (f"  | 304s: {nm['rps']:8.1f} req/s  p50 {nm['p50_ms']:.2f} ms" if nm else "")
                        )

        phases["http"], t_phase = time.perf_counter() - t_phase, time.perf_counter()
        monitor.end("http")

        # 3b. the live channel (WebSockets on two server processes)
        with guard(result, "live"):
            if not args.skip_live:
                from bench import live

                sockets = args.live_sockets or (200 if quick else 1000)
                say(f"\nlive channel ({sockets} sockets):")
                result["live"] = live.run(
                    url,
                    actors.tokens["operator"],
                    sockets=sockets,
                    operators=min(20, sockets // 10),
                    write_seconds=3 if quick else 10,
                    http_seconds=min(duration, 2 if quick else 10),
                    connections=args.connections,
                    tool=args.load,
                    say=say,
                )
        phases["live"], t_phase = time.perf_counter() - t_phase, time.perf_counter()

        # 5. writes (before growth, on the standard data)
        with guard(result, "writes"):
            if not args.skip_writes:
                say("\nwrites:")
                n = 5 if quick else 30
                create, ids = writes.create_appointments(actors, n)
                confirm = writes.therapist_confirm(actors, ids, n)
                inserts = writes.notification_insert_cost(
                    floor_conn, actors.users["driver"].id, reps=20 if quick else 200
                )
                mark = writes.mark_all_read_cost(floor_conn, actors, "driver", rows=10_000, reps=1 if quick else 3)
                history = history_cost.history_cost(
                    floor_conn, actors, per_round=3 if quick else 10, rounds=2 if quick else 4
                )
                result["writes"] = {
                    "create": create,
                    "confirm": confirm,
                    "notification_insert": inserts,
                    "mark_all": mark,
                    "history": history,
                    "triggers": writes.trigger_costs(floor_conn, reps=5 if quick else 30),
                }
                say(report.writes_table(result["writes"]))

        phases["writes"], t_phase = time.perf_counter() - t_phase, time.perf_counter()
        monitor.end("writes")

        # 4. growth
        with guard(result, "growth"):
            if not args.skip_growth:
                say("\ngrowth:")
                grow_endpoints = [e for e in endpoints if e.growth]
                light = _light_user(actors)
                ladder = [1, 2] if quick else [1, 5, 25]
                rungs = result["growth"] = []
                g_reps, g_warm = (10, 3) if quick else (100, 10)
                for i, planned in enumerate(ladder):
                    factor = planned
                    target = grower.base_notifications * factor
                    if i == len(ladder) - 1 and not quick:
                        target = max(target, 1_000_000)
                    # keep the whole run within --budget: a rung that would overrun is made smaller, then skipped
                    left = args.budget - (time.perf_counter() - began) - 60  # a minute for the report and the rest
                    # the million notifications matter most (SPEC: unread count flat to 1,000,000): appointments yield first
                    while factor > grower.copies and (grower.forecast(factor, target) or 0) > left:
                        factor = max(grower.copies, factor // 2)
                    have = grower.counts()["user_notifications"]
                    while target > have and (grower.forecast(factor, target) or 0) > left:
                        target = max(have, target // 2)
                    if i and factor <= grower.copies and target <= have:
                        result["notes"].append(f"growth rung {planned}x skipped: it would not fit in the time budget")
                        say(f"  rung {planned}x skipped: it would not fit in --budget {args.budget:.0f} s")
                        break
                    if factor != planned:
                        result["notes"].append(f"growth rung {planned}x cut to {factor}x to fit in the time budget")
                        say(f"  rung {planned}x cut to {factor}x to fit in --budget {args.budget:.0f} s")
                    t0 = time.perf_counter()
                    grower.grow_appointments(factor, progress)
                    grower.grow_notifications(target, progress)
                    grower.analyze()
                    grow_seconds = time.perf_counter() - t0
                    counts = grower.counts()
                    topped_up = target > grower.base_notifications * factor
                    label = f"{factor}x, {counts['user_notifications']:,} notifications" if topped_up else f"{factor}x"
                    measures = [
                        inprocess.measure(e, actors, ctx, warmup=g_warm, reps=g_reps, floor_conn=None)
                        for e in grow_endpoints
                    ]
                    if light and i == 0:
                        from bench.endpoints import Endpoint

                        unread = next((e for e in grow_endpoints if "unread" in e.name), None)
                        if unread:
                            le = Endpoint(unread.name, unread.paths, as_user="light")
                            measures.append(
                                inprocess.measure(le, actors, ctx, warmup=g_warm, reps=g_reps, floor_conn=None)
                            )
                    rungs.append(
                        {
                            "factor": factor,
                            "label": label,
                            "counts": counts,
                            "seconds": grow_seconds,
                            "measures": measures,
                        }
                    )
                    say(f"  {label}: {counts} (grown in {grow_seconds:.1f} s)")
                    for m in measures:
                        if m["status"] == "ok":
                            say(f"    {m['key']:<45} p50 {m['latency']['p50_ms']:.2f} ms  {m['queries']} q")
                        else:
                            say(f"    {m['key']:<45} missing (status {m['code']})")
                    if not any(m["status"] == "ok" for m in measures):
                        result["notes"].append("growth stopped at 1x: none of its endpoints answered")
                        say("  none of the growth endpoints answered: the data is not grown further")
                        break
                result["growth"] = rungs
                result["growth_summary"] = _growth_summary(rungs, light)
                if result["growth_summary"]:
                    say("  " + result["growth_summary"])
        phases["growth"] = time.perf_counter() - t_phase
        monitor.end("growth")
    finally:
        floor_conn.close()

    result["meta"]["total_seconds"] = time.perf_counter() - began
    result["meta"]["machine"] = monitor.describe()
    result["meta"]["busy"] = monitor.busy_reasons()
    return 0 if _write(result, args) else 1


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
    return (
        f"Median of {SERVING_ROUNDS} interleaved runs each: production {production:.1f} req/s, gunicorn gthread"
        f" {gunicorn:.1f} req/s, ratio {production / gunicorn:.2f} (the requirement: at least 0.90)."
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
