"""Websocket routes (Channels). Every consumer sees ``scope["tenant"]``."""

from django.urls import path

from monopod.consumers import PingConsumer

websocket_urlpatterns = [
    path("ws/ping/", PingConsumer.as_asgi()),
]
