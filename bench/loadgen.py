"""A small HTTP/1.1 keep-alive load generator, used when `wrk` is not installed.

Runs in its own process (`python -m bench.loadgen ...`, JSON on stdout) so it never shares the interpreter with
the measuring code; one asyncio loop drives every connection over raw sockets, which costs far less CPU per
request than http.client in threads. Only 127.0.0.1 is accepted as a target.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time

from bench.stats import percentile

ALLOWED_HOSTS = {"127.0.0.1"}


class Counters:
    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.errors = 0
        self.non_2xx = 0
        self.reconnects = 0


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Read one response; return (status, keep-alive?)."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    length = None
    chunked = False
    keep_alive = True
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value.strip())
        elif name == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
        elif name == b"connection" and value.strip().lower() == b"close":
            keep_alive = False
    if status in (204, 304) or 100 <= status < 200:  # no body, whatever the headers say
        pass
    elif chunked:
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif length is not None:
        await reader.readexactly(length)
    else:
        await reader.read()  # body until close
        keep_alive = False
    return status, keep_alive


async def _connection(host: str, port: int, request: bytes, deadline: float, counters: Counters) -> None:
    reader = writer = None
    clock = time.perf_counter
    while clock() < deadline:
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection(host, port)
            start = clock()
            writer.write(request)
            status, keep_alive = await _read_response(reader)
            counters.latencies.append(clock() - start)
            if not (200 <= status < 300 or status == 304):  # a 304 is the answer a conditional GET expects
                counters.non_2xx += 1
            if not keep_alive:
                writer.close()
                writer = None
                counters.reconnects += 1
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError, IndexError):
            counters.errors += 1
            if writer is not None:
                writer.close()
            writer = None
            await asyncio.sleep(0.01)
    if writer is not None:
        writer.close()


async def run_load(host: str, port: int, path: str, headers: dict[str, str], connections: int, duration: float) -> dict:
    if host not in ALLOWED_HOSTS:
        raise ValueError(f"only {sorted(ALLOWED_HOSTS)} may be a target, not {host}")
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}:{port}", "Connection: keep-alive", "Accept: application/json"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    request = ("\r\n".join(lines) + "\r\n\r\n").encode()
    counters = Counters()
    started = time.perf_counter()
    deadline = started + duration
    await asyncio.gather(*(_connection(host, port, request, deadline, counters) for _ in range(connections)))
    elapsed = time.perf_counter() - started
    lat = counters.latencies
    return {
        "tool": "python",
        "connections": connections,
        "duration_s": elapsed,
        "requests": len(lat),
        "rps": len(lat) / elapsed if elapsed else 0.0,
        "p50_ms": percentile(lat, 50) * 1000 if lat else None,
        "p99_ms": percentile(lat, 99) * 1000 if lat else None,
        "errors": counters.errors + counters.non_2xx,
        "non_2xx": counters.non_2xx,
        "socket_errors": counters.errors,
        "reconnects": counters.reconnects,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", required=True)
    parser.add_argument("--header", action="append", default=[], help="'Name: value', repeatable")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--duration", type=float, default=10.0)
    args = parser.parse_args(argv)
    headers = dict(h.split(": ", 1) for h in args.header)
    result = asyncio.run(run_load(args.host, args.port, args.path, headers, args.connections, args.duration))
    json.dump(result, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
