"""Slow-header clients ("slowloris"): many connections that send a request's headers a few bytes at a time and
never finish, reopened when the server drops them. Used by the serving measurement and the slow-client test."""

from __future__ import annotations

import contextlib
import socket
import threading
import time

ALLOWED_HOSTS = {"127.0.0.1"}


class SlowClients:
    """`count` connections to host:port, each sending one more header line every `interval` seconds."""

    def __init__(self, port: int, count: int = 200, interval: float = 1.0, host: str = "127.0.0.1") -> None:
        if host not in ALLOWED_HOSTS:
            raise ValueError("slow clients only target this machine")
        self.address = (host, port)
        self.count = count
        self.interval = interval
        self.sockets: list[socket.socket | None] = [None] * count
        self.reopened = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _open(self) -> socket.socket | None:
        try:
            s = socket.create_connection(self.address, timeout=2)
            s.sendall(b"GET /api/health/ HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            return s
        except OSError:
            return None

    def _run(self) -> None:
        while not self._stop.is_set():
            for i, s in enumerate(self.sockets):
                if self._stop.is_set():
                    break
                if s is not None:
                    try:
                        s.sendall(b"X-Slow: 1\r\n")
                        continue
                    except OSError:
                        s.close()
                        self.reopened += 1
                self.sockets[i] = self._open()
            self._stop.wait(self.interval)

    def connected(self) -> int:
        return sum(s is not None for s in self.sockets)

    def __enter__(self) -> SlowClients:
        for i in range(self.count):
            self.sockets[i] = self._open()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(10)
        for s in self.sockets:
            if s is not None:
                with contextlib.suppress(OSError):
                    s.close()


def wait_until(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False
