"""The floor of the ASGI stack: a raw ASGI callable, no framework. Served as
``tests.bench.apps.hello_asgi:app`` (uvicorn with ``--lifespan off``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

BODY = b"ok"
HEADERS = [(b"content-type", b"text/plain"), (b"content-length", str(len(BODY)).encode())]


async def app(
    scope: dict[str, Any],
    receive: Callable[[], Awaitable[dict[str, Any]]],
    send: Callable[[dict[str, Any]], Awaitable[None]],
) -> None:
    if scope["type"] != "http":
        return
    while True:  # drain the request body (empty for GET)
        message = await receive()
        if not message.get("more_body", False):
            break
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": BODY})
