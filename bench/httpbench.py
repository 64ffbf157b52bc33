"""Real HTTP: the production server (gunicorn with config/gunicorn_conf.py) on 127.0.0.1, driven by wrk when it
is installed, else by bench.loadgen in a separate process. The server is always stopped afterwards."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def gunicorn_command(port: int) -> list[str]:
    exe = Path(sys.executable).parent / "gunicorn"
    base = [str(exe)] if exe.exists() else [sys.executable, "-m", "gunicorn"]
    return [*base, "-c", str(BASE_DIR / "config" / "gunicorn_conf.py"), "config.wsgi:application"]


@contextlib.contextmanager
def gunicorn_server(database_url: str, env: dict[str, str] | None = None, timeout: float = 60) -> Iterator[int]:
    """Start gunicorn on a free port against `database_url`; yield the port once /api/health/ answers; stop it
    (SIGTERM, then SIGKILL) however the block ends, Ctrl+C included."""
    port = free_port()
    environ = dict(os.environ, DATABASE_URL=database_url, HOST=HOST, PORT=str(port), **(env or {}))
    log_dir = BASE_DIR / "bench" / "results" / "tmp"
    log_dir.mkdir(parents=True, exist_ok=True)
    log = open(log_dir / "gunicorn.log", "ab")  # noqa: SIM115 - closed in finally
    proc = subprocess.Popen(
        gunicorn_command(port), cwd=BASE_DIR, env=environ, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {proc.returncode}; see bench/results/tmp/gunicorn.log")
            try:
                with urllib.request.urlopen(f"http://{HOST}:{port}/api/health/", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not answer /api/health/ in time; see bench/results/tmp/gunicorn.log")
            time.sleep(0.2)
        yield port
    finally:
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGINT)  # quick shutdown of master and workers (own session)
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(5)
        log.close()


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
