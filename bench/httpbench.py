"""Real HTTP: the production server (uvicorn running config/asgi.py, as `manage.py serve` starts it, see
config/serving.py) on 127.0.0.1, and gunicorn gthread (config/gunicorn_conf.py, the previous arrangement) for the
comparison; driven by wrk when it is installed, else by bench.loadgen in a separate process. The servers are
always stopped afterwards."""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from config.serving import running_server

BASE_DIR = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
LOG_DIR = BASE_DIR / "bench" / "results" / "tmp"


def gunicorn_command() -> list[str]:
    exe = Path(sys.executable).parent / "gunicorn"
    base = [str(exe)] if exe.exists() else [sys.executable, "-m", "gunicorn"]
    conf = str(BASE_DIR / "config" / "gunicorn_conf.py")
    return [*base, "-c", conf, "config.wsgi:application", "--bind", f"{HOST}:{{port}}"]


@contextlib.contextmanager
def production_server(database_url: str, env: dict[str, str] | None = None) -> Iterator[int]:
    """The production server on a free port against `database_url`; yields the port once /api/health/ answers."""
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    with running_server(env={"DATABASE_URL": database_url, **(env or {})}, log_path=LOG_DIR / "server.log") as port:
        yield port


@contextlib.contextmanager
def gunicorn_server(database_url: str, env: dict[str, str] | None = None) -> Iterator[int]:
    """gunicorn gthread with config/gunicorn_conf.py (the arrangement before the live channel), for comparison."""
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    environ = {"DATABASE_URL": database_url, **(env or {})}
    with running_server(gunicorn_command(), env=environ, log_path=LOG_DIR / "gunicorn.log") as port:
        yield port


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not m:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(m.group(1)) * _UNITS[m.group(2)]


def parse_wrk(output: str, connections: int) -> dict:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    requests = int(re.search(r"(\d+) requests in ([\d.]+\w+)", output).group(1))
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.M)
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    socket_errors = sum(int(x) for x in sock.groups()) if sock else 0
    non = int(non_2xx.group(1)) if non_2xx else 0
    return {
        "tool": "wrk",
        "connections": connections,
        "requests": requests,
        "rps": rps,
        "p50_ms": _ms(p50.group(1)) if p50 else None,
        "p99_ms": _ms(p99.group(1)) if p99 else None,
        "errors": non + socket_errors,
        "non_2xx": non,
        "socket_errors": socket_errors,
    }


def drive(
    port: int,
    path: str,
    token: str | None,
    *,
    connections: int,
    duration: float,
    tool: str = "auto",
    warmup: float = 1.0,
    headers: dict[str, str] | None = None,
) -> dict:
    """A bounded load (fixed duration and connections) against one path; `tool` is auto, wrk or python. A short
    unmeasured run first lets every worker thread open its database connection and build its caches."""
    if warmup > 0:
        _drive(port, path, token, connections=connections, duration=warmup, tool=tool, headers=headers)
    return _drive(port, path, token, connections=connections, duration=duration, tool=tool, headers=headers)


def entity_tag(port: int, path: str, token: str) -> str | None:
    """The ETag the server gives this path now (for the conditional-GET figure)."""
    request = urllib.request.Request(f"http://{HOST}:{port}{path}", headers={"Authorization": f"Token {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.headers.get("ETag")


def _drive(
    port: int,
    path: str,
    token: str | None,
    *,
    connections: int,
    duration: float,
    tool: str,
    headers: dict[str, str] | None = None,
) -> dict:
    lines = [f"Authorization: Token {token}"] if token else []
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    wrk = shutil.which("wrk")
    if tool == "wrk" or (tool == "auto" and wrk):
        cmd = [wrk or "wrk", "-t2", f"-c{connections}", f"-d{duration:g}s", "--timeout", "5s", "--latency"]
        for line in lines:
            cmd += ["-H", line]
        out = subprocess.run(
            [*cmd, f"http://{HOST}:{port}{path}"], capture_output=True, text=True, check=True, timeout=duration + 60
        )
        return parse_wrk(out.stdout, connections)
    cmd = [sys.executable, "-m", "bench.loadgen", "--port", str(port), "--path", path]
    cmd += ["--connections", str(connections), "--duration", str(duration)]
    for line in lines:
        cmd += ["--header", line]
    out = subprocess.run(cmd, cwd=BASE_DIR, capture_output=True, text=True, check=True, timeout=duration + 60)
    return json.loads(out.stdout)
