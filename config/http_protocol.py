"""uvicorn's httptools protocol with two additions for the production server (config/serving.py):

- a header deadline: a connection that has not finished a request's headers WEB_HEADER_TIMEOUT seconds after
  it opened (or after the request's first byte) is closed, so slow-header clients cannot pile up for ever;
- the server's own answer to a malformed request (400) is JSON like every other answer under /api/. Oversized
  URLs and headers are refused with JSON by config/asgi.py (httptools itself sets no lower limit).
"""

from __future__ import annotations

import asyncio
import json
import os

from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

HEADER_TIMEOUT = float(os.environ.get("WEB_HEADER_TIMEOUT", "10"))


def _json_head(status: int, body: bytes, default_headers) -> list[bytes]:
    content = [STATUS_LINE[status]]
    for name, value in default_headers:
        content += [name, b": ", value, b"\r\n"]
    content += [
        b"content-type: application/json\r\n",
        b"content-length: " + str(len(body)).encode() + b"\r\n",
        b"connection: close\r\n\r\n",
    ]
    return content


class JsonErrorsHttpToolsProtocol(HttpToolsProtocol):
    header_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_header_deadline()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm_header_deadline()

    def on_headers_complete(self) -> None:
        self._cancel_header_deadline()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_header_deadline()
        super().connection_lost(exc)

    def _arm_header_deadline(self) -> None:
        self._cancel_header_deadline()
        self.header_deadline = self.loop.call_later(HEADER_TIMEOUT, self._headers_too_slow)

    def _cancel_header_deadline(self) -> None:
        if self.header_deadline is not None:
            self.header_deadline.cancel()
            self.header_deadline = None

    def _headers_too_slow(self) -> None:
        self.header_deadline = None
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()

    def send_400_response(self, msg: str) -> None:
        body = json.dumps({"detail": f"Bad request: {msg}"}).encode()
        self.transport.write(b"".join([*_json_head(400, body, self.server_state.default_headers), body]))
        self.transport.close()
