"""`python -m bench.serving [ROUNDS]`: the measurement behind the README's "Serving" table.

Against the dev database with the standard data (`make seed-standard`, embedded server running: `make db-start`),
each arrangement is started in turn, ROUNDS interleaved rounds: appointments page 50 as operator under wrk or
bench.loadgen (8 connections, 8 s), then the p99 of /api/auth/me/ (4 connections, 6 s) while 200 slow-header
clients stay connected. Prints a Markdown table of medians. Arrangements whose server is not installed
(granian, daphne: not dependencies of the project) are left out.
"""

from __future__ import annotations

import json
import shutil
import statistics
import sys
import time
import urllib.request
from pathlib import Path

from bench import httpbench
from bench.slowclients import SlowClients
from config.serving import running_server

BIN = Path(sys.executable).parent
PAGE_50 = "/api/scheduling/appointments/?page_size=50"
GRANIAN = [
    str(BIN / "granian"),
    *("--interface", "asginl", "--workers", "2", "--host", "127.0.0.1", "--port", "{port}"),
    *("--no-log", "--http1-header-read-timeout", "10000", "config.asgi:application"),
]
# name: (command, environment); None is the production command (config/serving.py)
CANDIDATES = {
    "gunicorn gthread (WSGI, config/gunicorn_conf.py)": (httpbench.gunicorn_command(), {}),
    "uvicorn, Django on the event loop (production, WEB_THREADS=0)": (None, {}),
    "uvicorn, Django in a pool of 4 threads (WEB_THREADS=4)": (None, {"WEB_THREADS": "4"}),
    "granian, Django on the event loop": (GRANIAN, {}),
}


def login(port: int) -> str:
    body = json.dumps({"username": "operator1", "password": "demo-pass-2026"}).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/auth/login/", data=body, headers={"content-type": "application/json"}
    )
    with urllib.request.urlopen(request) as response:
        return json.load(response)["token"]


def measure(command: list[str] | None, env: dict[str, str], tool: str) -> dict:
    with running_server(
        command, env={"WEB_WORKERS": "2", **env}, workers=2, log_path=httpbench.LOG_DIR / "serving.log"
    ) as port:
        token = login(port)
        load = httpbench.drive(port, PAGE_50, token, connections=8, duration=8, tool=tool, warmup=2)
        with SlowClients(port, 200) as slow:
            time.sleep(1.5)
            held = slow.connected()
            normal = httpbench.drive(port, "/api/auth/me/", token, connections=4, duration=6, tool=tool, warmup=0)
    return {
        "rps": load["rps"],
        "p50_ms": load["p50_ms"],
        "p99_ms": load["p99_ms"],
        "slow_clients": held,
        "slow_p99_ms": normal["p99_ms"],
        "slow_rps": normal["rps"],
        "errors": load["errors"] + normal["errors"],
    }


def main(argv: list[str]) -> int:
    rounds = int(argv[0]) if argv else 3
    tool = "wrk" if shutil.which("wrk") else "python"
    httpbench.LOG_DIR.mkdir(parents=True, exist_ok=True)
    runnable = {name: c for name, c in CANDIDATES.items() if c[0] is None or Path(c[0][0]).exists()}
    results: dict[str, list[dict]] = {name: [] for name in runnable}
    for r in range(rounds):
        for name, (command, env) in runnable.items():
            results[name].append(measure(command, env, tool))
            print(r, name, results[name][-1], flush=True)
    base = statistics.median(x["rps"] for x in results[next(iter(results))])
    print(
        "\n| arrangement | page 50 req/s | ratio to gunicorn | p50 ms | p99 ms | p99 with 200 slow clients | req/s then |"
    )
    print("|---|---|---|---|---|---|---|")
    for name, rows in results.items():
        med = {k: statistics.median(x[k] for x in rows) for k in rows[0]}
        print(
            f"| {name} | {med['rps']:.0f} | {med['rps'] / base:.2f} | {med['p50_ms']:.1f} | {med['p99_ms']:.1f}"
            f" | {med['slow_p99_ms']:.0f} ms | {med['slow_rps']:.0f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
