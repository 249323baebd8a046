"""Websockets reach the tenant of their host; unknown hosts are refused."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator

from monopod.asgi import application


@pytest.fixture(autouse=True)
def keep_test_connection(monkeypatch):
    """As Django's test client does for requests: the test's transaction must outlive each consumer call."""
    monkeypatch.setattr("channels.db.close_old_connections", lambda: None)


def connect(host: str) -> WebsocketCommunicator:
    return WebsocketCommunicator(
        application,
        "/ws/ping/",
        headers=[(b"host", host.encode()), (b"origin", f"http://{host}".encode())],
    )


def test_ping_answers_with_the_hosts_tenant(tenant, other_tenant):
    async def exchange(host: str) -> dict[str, object]:
        communicator = connect(host)
        connected, _ = await communicator.connect()
        assert connected is True
        await communicator.send_json_to({"n": 1})
        answer = await communicator.receive_json_from()
        await communicator.disconnect()
        return answer

    assert async_to_sync(exchange)("acme.localhost:8000") == {"pong": {"n": 1}, "tenant": "acme"}
    assert async_to_sync(exchange)("globex.localhost") == {"pong": {"n": 1}, "tenant": "globex"}


def test_unknown_host_is_refused(db):
    async def attempt() -> tuple[bool, object]:
        communicator = connect("nobody.localhost")
        connected, code = await communicator.connect()
        await communicator.disconnect()
        return connected, code

    assert async_to_sync(attempt)() == (False, 4404)
