"""WebSocket routes, mounted by config/asgi.py beside the HTTP application."""

from django.urls import path

from scheduling.live.consumer import AppointmentsConsumer

websocket_urlpatterns = [
    path("ws/scheduling/appointments/", AppointmentsConsumer.as_asgi()),
]
