"""One LISTEN connection per server process, fanning committed database events out to this process's sockets.

Every process of every machine on the same PostgreSQL holds its own listener, so each receives every event; no
broker stands between (PostgreSQL is the bus). The listener reconnects by itself when the connection drops
(a PostgreSQL restart, a network cut) and then sends every socket a fresh `initial_data`, so nothing committed
while it was away is missed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence

import orjson
import psycopg
from channels.db import database_sync_to_async
from django.db import connections
from psycopg.conninfo import make_conninfo

from scheduling.live import events
from scheduling.live.triggers import CHANNEL

logger = logging.getLogger(__name__)

# how long the listener waits for a notification before it checks that its connection still answers
CHECK_SECONDS = 5.0
RETRY_SECONDS = (0.2, 0.5, 1.0, 2.0, 5.0)
LISTENER_NAME = "live-listener"  # application_name of the LISTEN connections (pg_stat_activity shows them)


def conninfo() -> str:
    """The connection string of Django's default database (the test database in a test run)."""
    params = connections["default"].get_connection_params()
    # the libpq parameters only (Django adds Python objects such as its cursor factory and prepare threshold)
    return make_conninfo(
        **{k: str(v) for k, v in params.items() if isinstance(v, str | int) and k != "prepare_threshold"}
    )


class Hub:
    """The process's registry of sockets and its listener task (started with the first socket)."""

    def __init__(self) -> None:
        self.peers: set = set()
        self.listening = asyncio.Event()
        self.connects = 0  # LISTEN connections made so far (a reconnect makes it > 1)
        self._task: asyncio.Task | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def add(self, peer) -> None:
        self.peers.add(peer)
        self._ensure_listener()

    async def wait_listening(self, timeout: float = 5.0) -> None:
        """Until this process LISTENs (at most `timeout`): an initial_data read before that could miss a change
        committed before the LISTEN began. Past the timeout (PostgreSQL down) the resync on reconnect covers it."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.listening.wait(), timeout)

    def remove(self, peer) -> None:
        self.peers.discard(peer)

    def _ensure_listener(self) -> None:
        loop = asyncio.get_running_loop()
        if self._task is None or self._task.done() or self._loop is not loop:
            self._loop = loop
            self.listening = asyncio.Event()
            events.load_handlers()
            self._queue: asyncio.Queue = asyncio.Queue()
            self._task = loop.create_task(self._listen(), name="live-listener")
            self._dispatcher = loop.create_task(self._dispatch(), name="live-dispatcher")

    async def _listen(self) -> None:
        failures = 0
        while True:
            try:
                conn = await psycopg.AsyncConnection.connect(
                    conninfo(), autocommit=True, application_name=LISTENER_NAME
                )
                async with conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    self.connects += 1
                    failures = 0
                    self.listening.set()
                    if self.connects > 1:
                        await self._resync()
                    while True:
                        async for note in conn.notifies(timeout=CHECK_SECONDS):
                            self._queue.put_nowait(note.payload)
                        await conn.execute("SELECT 1")  # quiet for a while: is the connection still alive?
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the connection or the server went away: listen again after a pause
                self.listening.clear()
                delay = RETRY_SECONDS[min(failures, len(RETRY_SECONDS) - 1)]
                failures += 1
                logger.warning(
                    "live listener: %s; listening again in %.1f s",
                    (str(exc).splitlines() or [type(exc).__name__])[0],
                    delay,
                )
                await asyncio.sleep(delay)

    async def _dispatch(self) -> None:
        """Handle the notifications in arrival order; what arrived together (one transaction's events, or all
        that came in while the previous batch was handled) is handled together: a few queries per batch."""
        while True:
            payloads = [await self._queue.get()]
            while not self._queue.empty():
                payloads.append(self._queue.get_nowait())
            try:
                outgoing = await database_sync_to_async(self._handle)([orjson.loads(p) for p in payloads])
            except Exception:
                logger.exception("live: could not handle %d notifications", len(payloads))
                continue
            await send_all(outgoing)

    def _handle(self, payloads: list[dict]) -> list[events.Outgoing]:
        # The peers are read here, in the database thread, where initial_data marks a socket ready right after
        # its query: a change committed after that query is pushed, one committed before is in initial_data.
        peers = [p for p in list(self.peers) if p.ready]
        return events.dispatch(payloads, peers)

    async def _resync(self) -> None:
        await asyncio.gather(*(peer.send_initial_data() for peer in list(self.peers)), return_exceptions=True)


async def send_all(outgoing: Sequence[events.Outgoing]) -> None:
    """Send concurrently, so one slow socket does not hold up the others' pushes."""
    by_peer: dict = {}
    for item in outgoing:
        by_peer.setdefault(item.peer, []).append(item)
    results = await asyncio.gather(*(_send(peer, items) for peer, items in by_peer.items()), return_exceptions=True)
    for result in results:
        if isinstance(result, Exception) and not isinstance(result, ConnectionError):
            logger.warning("live: a push failed: %r", result)


async def _send(peer, items: list[events.Outgoing]) -> None:
    async with peer.send_lock:  # after the socket's initial_data, never before it
        for item in items:
            if item.close_code is not None:
                await peer.close(code=item.close_code)
                return
            await peer.send(text_data=item.text)


_hubs: dict[int, Hub] = {}


def hub() -> Hub:
    """This process's hub (one per event loop: a test may run several loops in turn)."""
    loop_id = id(asyncio.get_running_loop())
    if loop_id not in _hubs:
        _hubs.clear()
        _hubs[loop_id] = Hub()
    return _hubs[loop_id]


async def stop() -> None:
    for h in list(_hubs.values()):
        for task in (h._task, getattr(h, "_dispatcher", None)):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
    _hubs.clear()
