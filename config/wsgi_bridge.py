"""Django's WSGI application under the ASGI server (config/asgi.py).

The request body is read on the event loop first (at most DATA_UPLOAD_MAX_MEMORY_SIZE + 1 bytes: the application
refuses a larger one; nothing when the Content-Length is already over, so the 413 goes out at once), so a slow
sender holds a transport, never the application. Then the WSGI call runs:

- with `threads` = 0 (WEB_THREADS, the default) on the loop itself, one request at a time per process, as a sync
  worker runs it, with no hand-off between threads at all;
- with `threads` > 0 in a pool of that many threads, one hand-off there and one back, so the waits on a distant
  database overlap.

The whole response (status, headers, body) is then sent by the loop. a2wsgi, used before, crossed between the
threads for every body read and every response message (three to five wake-ups a request). Measured on appointments
page 50, three interleaved rounds, medians (README, "Serving"): a2wsgi 0.91 of gunicorn gthread's throughput, this
pool 0.94 to 1.02, the loop 1.04.

A response is buffered whole before it is sent: the API's answers are pages, the largest static file is Swagger
UI's bundle (about 1.4 MB) and the CSV reports are bounded by their window.
"""

from __future__ import annotations

import asyncio
import contextvars
import io
import sys
from concurrent.futures import ThreadPoolExecutor

from a2wsgi.wsgi import build_environ

NO_BODY = frozenset({204, 304})


class _Response:
    __slots__ = ("status", "headers")

    def __init__(self) -> None:
        self.status = 500
        self.headers: list[tuple[bytes, bytes]] = []

    def start_response(self, status: str, headers, exc_info=None):
        self.status = int(status.split(" ", 1)[0])
        self.headers = [(name.lower().encode("latin1"), value.encode("latin1")) for name, value in headers]
        return self._refuse_write

    @staticmethod
    def _refuse_write(_chunk: bytes) -> None:
        raise RuntimeError("the WSGI write() callable is not supported: return the body instead")


def _call(app, environ: dict) -> tuple[_Response, bytes]:
    response = _Response()
    iterable = app(environ, response.start_response)
    try:
        body = b"".join(iterable)
    finally:
        close = getattr(iterable, "close", None)
        if close is not None:
            close()
    return response, body


class WsgiBridge:
    """An ASGI HTTP application running `app` (WSGI) on the event loop (`threads` 0) or in a pool of `threads`."""

    def __init__(self, app, threads: int, body_limit: int | None) -> None:
        self.app = app
        self.body_limit = body_limit
        self.executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="wsgi") if threads else None
        # On the loop, Django's per-thread state (its database connections above all: asgiref's Local keeps them
        # in context variables when an event loop runs) would live in each request's own task context, so every
        # request would open a connection of its own. The requests run one after another, never interleaved, so
        # they share one context, as the requests of one sync worker thread share its thread-locals.
        self.context = contextvars.Context()

    def _declared_too_large(self, scope) -> bool:
        for name, value in scope["headers"]:
            if name == b"content-length":
                try:
                    return self.body_limit is not None and int(value) > self.body_limit
                except ValueError:
                    return False  # the application answers an invalid Content-Length
        return False

    async def _read_body(self, scope, receive) -> bytes | None:
        """The request body, at most body_limit + 1 bytes of it (the application refuses a larger one); none at
        all when its Content-Length is over the limit (the application refuses it from the header, before the
        client has sent it); None when the client went away before sending it all."""
        if self._declared_too_large(scope):
            return b""
        cap = None if self.body_limit is None else self.body_limit + 1
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            chunks.append(chunk)
            size += len(chunk)
            if not message.get("more_body", False) or (cap is not None and size >= cap):
                body = b"".join(chunks)
                return body if cap is None else body[:cap]

    async def __call__(self, scope, receive, send) -> None:
        body = await self._read_body(scope, receive)
        if body is None:
            return
        environ = build_environ(scope, io.BytesIO(body))
        environ["wsgi.errors"] = sys.stderr
        if self.executor is None:
            response, content = self.context.run(_call, self.app, environ)
        else:
            loop = asyncio.get_running_loop()
            response, content = await loop.run_in_executor(self.executor, _call, self.app, environ)
        headers = response.headers
        if (
            scope["method"] != "HEAD"
            and response.status not in NO_BODY
            and not any(name == b"content-length" for name, _ in headers)
        ):
            headers.append((b"content-length", str(len(content)).encode()))  # rather than a chunked answer
        await send({"type": "http.response.start", "status": response.status, "headers": headers})
        await send({"type": "http.response.body", "body": content})
