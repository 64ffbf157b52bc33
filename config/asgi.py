"""The one application the production server (uvicorn, `manage.py serve`, config/serving.py) runs on one port:

- HTTP (REST API, docs, admin, static files through WhiteNoise) goes to Django's WSGI application in a pool
  of threads (a2wsgi). Measured (README, "Serving"): Django's own ASGI handler runs every sync view on one
  thread per process (thread_sensitive), which cost two thirds of the throughput; a thread pool per worker
  process keeps the DB waits overlapped like gunicorn's gthread workers do.
- WebSocket `/ws/scheduling/appointments/` goes to the Channels consumer of the live channel.

Requests with oversized headers or URLs are answered here with JSON (414/431) before Django sees them; the
server's own hard limits are above these, so its plain-text error pages are not what a client meets.
"""

import json
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from a2wsgi import WSGIMiddleware  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.conf import settings  # noqa: E402

from config.wsgi import application as wsgi_application  # noqa: E402
from scheduling.live.routing import websocket_urlpatterns  # noqa: E402

_wsgi = WSGIMiddleware(wsgi_application, workers=settings.WEB_THREADS)


async def _json_error(send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def http_application(scope, receive, send) -> None:
    target = len(scope.get("raw_path") or scope["path"].encode()) + len(scope.get("query_string", b""))
    if target > settings.MAX_URL_BYTES:
        return await _json_error(send, 414, f"URI too long (at most {settings.MAX_URL_BYTES} bytes).")
    if sum(len(name) + len(value) + 4 for name, value in scope["headers"]) > settings.MAX_HEADER_BYTES:
        return await _json_error(send, 431, f"Request headers too large (at most {settings.MAX_HEADER_BYTES} bytes).")

    async def coroutine_receive():  # a2wsgi hands receive to run_coroutine_threadsafe, which needs a coroutine
        return await receive()

    await _wsgi(scope, coroutine_receive, send)


application = ProtocolTypeRouter(
    {
        "http": http_application,
        "websocket": URLRouter(websocket_urlpatterns),
    }
)
