"""The production server (manage.py serve's command): slow clients, its own error answers, static files."""

import json
import re
import socket
import subprocess
import sys
import time

import pytest

from bench.slowclients import SlowClients
from config.serving import BASE_DIR


def raw_request(port: int, data: bytes, timeout: float = 5.0) -> tuple[int, dict[str, str], bytes]:
    """Send bytes as they are; (status, headers, body) of the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        answer = b""
        while True:
            try:
                chunk = s.recv(65536)
            except (TimeoutError, ConnectionResetError):
                break
            if not chunk:
                break
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    return int(lines[0].split()[1]), {k.lower(): v for k, v in headers.items()}, body


def get(port: int, target: str, extra: bytes = b"") -> tuple[int, dict[str, str], bytes]:
    return raw_request(
        port, b"GET " + target.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + extra + b"\r\n"
    )


def loadgen(port: int, path: str, duration: float) -> dict:
    cmd = [sys.executable, "-m", "bench.loadgen", "--port", str(port), "--path", path]
    cmd += ["--connections", "4", "--duration", str(duration)]
    out = subprocess.run(cmd, cwd=BASE_DIR, capture_output=True, text=True, check=True, timeout=duration + 60)
    return json.loads(out.stdout)


def test_200_slow_header_clients_leave_a_normal_request_under_a_second_at_p99(live_port):
    with SlowClients(live_port, count=200, interval=1.0) as slow:
        time.sleep(1.0)
        assert slow.connected() == 200
        result = loadgen(live_port, "/api/health/", duration=4)
    assert result["errors"] == 0 and result["requests"] > 100
    assert result["p99_ms"] < 1000


def test_a_client_that_never_finishes_its_headers_is_dropped(live_servers, live_database_url):
    # the live servers run with WEB_HEADER_TIMEOUT=3 (production: 10 s)
    with socket.create_connection(("127.0.0.1", live_servers[1]), timeout=15) as s:
        s.sendall(b"GET /api/health/ HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        started = time.monotonic()
        assert s.recv(1024) == b""  # closed by the server, nothing answered
        assert 2.5 <= time.monotonic() - started < 6


@pytest.mark.parametrize(
    ("target", "extra", "status"),
    [
        ("/api/health/?q=" + "a" * 9000, b"", 414),
        ("/api/health/", b"X-Big: " + b"a" * 40000 + b"\r\n", 431),
    ],
)
def test_oversized_requests_are_answered_with_json(live_port, target, extra, status):
    code, headers, body = get(live_port, target, extra)
    assert code == status
    assert headers["content-type"] == "application/json"
    assert json.loads(body)["detail"]


def test_a_malformed_request_is_answered_with_json(live_port):
    code, headers, body = raw_request(live_port, b"NOT A REQUEST\r\n\r\n")
    assert code == 400
    assert headers["content-type"] == "application/json"
    assert json.loads(body)["detail"].startswith("Bad request")


def test_the_admin_links_hashed_static_files_served_compressed_and_cached_for_a_year(live_port):
    code, _, page = get(live_port, "/admin/login/")
    assert code == 200
    css = re.search(rb'href="(/static/admin/css/base\.[0-9a-f]{12}\.css)"', page)
    assert css, "the admin page links a content-hashed stylesheet"
    code, headers, _ = get(live_port, css.group(1).decode(), b"Accept-Encoding: gzip\r\n")
    assert code == 200
    assert headers["content-type"].startswith("text/css")
    assert headers.get("content-encoding") == "gzip"
    assert "max-age=315360000" in headers["cache-control"] and "immutable" in headers["cache-control"]


def test_swagger_ui_assets_are_served_locally(live_port):
    code, _, body = get(live_port, "/api/docs")
    assert code == 200
    assert b"cdn." not in body.lower()
    assert b"/static/ninja/" in body


def post(port: int, path: str, body: bytes, extra: bytes = b"") -> tuple[int, dict[str, str], bytes]:
    head = b"POST " + path.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
    return raw_request(port, head + b"Content-Type: application/json\r\n" + extra + b"\r\n" + body)


def test_a_slow_body_sender_holds_no_worker(live_servers):
    """The body is read by the event loop before Django runs: while a client has sent a tenth of its body, the
    same single-process server answers others at once."""
    port = live_servers[0]
    with socket.create_connection(("127.0.0.1", port), timeout=5) as slow:
        slow.sendall(
            b"POST /api/auth/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: 100\r\n\r\n" + b"{" * 10
        )
        time.sleep(0.3)
        started = time.monotonic()
        code, _, _ = get(port, "/api/health/")
        assert code == 200
        assert time.monotonic() - started < 1


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_body_over_the_limit_is_refused_with_json(live_port, chunked):
    from django.conf import settings

    body = b'{"username": "' + b"a" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE + b'"}'
    if chunked:
        framed = b"%x\r\n" % len(body) + body + b"\r\n0\r\n\r\n"
        code, headers, answer = post(live_port, "/api/auth/login/", framed, b"Transfer-Encoding: chunked\r\n")
    else:
        code, headers, answer = post(live_port, "/api/auth/login/", body, b"Content-Length: %d\r\n" % len(body))
    assert code == 413
    assert headers["content-type"] == "application/json"
    assert "too large" in json.loads(answer)["detail"]


def test_a_chunked_body_reaches_the_api(live_port):
    body = b'{"username": "nobody-here", "password": "wrong-password"}'
    framed = b"%x\r\n" % 10 + body[:10] + b"\r\n" + b"%x\r\n" % (len(body) - 10) + body[10:] + b"\r\n0\r\n\r\n"
    code, headers, answer = post(live_port, "/api/auth/login/", framed, b"Transfer-Encoding: chunked\r\n")
    assert code in (400, 401)  # the credentials were read (an empty body would be a 422 naming the fields)
    assert "username" not in json.loads(answer).get("detail", "").lower() or code == 401


def test_a_server_process_keeps_one_database_connection_across_requests(live_servers, live_database_url):
    """Requests run on the event loop reuse the process's connection (CONN_MAX_AGE) rather than opening one each."""
    import psycopg

    port = live_servers[0]

    def backends() -> int:
        with psycopg.connect(live_database_url, autocommit=True) as conn:
            return conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
                " AND backend_type = 'client backend' AND query NOT ILIKE 'LISTEN%%'"
            ).fetchone()[0]

    get(port, "/api/health/")
    before = backends()
    for _ in range(60):
        assert get(port, "/api/health/")[0] == 200
    assert backends() <= before + 1
