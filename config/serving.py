"""The production server's command line, shared by `manage.py serve`, the benchmark and the live tests.

uvicorn (httptools parser, uvloop event loop, one process per core) runs config/asgi.py: HTTP goes to Django's
WSGI app (config/wsgi_bridge.py: run on each process's event loop once the body is in), the WebSocket channel to
Channels. A slow or idle client costs an event-loop transport, never the application, so slow senders cannot
starve the requests of others. The choice was measured against gunicorn gthread, a thread pool per process and
granian (README, "Serving"; `python -m bench.serving`).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def workers() -> int:
    # the cores this process may use (a container's limit, not the host's count)
    return int(os.environ.get("WEB_WORKERS") or len(os.sched_getaffinity(0)))


def server_command(host: str, port: int, worker_count: int | None = None) -> list[str]:
    exe = Path(sys.executable).parent / "uvicorn"
    base = [str(exe)] if exe.exists() else [sys.executable, "-m", "uvicorn"]
    return [
        *base,
        "config.asgi:application",
        "--host",
        host,
        "--port",
        str(port),
        "--workers",
        str(worker_count or workers()),
        "--loop",
        "uvloop",
        "--http",
        "config.http_protocol:JsonErrorsHttpToolsProtocol",  # httptools, a header deadline, JSON 400s
        "--ws",
        "websockets-sansio",
        # permessage-deflate keeps a zlib state per socket: 80 KiB a socket with it, 34 KiB without (400 sockets,
        # measured); the REST answers are not compressed either
        "--ws-per-message-deflate",
        "false",
        "--lifespan",
        "off",  # Channels' router takes no lifespan events
        "--backlog",
        "2048",
        "--timeout-keep-alive",
        os.environ.get("WEB_KEEPALIVE", "5"),
        "--timeout-graceful-shutdown",
        "4",  # Ctrl+C stops everything in under 5 s, open WebSockets included
        "--log-level",
        os.environ.get("WEB_LOG_LEVEL", "warning"),
        "--access-log" if os.environ.get("ACCESS_LOG") else "--no-access-log",
    ]


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_server(
    command: list[str] | None = None,
    *,
    env: dict[str, str] | None = None,
    port: int | None = None,
    workers: int | None = None,
    log_path: Path | None = None,
    timeout: float = 60,
    host: str = "127.0.0.1",
) -> Iterator[int]:
    """Start a server (by default the production one) on `port` (a free one if None) in its own session; yield
    the port once /api/health/ answers; stop it (SIGINT, then SIGKILL) however the block ends. For the
    benchmark and the live tests. `command` may hold `{port}`. `workers`: processes of the production server,
    by default one per core as `manage.py serve` starts it (WEB_WORKERS)."""
    port = port or free_port(host)
    argv = [a.format(port=port) for a in command] if command else server_command(host, port, workers)
    environ = dict(os.environ, HOST=host, PORT=str(port), **(env or {}))
    log = open(log_path or os.devnull, "ab")  # noqa: SIM115 - closed in finally
    proc = subprocess.Popen(
        argv, cwd=BASE_DIR, env=environ, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"{Path(argv[0]).name} exited with {proc.returncode} (log: {log_path})")
            try:
                with urllib.request.urlopen(f"http://{host}:{port}/api/health/", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{Path(argv[0]).name} did not answer /api/health/ in time (log: {log_path})")
            time.sleep(0.2)
        yield port
    finally:
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGINT)  # quick shutdown of the server and its workers (own session)
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(5)
        log.close()
