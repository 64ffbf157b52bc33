"""Real servers for the live tests: the production command (uvicorn, config/asgi.py) against the test database."""

import contextlib
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from config.serving import BASE_DIR, running_server

LOG_DIR = BASE_DIR / "bench" / "results" / "tmp"  # git-ignored


def database_url(base_url: str, name: str) -> str:
    return urlsplit(base_url)._replace(path=f"/{name}").geturl()


@pytest.fixture(scope="session")
def live_database_url(django_db_setup, django_db_blocker):
    from django.conf import settings
    from django.db import connection

    return database_url(settings.DATABASE_URL, connection.settings_dict["NAME"])


@pytest.fixture(scope="session")
def live_servers(live_database_url):
    """Two server processes (one worker each) on the test database: ports [a, b]."""
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    env = {
        "DATABASE_URL": live_database_url,
        "LIVE_HEARTBEAT_SECONDS": "1",
        "STATIC_HASHED": "true",
        "WEB_HEADER_TIMEOUT": "3",
    }
    # as manage.py serve does: hashed, compressed static files for WhiteNoise (into the git-ignored staticfiles/)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=BASE_DIR,
        env=dict(os.environ, **env),
        check=True,
        timeout=120,
    )
    with contextlib.ExitStack() as stack:
        ports = [
            stack.enter_context(running_server(env=env, workers=1, log_path=LOG_DIR / f"live-server-{i}.log"))
            for i in range(2)
        ]
        yield ports


@pytest.fixture
def live_port(live_servers):
    return live_servers[0]


def ws_url(port: int, token: str | None) -> str:
    query = f"?token={token}" if token is not None else ""
    return f"ws://127.0.0.1:{port}/ws/scheduling/appointments/{query}"


def open_socket(port: int, token: str | None):
    return connect(ws_url(port, token), max_size=None, open_timeout=5)


def next_message(ws, timeout: float = 1.0, skip=("heartbeat",)) -> dict:
    """The next message whose type is not in `skip`, within `timeout` seconds (TimeoutError otherwise)."""
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("no message in time")
        message = json.loads(ws.recv(timeout=remaining))
        if message["type"] not in skip:
            return message


def wait_closed(ws, timeout: float = 2.0) -> int | None:
    """Read until the server closes the socket; its close code."""
    deadline = time.monotonic() + timeout
    with contextlib.suppress(ConnectionClosed):
        while time.monotonic() < deadline:
            ws.recv(timeout=deadline - time.monotonic())
    return ws.close_code


def http(port: int, method: str, path: str, token: str | None = None, body: dict | None = None) -> tuple[int, dict]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")
