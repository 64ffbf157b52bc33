"""PostgreSQL stops and starts again under load, behind the real server (issue 14, items 4 and 5).

Writers book (each with an Idempotency-Key, retried with the same key on a 503, as a careful client does) and
confirm; readers list. While the database is down every answer is a 503 with Retry-After, never a 500; once it
is back everything works again without a restart; every acknowledged write is there exactly once; counters and
caches equal a recount."""

import datetime as dt
import http.client
import socket
import threading
import time
import uuid

import pytest

from tests.faults.live import LiveStack

WRITERS = 4
DOWN_SECONDS = 3.0
APPOINTMENTS = "/api/scheduling/appointments/"
COUNT = "from scheduling.models import Appointment; print(Appointment.objects.count())"


@pytest.fixture
def stack(tmp_path):
    live = LiveStack(tmp_path)
    try:
        data = live.setup(width=WRITERS)
        live.start_server()
        yield live, data
    finally:
        live.stop()


def test_a_database_restart_under_load_gives_only_503_while_down_and_loses_nothing(stack):
    live, data = stack
    answers = []  # every HTTP answer: (Answer, what)
    acknowledged_bookings: dict[str, int] = {}  # idempotency key -> appointment id
    confirmed: set[int] = set()
    stop = threading.Event()
    lock = threading.Lock()

    def record(answer, what):
        with lock:
            answers.append((answer, what))
        return answer

    def writer(w: int) -> None:
        therapist_id, therapist_token = data["therapists"][w]
        base = dt.date.today() + dt.timedelta(days=10)
        i = 0
        while not stop.is_set():
            key = str(uuid.uuid4())
            body = {
                "client": data["client"],
                "services": [data["service"]],
                "therapist": therapist_id,
                "date": str(base + dt.timedelta(days=i // 10)),
                "start_time": f"{8 + i % 10:02d}:00",
                "location": "Fault street 1",
            }
            i += 1
            for _ in range(200):  # retry the same request with the same key until it is answered
                answer = record(
                    live.request("POST", APPOINTMENTS, body, data["operator"], **{"Idempotency-Key": key}), "book"
                )
                if answer.status != 503:
                    break
                time.sleep(0.05)
            if answer.status != 201:
                continue
            appointment_id = answer.json()["id"]
            with lock:
                acknowledged_bookings[key] = appointment_id
            confirm = record(
                live.request("POST", f"{APPOINTMENTS}{appointment_id}/therapist_confirm/", {}, therapist_token),
                "confirm",
            )
            if confirm.status == 200:
                with lock:
                    confirmed.add(appointment_id)

    def reader() -> None:
        while not stop.is_set():
            record(live.request("GET", f"{APPOINTMENTS}?page_size=20", None, data["operator"]), "list")
            record(live.request("GET", "/api/health/"), "health")

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(WRITERS)]
    threads += [threading.Thread(target=reader) for _ in range(2)]
    for thread in threads:
        thread.start()
    time.sleep(3)
    down_from = time.monotonic()
    live.stop_db()
    time.sleep(DOWN_SECONDS)
    live.start_db()
    up_at = time.monotonic()
    time.sleep(4)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)

    statuses = [a.status for a, _ in answers]
    errors = [a for a, _ in answers if a.status >= 500 and a.status != 503]
    assert errors == [], [(a.status, a.body[:200]) for a in errors]
    unavailable = [a for a, _ in answers if a.status == 503]
    assert unavailable, "the outage was not seen: the test proves nothing"
    assert all(a.headers.get("retry-after") for a in unavailable)
    # Only while down: a 503 answer belongs to a request that overlapped the outage.
    assert all(a.ended >= down_from and a.started <= up_at + 0.5 for a in unavailable)
    assert all(b"socket" not in a.body and b"/" not in a.json()["detail"].encode() for a in unavailable)
    after = [a.status for a, _ in answers if a.started > up_at + 0.5]
    assert after and set(after) <= {200, 201}, sorted(set(after))

    # Every acknowledged booking exists exactly once, every acknowledged confirmation stuck.
    check = f"""
from scheduling.models import Appointment
ids = {sorted(acknowledged_bookings.values())!r}
confirmed = {sorted(confirmed)!r}
rows = dict(Appointment.objects.values_list("id", "status"))
assert len(rows) == len(ids), (len(rows), len(ids))
assert all(i in rows for i in ids)
assert all(rows[i] == "therapist_confirmed" for i in confirmed)
print("ok", len(ids), len(confirmed))
"""
    assert live.shell(check).split()[0] == "ok"
    live.manage("verify_appointment_caches")  # exits non-zero on any difference
    live.manage("verify_notification_counters")
    print(
        f"\nrestart under load: {len(statuses)} answers, {len(unavailable)} x 503 while down, 0 x 500, "
        f"{len(acknowledged_bookings)} bookings and {len(confirmed)} confirmations acknowledged, all present"
    )


