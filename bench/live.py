"""The live channel under load: many WebSockets on the production server (two worker processes, each with its
own LISTEN connection), push latency from commit to receipt while writes run, memory per connection, and the
REST throughput of appointments page 50 with and without the sockets open.

The sockets are opened by an asyncio loop in this process; the writes run in a thread with its own database
connection and record the moment each transaction committed (time.monotonic, the same clock the receiving
loop reads), so latency = receipt - commit.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import random
import resource
import threading
import time
from collections.abc import Callable

import orjson
import psutil

from bench.stats import percentile

PAGE_50 = "/api/scheduling/appointments/?page_size=50"


def raise_fd_limit(need: int) -> int:
    """Raise this process's open-file limit (inherited by the servers it starts) as far as allowed."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard == resource.RLIM_INFINITY else max(soft, min(hard, need))
    if target > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def server_rss(pid: int) -> int:
    """Resident memory of the server and its worker processes, in bytes."""
    root = psutil.Process(pid)
    procs = [root, *root.children(recursive=True)]
    total = 0
    for proc in procs:
        with contextlib.suppress(psutil.Error):
            total += proc.memory_info().rss
    return total


def socket_tokens(count: int, operators: int) -> tuple[list[str], list[str]]:
    """Tokens of the sockets to open: (staff, operators). `operators` operator sockets, the rest spread over every
    therapist and driver (a dispatcher office and the staff's phones)."""
    from bench.inprocess import issue_token
    from scheduling.models import Role, User

    staff = list(User.objects.filter(role__in=[Role.THERAPIST, Role.DRIVER], is_active=True).order_by("id"))
    ops = list(User.objects.filter(role=Role.OPERATOR, is_active=True).order_by("id"))
    staff_tokens = [issue_token(u) for u in staff]
    op_tokens = [issue_token(u) for u in ops]
    return (
        [staff_tokens[i % len(staff_tokens)] for i in range(count - operators)],
        [op_tokens[i % len(op_tokens)] for i in range(operators)],
    )


class Receiver:
    """Every socket's messages: counts, and for each marked note the receipt times."""

    def __init__(self) -> None:
        self.received: dict[str, list[float]] = {}
        self.messages = 0
        self.initial = 0
        self.errors = 0

    async def run(self, ws) -> None:
        with contextlib.suppress(Exception):
            async for raw in ws:
                now = time.monotonic()
                self.messages += 1
                if raw.startswith('{"type":"appointment_updated"'):
                    note = orjson.loads(raw)["appointment"].get("notes", "")
                    if note.startswith("live-bench-"):
                        self.received.setdefault(note, []).append(now)
                elif raw.startswith('{"type":"initial_data"'):
                    self.initial += 1


async def open_sockets(port: int, tokens: list[str], receiver: Receiver, parallel: int = 50) -> list:
    from websockets.asyncio.client import connect

    sockets: list = []
    gate = asyncio.Semaphore(parallel)

    async def one(token: str) -> None:
        async with gate:
            try:
                ws = await connect(
                    f"ws://127.0.0.1:{port}/ws/scheduling/appointments/?token={token}",
                    max_size=None,
                    open_timeout=60,
                    ping_interval=None,
                )
            except Exception:
                receiver.errors += 1
                return
            sockets.append(ws)
            asyncio.get_running_loop().create_task(receiver.run(ws))

    await asyncio.gather(*(one(t) for t in tokens))
    return sockets


def write_load(appointment_ids: list[int], rate: float, duration: float, commits: dict[str, float]) -> None:
    """One appointment's notes changed per transaction, `rate` times a second, in this thread's own connection."""
    from django.db import connection

    from scheduling.models import Appointment

    try:
        end = time.monotonic() + duration
        n = 0
        while time.monotonic() < end:
            marker = f"live-bench-{n}"
            Appointment.objects.filter(id=random.choice(appointment_ids)).update(notes=marker)
            commits[marker] = time.monotonic()  # autocommit: the UPDATE has committed when it returns
            n += 1
            time.sleep(max(0.0, 1 / rate - 0.001))
    finally:
        connection.close()


