"""In-process figures: requests made as the production server makes them (Django's WSGI handler, real tokens),
queries per request, latency, bytes, floor."""

from __future__ import annotations

import datetime as dt
import functools
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass, field

import psycopg
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench.endpoints import Endpoint
from bench.floor import floor_runner
from bench.stats import summarize, time_calls, time_interleaved
from scheduling.models import Notification, Role, User
from scheduling.services.auth import issue_token


@functools.cache
def wsgi_handler() -> WSGIHandler:
    return WSGIHandler()


@dataclass
class Answer:
    status_code: int
    headers: Mapping[str, str]  # case-insensitive (Django's ResponseHeaders)
    content: bytes

    def __getitem__(self, name: str) -> str:
        return self.headers[name]

    def json(self):
        return json.loads(self.content)


def _start_response(status, headers, exc_info=None):
    return None


class ServerClient:
    """Requests as the production server makes them (config/wsgi_bridge.py): Django's WSGI handler called with a
    WSGI environ, the body iterated and the response closed, with production's request signals (the connection
    health check included). Django's test Client, used before, builds requests and instruments responses at a
    cost of its own (about 0.05-0.08 ms a request here) and skips the health check."""

    def __init__(self, token: str) -> None:
        self.authorization = f"Token {token}"

    def request(self, method: str, path: str, data=None, content_type: str = "application/json") -> Answer:
        path_info, _, query = path.partition("?")
        body = b"" if data is None else data if isinstance(data, bytes) else json.dumps(data).encode()
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path_info,
            "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": "127.0.0.1",
            "HTTP_AUTHORIZATION": self.authorization,
            "wsgi.input": io.BytesIO(body),
            "wsgi.url_scheme": "http",
        }
        if body:
            environ.update(CONTENT_TYPE=content_type, CONTENT_LENGTH=str(len(body)))
        response = wsgi_handler()(environ, _start_response)
        try:
            content = b"".join(response)
        finally:
            response.close()
        return Answer(response.status_code, response.headers, content)

    def get(self, path: str) -> Answer:
        return self.request("GET", path)

    def post(self, path: str, data=None, content_type: str = "application/json") -> Answer:
        return self.request("POST", path, data, content_type)


@dataclass
class Actors:
    users: dict[str, User] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    def client(self, who: str) -> ServerClient:
        return ServerClient(self.tokens[who])

    def describe(self) -> dict[str, str]:
        return {who: f"{u.username} (id {u.id})" for who, u in self.users.items()}


def _busiest(role: str, related: str) -> User:
    return User.objects.filter(role=role).annotate(n=Count(related)).order_by("-n", "id").first()


def prepare_actors() -> Actors:
    """One operator, the therapist and driver with the most appointments, and the user with most notifications."""
    actors = Actors()
    actors.users["operator"] = User.objects.filter(role=Role.OPERATOR).order_by("id").first()
    actors.users["therapist"] = _busiest(Role.THERAPIST, "appointments_as_therapist")
    actors.users["driver"] = _busiest(Role.DRIVER, "appointments_as_driver")
    top = Notification.objects.values("user_id").annotate(n=Count("id")).order_by("-n").first()
    actors.users["notified"] = User.objects.get(pk=top["user_id"]) if top else actors.users["operator"]
    for who, user in actors.users.items():
        actors.tokens[who] = issue_token(user, hours=24)
    return actors


def context() -> dict[str, str]:
    today = timezone.localdate()
    return {
        "today": today.isoformat(),
        "tomorrow": (today + dt.timedelta(days=1)).isoformat(),
        "week_start": (today - dt.timedelta(days=today.weekday())).isoformat(),
    }


def find_path(client: ServerClient, endpoint: Endpoint, ctx: dict[str, str]) -> tuple[str | None, int]:
    """The first of the endpoint's paths that answers 200, else (None, the last status seen)."""
    status = 0
    for template in endpoint.paths:
        path = template.format(**ctx)
        status = client.get(path).status_code
        if status == 200:
            return path, status
    return None, status


def measure(
    endpoint: Endpoint,
    actors: Actors,
    ctx: dict[str, str],
    *,
    warmup: int,
    reps: int,
    floor_conn: psycopg.Connection | None,
) -> dict:
    client = actors.client(endpoint.as_user)
    path, status = find_path(client, endpoint, ctx)
    result: dict = {"name": endpoint.name, "as": endpoint.as_user, "key": endpoint.key()}
    if path is None:
        result.update(status="missing", code=status, path=endpoint.paths[0].format(**ctx))
        return result
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    statements = [q["sql"] for q in captured.captured_queries]
    run = floor_runner(floor_conn, statements) if floor_conn is not None else None
    if run is None:
        samples = time_calls(lambda: client.get(path), warmup=warmup, reps=reps)
    else:  # endpoint and floor in alternating blocks: their ratio survives a drift in the machine's load
        samples, floor_samples = time_interleaved([lambda: client.get(path), run], warmup=warmup, reps=reps)
    result.update(
        status="ok",
        code=response.status_code,
        path=path,
        queries=len(statements),
        bytes=len(response.content),
        sql=statements,
        latency=summarize(samples),
    )
    if run is not None:
        floor = summarize(floor_samples)
        result["floor"] = {**floor, "statements": len(run.statements), "bytes": run()}
        result["ratio"] = result["latency"]["p50_ms"] / floor["p50_ms"] if floor["p50_ms"] > 0 else None
    return result
