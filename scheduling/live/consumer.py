"""`/ws/scheduling/appointments/?token=<token>`: the WebSocket protocol of CONTRACT.md section 3."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from urllib.parse import parse_qs

import orjson
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.utils import timezone

from scheduling.live import events
from scheduling.live.hub import hub
from scheduling.models import AuthToken
from scheduling.services import auth as auth_service


def authenticate(raw_token: str):
    """(user, token id, expiry) for a live token of an active account, else None: the REST token check."""
    user = auth_service.user_for_token(raw_token)
    if user is None:
        return None
    expires_at = AuthToken.objects.filter(pk=user.auth_token.pk).values_list("expires_at", flat=True).first()
    return user, user.auth_token.pk, expires_at


class AppointmentsConsumer(AsyncWebsocketConsumer):
    """One socket. It is a `scheduling.live.events.Peer`: the hub's handlers read `user`, `token_id`, `known`."""

    async def connect(self) -> None:
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        token = (query.get("token") or [""])[0]
        found = await database_sync_to_async(authenticate)(token) if token else None
        if found is None:
            await self.close()  # before accept: the handshake is refused (HTTP 403), nothing is sent
            return
        self.user, self.token_id, self.expires_at = found
        self.known: set[int] = set()
        self.ready = False  # set by initial_data once its query ran: pushes are for changes after it
        self.send_lock = asyncio.Lock()
        self.connection_id = uuid.uuid4().hex
        await self.accept()
        hub().add(self)
        await hub().wait_listening()
        await self.send_initial_data()
        self.heartbeat = asyncio.create_task(self._heartbeat())

    async def send_initial_data(self) -> None:
        async with self.send_lock:
            text = await database_sync_to_async(events.initial_data)(self, self.connection_id)
            await self.send(text_data=text)

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "user"):
            hub().remove(self)
        task = getattr(self, "heartbeat", None)
        if task is not None:
            task.cancel()

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        with contextlib.suppress(ValueError):
            data = orjson.loads(text_data or bytes_data or b"null")
            if isinstance(data, dict) and data.get("type") == "heartbeat":
                stamp = data.get("timestamp") or events.now_iso()
                await self.send(text_data=events.message("heartbeat_response", timestamp=stamp))
        # anything else (the app's `appointment_created` echo after a booking) needs no answer

    async def _heartbeat(self) -> None:
        """A heartbeat every LIVE_HEARTBEAT_SECONDS, and the socket closed when its token expires."""
        while True:
            await asyncio.sleep(settings.LIVE_HEARTBEAT_SECONDS)
            if self.expires_at is not None and self.expires_at <= timezone.now():
                await self.close(code=events.CLOSE_TOKEN_REVOKED)
                return
            await self.send(text_data=events.message("heartbeat", timestamp=events.now_iso()))