@dataclasses.dataclass
class Setting:
    """One live run's server, callers and load: what the scenario's steps read."""

    port: int
    pid: int
    staff_tokens: list[str]
    operator_tokens: list[str]
    window: list[int]
    operator_token: str
    connections: int
    http_seconds: float
    tool: str
    write_rate: float
    write_seconds: float
    say: Callable[[str], None]

    def rest(self) -> dict:
        """REST throughput of appointments page 50 as an operator."""
        from bench import httpbench

        return httpbench.drive(
            self.port,
            PAGE_50,
            self.operator_token,
            connections=self.connections,
            duration=self.http_seconds,
            tool=self.tool,
        )


def run(
    database_url: str,
    operator_token: str,
    *,
    sockets: int = 1000,
    operators: int = 20,
    write_rate: float = 20,
    write_seconds: float = 10,
    http_seconds: float = 10,
    connections: int = 8,
    tool: str = "auto",
    say=print,
) -> dict:
    from django.db import connection
    from django.utils import timezone

    from bench import httpbench
    from config.serving import running_server
    from scheduling.models import Appointment

    limit = raise_fd_limit(sockets * 2 + 1024)
    staff_tokens, operator_tokens = socket_tokens(sockets, operators)
    today = timezone.localdate()
    window = list(
        Appointment.objects.filter(date__gte=today, date__lte=today + dt.timedelta(days=7)).values_list("id", flat=True)
    )
    result: dict = {"sockets_wanted": sockets, "operators": operators, "fd_limit": limit, "workers": 2}
    env = {"DATABASE_URL": database_url, "WEB_WORKERS": "2"}
    with running_server(env=env, workers=2, log_path=httpbench.LOG_DIR / "live-bench.log") as port:
        setting = Setting(
            port=port,
            pid=_server_pid(port),
            staff_tokens=staff_tokens,
            operator_tokens=operator_tokens,
            window=window,
            operator_token=operator_token,
            connections=connections,
            http_seconds=http_seconds,
            tool=tool,
            write_rate=write_rate,
            write_seconds=write_seconds,
            say=say,
        )
        rest_before = setting.rest()
        say(f"  REST page 50 without sockets: {rest_before['rps']:.1f} req/s")
        result.update(asyncio.run(scenario(setting, rss_before=server_rss(setting.pid))))
        # without sockets again, after: the mean of before and after evens out the server's warming up
        rest_after = setting.rest()
    connection.close()
    result["rest_without"] = {
        "rps": (rest_before["rps"] + rest_after["rps"]) / 2,
        "p99_ms": max(rest_before["p99_ms"], rest_after["p99_ms"]),
        "runs": [rest_before, rest_after],
    }
    say(
        f"  pushes {result['pushes']} for {result['writes']} writes: p50 {result['push_p50_ms'] or 0:.1f} ms,"
        f" p99 {result['push_p99_ms'] or 0:.1f} ms; {result['bytes_per_socket'] / 1024:.1f} KiB per socket"
    )
    return result


async def scenario(s: Setting, rss_before: int) -> dict:
    """Opens every socket, drives REST with them open, then times the pushes of a write load."""
    receiver = Receiver()
    opened, opening = await _open_all(s, receiver)
    rest_with = await asyncio.to_thread(s.rest)
    s.say(f"  REST page 50 with the sockets open: {rest_with['rps']:.1f} req/s")
    commits, latencies = await _pushes(s, receiver)
    for ws in opened:
        with contextlib.suppress(Exception):
            await ws.close()
    staff_open = opening.pop("staff_open")
    return {
        "sockets": len(opened),
        "connect_errors": receiver.errors,
        **opening,
        "rss_before": rss_before,
        "bytes_per_socket": (opening["rss_staff"] - rss_before) / max(1, staff_open),
        "operator_bytes": opening["rss_after"] - opening["rss_staff"],
        "rest_with": rest_with,
        "writes": len(commits),
        "writes_delivered": sum(1 for m in commits if m in receiver.received),
        "pushes": len(latencies),
        "push_p50_ms": percentile(latencies, 50) if latencies else None,
        "push_p99_ms": percentile(latencies, 99) if latencies else None,
        "messages": receiver.messages,
    }


