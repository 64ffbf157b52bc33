"""A private stack for fault tests: its own embedded PostgreSQL in a temporary folder and the production server
(uvicorn with config/serving.py's command, 2 workers) on a port of its own, so a test can stop the database under load without
touching the suite's server. Everything runs as child processes with EMBEDDED_PG_DIR / DATABASE_URL set."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from config.serving import server_command

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
PORTS = range(8540, 8560)  # this fault suite's own range

SETUP = """
import json
from decimal import Decimal
from scheduling.models import Client, Service, User
from scheduling.services.auth import issue_token
operator = User.objects.create_user(username="fault-operator", password="x-fault-pass-1", role="operator")
therapists = [
    User.objects.create_user(username=f"fault-therapist{i}", password="x-fault-pass-1", role="therapist",
                             license_number=f"LIC-F{i}")
    for i in range(WIDTH)
]
client = Client.objects.create(first_name="Fault", last_name="Client", phone_number="+639170001111", address="A")
service = Service.objects.create(name="Fault service", duration=60, price=Decimal("500"))
print(json.dumps({
    "operator": issue_token(operator, hours=4),
    "therapists": [[t.id, issue_token(t, hours=4)] for t in therapists],
    "client": client.id,
    "service": service.id,
}))
"""


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise RuntimeError("no free port in the fault suite's range")


@dataclass
class Answer:
    status: int
    body: bytes
    headers: dict[str, str]  # names in lower case
    started: float
    ended: float

    def json(self):
        return json.loads(self.body)


@dataclass
class LiveStack:
    folder: Path
    port: int = 0
    env: dict[str, str] = field(default_factory=dict)
    server: subprocess.Popen | None = None

    def _run(self, *args: str, check: bool = True, capture: bool = False) -> str:
        done = subprocess.run(
            [PYTHON, *args], cwd=ROOT, env=self.env, check=check, capture_output=True, text=True, timeout=300
        )
        return done.stdout

    # ---------------------------------------------------------------- database

    def start_db(self) -> None:
        self._run("-m", "config.embedded_pg", "start")

    def stop_db(self) -> None:
        self._run("-m", "config.embedded_pg", "stop")

    def manage(self, *args: str, check: bool = True) -> str:
        return self._run("manage.py", *args, check=check)

    def shell(self, code: str) -> str:
        """Run Python in the stack's Django; returns the last line it printed."""
        return self.manage("shell", "-v0", "-c", code).strip().splitlines()[-1]

    def setup(self, width: int) -> dict:
        self.env = {
            **os.environ,
            "EMBEDDED_PG_DIR": str(self.folder / "pgdata"),
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "PYTHONPATH": str(ROOT),
        }
        self.env.pop("DATABASE_URL", None)
        self.start_db()
        self.env["DATABASE_URL"] = self._run("-m", "config.embedded_pg", "uri").strip()
        self.manage("migrate", "-v0")
        return json.loads(self.shell(SETUP.replace("WIDTH", str(width))))

    # ---------------------------------------------------------------- server

    def start_server(self) -> None:
        self.port = free_port()
        env = {**self.env, "WEB_THREADS": "4"}
        self.server = subprocess.Popen(
            server_command("127.0.0.1", self.port, worker_count=2),  # the production server (manage.py serve)
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(self.folder / "server.log", "wb"),  # noqa: SIM115 - closed with the process
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                if self.request("GET", "/api/health/").status == 200:
                    return
            time.sleep(0.2)
        raise RuntimeError("the live server did not come up")

    def stop(self) -> None:
        if self.server is not None:
            self.server.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.server.wait(15)
            if self.server.poll() is None:
                self.server.kill()
            self.server = None
        if self.env:
            self._run("-m", "config.embedded_pg", "stop", check=False)

    # ---------------------------------------------------------------- HTTP

    def request(
        self, method: str, path: str, body: dict | None = None, token: str | None = None, **headers: str
    ) -> Answer:
        started = time.monotonic()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            sent = {"Content-Type": "application/json", **headers}
            if token:
                sent["Authorization"] = f"Token {token}"
            conn.request(method, path, body=json.dumps(body).encode() if body is not None else None, headers=sent)
            response = conn.getresponse()
            headers = {name.lower(): value for name, value in response.getheaders()}  # servers differ in case
            return Answer(response.status, response.read(), headers, started, time.monotonic())
        finally:
            conn.close()

    def send_and_drop(self, method: str, path: str, body: dict, token: str, **headers: str) -> None:
        """Send a request and close the socket without reading the answer: the answer is lost on the way."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        sent = {"Content-Type": "application/json", "Authorization": f"Token {token}", **headers}
        conn.request(method, path, body=json.dumps(body).encode(), headers=sent)
        conn.sock.shutdown(socket.SHUT_RD)
        conn.close()
