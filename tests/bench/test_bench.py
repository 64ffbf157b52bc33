"""The benchmark's pure pieces (python -m bench): percentiles, the floor runner, the report writers, the SQL
copier, wrk parsing and the load generator. No timing is asserted."""

import asyncio
import math
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import orjson
import psycopg
import pytest
from django.db import connection

from bench import database, httpbench, report
from bench.floor import floor_runner
from bench.loadgen import run_load
from bench.sqlcopy import copy_sql
from bench.stats import percentile, summarize, time_calls, time_interleaved


def test_percentile_interpolates_between_the_closest_ranks():
    assert percentile([4, 1, 3, 2], 50) == 2.5
    assert percentile([1, 2, 3, 4], 0) == 1
    assert percentile([1, 2, 3, 4], 100) == 4
    assert percentile(list(range(1, 101)), 95) == pytest.approx(95.05)
    assert percentile([7.0], 99) == 7.0
    assert math.isnan(percentile([], 50))
    with pytest.raises(ValueError):
        percentile([1], 101)


def test_summary_is_in_milliseconds_and_time_calls_measures_only_the_repetitions():
    calls = []
    samples = time_calls(lambda: calls.append(1), warmup=3, reps=5)
    assert len(calls) == 8 and len(samples) == 5
    summary = summarize([0.001, 0.002, 0.003])
    assert summary["n"] == 3
    assert summary["p50_ms"] == pytest.approx(2.0)
    assert summary["mean_ms"] == pytest.approx(2.0)


def test_interleaved_timing_alternates_blocks_and_gives_each_function_its_repetitions():
    order: list[str] = []
    a, b = time_interleaved([lambda: order.append("a"), lambda: order.append("b")], warmup=2, reps=25, block=10)
    assert len(a) == len(b) == 25
    measured = "".join(order[4:])  # after each function's 2 warm-up calls
    assert measured == "a" * 10 + "b" * 10 + "a" * 10 + "b" * 10 + "a" * 5 + "b" * 5


def test_floor_runner_runs_the_reads_and_serializes_rows_as_json_objects(db):
    connection.ensure_connection()
    raw = connection.connection  # the psycopg connection under Django's wrapper
    run = floor_runner(
        raw,
        [
            "SELECT 1 AS one, 'x'::text AS s, 1.5::numeric AS d",
            "SAVEPOINT bench",
            "-- who is free\n/* a block\ncomment */\n  with t as (select 2 as two) select * from t",
        ],
    )
    assert len(run.statements) == 2  # the savepoint is not part of the read path
    expected = orjson.dumps([{"one": 1, "s": "x", "d": "1.5"}]) + orjson.dumps([{"two": 2}])
    assert run() == len(expected)


def test_floor_embeds_json_columns_as_postgresql_sent_them(db):
    import psycopg

    from bench.floor import prepare_floor_connection

    connection.ensure_connection()
    conninfo = connection.connection.info.dsn
    with psycopg.connect(conninfo, autocommit=True) as conn:
        prepare_floor_connection(conn)
        value = conn.execute("""SELECT '{"a": [1, 2]}'::jsonb""").fetchone()[0]
        assert orjson.dumps([value]) == b'[{"a": [1, 2]}]'
        assert floor_runner(conn, ["""SELECT '{"b":1}'::json AS item"""])() == len(b'[{"item":{"b":1}}]')