async def _open_all(s: Setting, receiver: Receiver) -> tuple[list, dict]:
    """The open sockets, and the opening's figures: seconds, LISTEN connections, server memory on the way."""
    t0 = time.monotonic()
    # staff sockets first: their memory is the cost of a socket; the operators' initial_data (every
    # appointment of the week, megabytes each) is measured apart
    opened = await open_sockets(s.port, s.staff_tokens, receiver)
    while receiver.initial < len(opened) and time.monotonic() - t0 < 120:
        await asyncio.sleep(0.1)
    staff_open = len(opened)
    rss_staff = server_rss(s.pid)
    opened += await open_sockets(s.port, s.operator_tokens, receiver)
    while receiver.initial < len(opened) and time.monotonic() - t0 < 180:
        await asyncio.sleep(0.1)
    connect_seconds = time.monotonic() - t0
    listeners = await asyncio.to_thread(_listeners)
    rss_after = server_rss(s.pid)
    s.say(f"  {len(opened)} sockets open in {connect_seconds:.1f} s ({listeners} LISTEN connections)")
    return opened, {
        "connect_seconds": connect_seconds,
        "listeners": listeners,
        "rss_staff": rss_staff,
        "rss_after": rss_after,
        "staff_open": staff_open,
    }


async def _pushes(s: Setting, receiver: Receiver) -> tuple[dict[str, float], list[float]]:
    """Runs the write load in a thread; returns each write's commit time and every push's latency in ms."""
    commits: dict[str, float] = {}
    writer = threading.Thread(target=write_load, args=(s.window, s.write_rate, s.write_seconds, commits))
    writer.start()
    while writer.is_alive():
        await asyncio.sleep(0.1)
    await asyncio.sleep(2)  # the last pushes
    latencies = [
        (t - commits[marker]) * 1000 for marker, times in receiver.received.items() if marker in commits for t in times
    ]
    return commits, latencies


def _server_pid(port: int) -> int:
    for conn in psutil.net_connections("tcp"):
        if conn.laddr and conn.laddr.port == port and conn.status == psutil.CONN_LISTEN and conn.pid:
            proc = psutil.Process(conn.pid)
            parent = proc.parent()
            # uvicorn's workers share the listening socket: report from the supervisor down
            return parent.pid if parent and "uvicorn" in " ".join(parent.cmdline()) else proc.pid
    raise RuntimeError(f"no process listens on {port}")


def _listeners() -> int:
    from django.db import connection

    from scheduling.live.hub import LISTENER_NAME

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", [LISTENER_NAME])
            return cursor.fetchone()[0]
    finally:
        connection.close()


def table(r: dict) -> str:
    rest_before, rest_with = r["rest_without"], r["rest_with"]
    rows = [
        ("sockets connected (2 server processes)", f"{r['sockets']:,} of {r['sockets_wanted']:,}"),
        ("of which operators (see every appointment)", f"{r['operators']}"),
        ("LISTEN connections (one per process)", f"{r['listeners']}"),
        ("time to open them all, initial_data received", f"{r['connect_seconds']:.1f} s"),
        (
            "push latency commit to receipt, p50 / p99",
            f"{r['push_p50_ms']:.1f} ms / {r['push_p99_ms']:.1f} ms" if r["push_p50_ms"] is not None else "none",
        ),
        (
            "write load",
            f"{r['writes']} single-row updates in {r['writes_delivered']} pushed sets, {r['pushes']:,} pushes",
        ),
        ("server memory per open socket (therapists' and drivers')", f"{r['bytes_per_socket'] / 1024:.1f} KiB"),
        (
            f"server memory after the {r['operators']} operators' initial_data (a week of every appointment)",
            f"+{r['operator_bytes'] / 2**20:.0f} MiB",
        ),
        (
            "REST appointments page 50 without sockets, before and after",
            " / ".join(f"{x['rps']:.1f} req/s (p99 {x['p99_ms']:.0f} ms)" for x in rest_before["runs"]),
        ),
        (
            f"REST appointments page 50 with {r['sockets']:,} sockets open",
            f"{rest_with['rps']:.1f} req/s (p99 {rest_with['p99_ms']:.0f} ms), ratio to their mean"
            f" {rest_with['rps'] / rest_before['rps']:.2f}",
        ),
    ]
    return "\n".join(["| live channel | figure |", "|---|---|", *[f"| {a} | {b} |" for a, b in rows]])
