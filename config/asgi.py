"""The one application the production server (uvicorn, `manage.py serve`, config/serving.py) runs on one port:

- HTTP (REST API, docs, admin, static files through WhiteNoise) goes to Django's WSGI application through
  config/wsgi_bridge.py: the body read on the loop, then the request run on the loop itself (WEB_THREADS=0, the
  default) or in a pool of WEB_THREADS threads. Measured (README, "Serving"): Django's own ASGI handler runs
  every sync view on one thread per process (thread_sensitive), which cost two thirds of the throughput; a
  thread pool per process (a2wsgi) 0.91 of gunicorn gthread's; the loop itself 1.04.
- WebSocket `/ws/scheduling/appointments/` goes to the Channels consumer of the live channel.

Requests with oversized headers or URLs are answered here with JSON (414/431) before Django sees them; the
server's own hard limits are above these, so its plain-text error pages are not what a client meets.
"""

import json
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.conf import settings  # noqa: E402

from config.wsgi import application as wsgi_application  # noqa: E402
from config.wsgi_bridge import WsgiBridge  # noqa: E402
from scheduling.live.routing import websocket_urlpatterns  # noqa: E402

if settings.WEB_THREADS == 0:
    # Django refuses database calls from a thread running an event loop, which the loop thread is: on purpose
    # here, the loop waits while a request runs, as a sync worker would. Async code in this process reaches the
    # database through database_sync_to_async's own threads (the live channel), never from the loop.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
_wsgi = WsgiBridge(wsgi_application, settings.WEB_THREADS, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)


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
    await _wsgi(scope, receive, send)


application = ProtocolTypeRouter(
    {
        "http": http_application,
        "websocket": URLRouter(websocket_urlpatterns),
    }
)
