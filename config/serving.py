"""The production server's command line, shared by `manage.py serve`, the benchmark and the live tests.

granian (HTTP parsing and connections in Rust) runs config/asgi.py: HTTP to Django's WSGI app in a thread pool
per worker, the WebSocket channel to Channels. Slow or idle clients cost a Rust task each, never a Python
thread, and a client that has not sent its headers within WEB_HEADER_TIMEOUT_MS is dropped. The choice was
measured against gunicorn gthread, uvicorn and daphne (README, "Serving").
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def workers() -> int:
    # the cores this process may use (a container's limit, not the host's count)
    return int(os.environ.get("WEB_WORKERS") or len(os.sched_getaffinity(0)))


def server_command(host: str, port: int, worker_count: int | None = None) -> list[str]:
    exe = Path(sys.executable).parent / "granian"
    base = [str(exe)] if exe.exists() else [sys.executable, "-m", "granian"]
    argv = [
        *base,
        "--interface",
        "asginl",  # ASGI without lifespan events, which Channels' router does not take
        "--host",
        host,
        "--port",
        str(port),
        "--workers",
        str(worker_count or workers()),
        "--backlog",
        "2048",
        "--http1-header-read-timeout",
        os.environ.get("WEB_HEADER_TIMEOUT_MS", "5000"),
        "--workers-kill-timeout",
        "4",  # Ctrl+C stops everything in under 5 s, however busy a worker is
        "--respawn-failed-workers",
        "--log-level",
        os.environ.get("WEB_LOG_LEVEL", "warning"),
    ]
    if os.environ.get("ACCESS_LOG"):
        argv.append("--access-log")
    return [*argv, "config.asgi:application"]
