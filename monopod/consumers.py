"""Framework-level websocket consumers."""

from __future__ import annotations

from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer


class PingConsumer(AsyncJsonWebsocketConsumer):
    """Answers each message with the tenant it reached: a connectivity check for clients and probes."""

    async def connect(self) -> None:
        await self.accept()

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        await self.send_json({"pong": content, "tenant": self.scope["tenant"].schema_name})