def test_a_booking_whose_answer_was_lost_is_retried_safely_with_its_key(stack):
    live, data = stack
    therapist_id, _ = data["therapists"][0]
    body = {
        "client": data["client"],
        "services": [data["service"]],
        "therapist": therapist_id,
        "date": str(dt.date.today() + dt.timedelta(days=3)),
        "start_time": "10:00",
        "location": "Fault street 1",
    }
    key = {"Idempotency-Key": "lost-answer-1"}
    live.send_and_drop("POST", APPOINTMENTS, body, data["operator"], **key)  # committed, answer never read
    deadline = time.monotonic() + 10
    while True:  # the client retries until it gets an answer
        retry = live.request("POST", APPOINTMENTS, body, data["operator"], **key)
        if retry.status == 201 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert retry.status == 201
    again = live.request("POST", APPOINTMENTS, body, data["operator"], **key)
    assert again.status == 201 and again.body == retry.body and again.headers.get("idempotent-replayed") == "true"
    assert live.shell(COUNT) == "1"
    # The same key with another body is refused.
    other = live.request("POST", APPOINTMENTS, {**body, "start_time": "15:00"}, data["operator"], **key)
    assert other.status == 422

    # An idempotent booking sent while the database is down: 503, then the retry books it once.
    live.stop_db()
    try:
        down = live.request(
            "POST", APPOINTMENTS, {**body, "start_time": "16:00"}, data["operator"], **{"Idempotency-Key": "k2"}
        )
        assert down.status == 503 and down.headers.get("retry-after")
    finally:
        live.start_db()
    up = live.request(
        "POST", APPOINTMENTS, {**body, "start_time": "16:00"}, data["operator"], **{"Idempotency-Key": "k2"}
    )
    assert up.status == 201
    assert live.shell(COUNT) == "2"


def test_the_real_server_reads_chunked_bodies_and_refuses_oversized_ones(stack):
    live, _ = stack
    conn = http.client.HTTPConnection("127.0.0.1", live.port, timeout=30)
    try:
        body = iter([b'{"username": "nobody", ', b'"password": "wrong-password"}'])
        conn.request(
            "POST", "/api/auth/login/", body=body, headers={"Content-Type": "application/json"}, encode_chunked=True
        )
        answer = conn.getresponse()
        assert answer.status == 401, answer.read()  # the body was read: a real login attempt, not "no body"
        answer.read()
    finally:
        conn.close()
    conn = http.client.HTTPConnection("127.0.0.1", live.port, timeout=30)
    try:
        huge = (b"x" * 65536 for _ in range(64))  # 4 MB in chunks, over the 2.5 MB limit
        conn.request(
            "POST", "/api/auth/login/", body=huge, headers={"Content-Type": "application/json"}, encode_chunked=True
        )
        answer = conn.getresponse()
        assert answer.status == 413 and answer.getheader("Content-Type").startswith("application/json")
    finally:
        conn.close()
    # A 20 MB body is refused from its Content-Length, before it is sent in full (the client sends only 64 kB).
    with socket.create_connection(("127.0.0.1", live.port), timeout=30) as sock:
        head = (
            "POST /api/auth/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {20 * 1024 * 1024}\r\n\r\n"
        )
        sock.sendall(head.encode() + b'{"username": "' + b"x" * 65536)
        answer = ""
        while '"detail"' not in answer and (chunk := sock.recv(65536)):  # headers and body may come apart
            answer += chunk.decode("latin-1")
    assert answer.startswith("HTTP/1.1 413"), answer[:200]
    assert "application/json" in answer and '"detail"' in answer
