"""Websocket routes (Channels). Every consumer sees ``scope["tenant"]``."""

from django.urls import path

from apps.events.consumers import EventsConsumer
from monopod.consumers import PingConsumer

websocket_urlpatterns = [
    path("ws/ping/", PingConsumer.as_asgi()),
    path("ws/events/", EventsConsumer.as_asgi()),
]