def test_markdown_report_shows_measured_and_missing_endpoints():
    measured = {
        "name": "appointments page 50",
        "as": "operator",
        "key": "appointments page 50 [operator]",
        "status": "ok",
        "queries": 3,
        "bytes": 12345,
        "latency": {"p50_ms": 4.0, "p95_ms": 6.0},
        "floor": {"p50_ms": 2.0},
        "ratio": 2.0,
    }
    missing = {"name": "staff", "as": "operator", "key": "staff [operator]", "status": "missing", "code": 404}
    text = report.markdown(
        {
            "meta": {
                "date": "2026-01-01 00:00",
                "cores": 2,
                "cpu": "test cpu",
                "postgres": "15.0",
                "python": "3.11",
                "size": "standard",
                "data": {"appointments": 20000, "notifications": 100000},
                "seed_seconds": 12.3,
                "mode": "quick",
                "warmup": 3,
                "reps": 20,
                "total_seconds": 60,
            },
            "inprocess": [measured, missing],
            "http": [
                {
                    "name": "appointments page 50",
                    "status": "ok",
                    "rps": 700.0,
                    "p50_ms": 10.0,
                    "p99_ms": 30.0,
                    "errors": 0,
                    "tool": "wrk",
                    "not_modified": {"rps": 2800.0, "p50_ms": 2.5},
                }
            ],
            "growth": [
                {
                    "factor": 1,
                    "label": "1x",
                    "counts": {"appointments": 20000, "user_notifications": 25000},
                    "measures": [measured],
                },
            ],
        }
    )
    assert "2 cores" in text and "PostgreSQL 15.0" in text and "2026-01-01" in text
    assert "| `appointments page 50` | operator | 3 | 4.00 | 6.00 | 12,345 | 2.00 | 2.00 |" in text
    assert "| `staff` | operator | missing (status 404) |" in text
    assert "| `appointments page 50` | 700.00 | 10.00 | 30.00 | 0 | 2,800.00 | 2.50 | 4.00 | wrk |" in text
    assert "| 1x | 20,000 | 25,000 | 4.00 |" in text


def test_the_report_says_when_the_machine_was_busy():
    from bench.machine import between

    before = {"at": 0.0, "load": [3.5, 2.0, 1.0], "cpu": [100, 0, 50, 800, 0, 0, 0, 0, 0, 0]}
    after = {"at": 10.0, "load": [4.0, 2.5, 1.2], "cpu": [400, 0, 150, 1000, 0, 0, 0, 100, 0, 0]}
    phase = between(before, after)
    assert phase["cpu_busy_pct"] == pytest.approx(100 * 500 / 700)
    assert phase["steal_pct"] == pytest.approx(100 * 100 / 700)
    meta = {
        "cpu": "test cpu",
        "machine": {"cores": 2, "load_at_start": before["load"], "phases": {"in-process": phase}},
        "busy": ["1-minute load 3.50 on 2 cores before the run", "CPU steal 14.3% during in-process"],
    }
    text = "\n".join(report.machine_lines(meta))
    assert "load average before the run 3.50 / 2.00 / 1.00" in text
    assert "| in-process | 10.00 | 3.50 | 4.00 | 71.43 | 14.29 |" in text
    assert "**The machine was busy** (1-minute load 3.50" in text


def test_readme_block_is_replaced_between_the_markers_only(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"# Title\n{report.START}\nold table\n{report.END}\nafter\n")
    assert report.update_readme(readme, "| new |")
    assert readme.read_text() == f"# Title\n{report.START}\n| new |\n{report.END}\nafter\n"
    plain = tmp_path / "PLAIN.md"
    plain.write_text("no markers\n")
    assert not report.update_readme(plain, "| new |")
    assert plain.read_text() == "no markers\n"


def test_copy_sql_keeps_every_column_unless_overridden_or_left_to_its_default():
    sql = copy_sql(["id", "user_id", "created_at"], "t", {"id": None, "created_at": "now()"}, '"t" s WHERE s.id = 1')
    assert sql == 'INSERT INTO "t" ("user_id", "created_at") SELECT s."user_id", now() FROM "t" s WHERE s.id = 1'


def test_bench_database_keeps_the_server_and_its_socket_folder():
    assert (
        database.bench_url("postgresql://postgres@127.0.0.1:5432/h") == "postgresql://postgres@127.0.0.1:5432/h_bench"
    )
    assert (
        database.bench_url("postgresql://postgres@/scheduling?host=/srv/app/.pgdata")
        == "postgresql://postgres@/scheduling_bench?host=/srv/app/.pgdata"
    )


WRK_OUTPUT = """Running 10s test @ http://127.0.0.1:8000/api/x/
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    11.07ms    2.11ms  40.17ms   80.00%
  Latency Distribution
     50%   10.50ms
     75%   12.00ms
     90%   13.00ms
     99%    1.20s
  7210 requests in 10.00s, 9.10MB read
  Socket errors: connect 0, read 1, write 0, timeout 2
  Non-2xx or 3xx responses: 4
Requests/sec:    720.95
Transfer/sec:      0.91MB
"""


def test_wrk_output_is_parsed_into_rate_percentiles_and_errors():
    r = httpbench.parse_wrk(WRK_OUTPUT, 8)
    assert r["rps"] == 720.95 and r["requests"] == 7210
    assert r["p50_ms"] == 10.5 and r["p99_ms"] == 1200.0
    assert r["errors"] == 7 and r["non_2xx"] == 4


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as gunicorn's gthread worker answers

    def do_GET(self):
        body = b'{"ok": true}' if self.headers.get("Authorization") == "Token t" else b"{}"
        self.send_response(200 if body != b"{}" else 401)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_load_generator_counts_answers_and_errors_over_keep_alive_connections():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    try:
        good = asyncio.run(run_load("127.0.0.1", port, "/x", {"Authorization": "Token t"}, 2, 0.3))
        bad = asyncio.run(run_load("127.0.0.1", port, "/x", {}, 1, 0.2))
    finally:
        server.shutdown()
    assert good["requests"] > 0 and good["errors"] == 0 and good["reconnects"] == 0
    assert bad["requests"] > 0 and bad["non_2xx"] == bad["requests"]
    with pytest.raises(ValueError):
        asyncio.run(run_load("example.com", 80, "/", {}, 1, 0.1))


def test_a_bench_run_writes_to_the_ignored_folder_unless_it_updates_the_readme(monkeypatch, tmp_path):
    from bench import cli

    monkeypatch.setattr(cli, "RESULTS", tmp_path / "results")
    monkeypatch.setattr(cli, "SCRATCH", tmp_path / "results" / "tmp")
    monkeypatch.setattr(cli, "BASE_DIR", tmp_path)
    monkeypatch.setattr(report, "markdown", lambda result: "table")
    monkeypatch.setattr(report, "update_readme", lambda readme, text: True)
    assert cli._write({"meta": {}}, cli.parse_args(["--quick"]))
    assert sorted(p.name for p in (tmp_path / "results").iterdir()) == ["tmp"]
    assert cli._write({"meta": {}}, cli.parse_args(["--update-readme"]))
    assert "latest.md" in [p.name for p in (tmp_path / "results").iterdir()]


def test_the_bench_database_is_dropped_when_the_run_is_done(db, django_db_blocker):
    from django.conf import settings

    server = database.database_url()
    url = database.with_database(server, settings.DATABASES["default"]["NAME"] + "_droptest")
    with django_db_blocker.unblock():
        database.recreate_database(url)
        database.drop_database(url)
        with psycopg.connect(database.psycopg_conninfo(database.with_database(url, "postgres"))) as conn:
            left = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database.database_name(url)])
            assert left.fetchone() is None


def test_the_trigger_table_lists_each_statement_then_its_triggers_slowest_first():
    text = report.trigger_table(
        [{"statement": "notification INSERT (one row)", "total_ms": 0.3, "triggers": {"a": 0.01, "b": 0.2}}]
    )
    lines = text.splitlines()
    assert lines[2] == "| **notification INSERT (one row)** | 0.30 | whole statement |"
    assert lines[3].startswith("|   trigger `b` | 0.20") and lines[4].startswith("|   trigger `a` | 0.01")


def test_the_benchmark_measures_every_report_route_of_the_api():
    """bench/endpoints.py (and bench.reports_scale, which reads it) names each report the API serves."""
    import datetime as dt

    from api.api import api
    from bench import reports_scale
    from bench.endpoints import ENDPOINTS, REPORTS

    served = {p for p in api.get_openapi_schema(path_prefix="/api/")["paths"] if p.startswith(REPORTS)}
    measured = {e.paths[0].split("?")[0] for e in ENDPOINTS if e.paths[0].startswith(REPORTS)}
    assert measured == served
    day = dt.date(2026, 1, 1)
    assert {e.paths[0].split("?")[0] for e in reports_scale.cases(day, day)} == served
