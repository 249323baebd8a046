"""Live updates over ``/ws/events/``: who may connect, topic filtering, and tenant isolation.

How these tests reach the database: each test is a plain synchronous test in pytest-django's rolled
back transaction, and drives the websockets from one ``async_to_sync`` call. The consumer's lookups
(``database_sync_to_async``, thread-sensitive) then run back in the test's own thread, on the test's
connection, so they see the users, sessions and roles the test made without committing anything;
``keep_test_connection`` stops Channels from closing that connection between consumer calls (as
tests/platform/test_websocket.py does). No transactional test, no flushed tables, no clean-up.

The realtime subscriber is called directly (as the relay would, inside the event's tenant) from that
same thread, via ``sync_to_async``; its ``async_to_sync(group_send)`` then runs on the test's event
loop, where the consumers live.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings
from django.test import Client
from django_tenants.utils import tenant_context

from apps.events.realtime import WrongTenant, realtime_broadcast
from apps.events.registry import subscriber_get
from apps.identity.models import User
from apps.identity.tokens import TenantRefreshToken
from apps.tenants.provisioning import tenant_domain_name
from monopod.asgi import application


@pytest.fixture(autouse=True)
def keep_test_connection(monkeypatch):
    """As Django's test client does for requests: the test's transaction must outlive each consumer call."""
    monkeypatch.setattr("channels.db.close_old_connections", lambda: None)


def access_token(tenant: Any, user: User) -> str:
    with tenant_context(tenant):
        return str(TenantRefreshToken.for_user(user).access_token)


def founder(tenant: Any) -> User:
    with tenant_context(tenant):
        return User.objects.get(email=f"founder@{tenant.schema_name}.test")


def communicator(
    tenant: Any, *, token: str | None = None, query_token: str | None = None, cookie: str | None = None
) -> WebsocketCommunicator:
    host = tenant_domain_name(tenant.schema_name)
    headers = [(b"host", host.encode()), (b"origin", f"http://{host}".encode())]
    if token is not None:
        headers.append((b"authorization", f"Bearer {token}".encode()))
    if cookie is not None:
        headers.append((b"cookie", cookie.encode()))
    path = "/ws/events/" + (f"?token={query_token}" if query_token is not None else "")
    return WebsocketCommunicator(application, path, headers=headers)


def run(scenario: Callable[[], Awaitable[Any]]) -> Any:
    return async_to_sync(scenario)()


def refused(client: WebsocketCommunicator) -> int | None:
    """The code the server closed with right after accepting."""
    return async_to_sync(close_code)(client)


async def close_code(client: WebsocketCommunicator) -> int | None:
    connected, _ = await client.connect()
    assert connected is True
    output = await client.receive_output(timeout=2)
    await client.wait()
    assert output["type"] == "websocket.close"
    return output.get("code")


async def subscribe(client: WebsocketCommunicator, *topics: str) -> None:
    connected, _ = await client.connect()
    assert connected is True
    await client.send_json_to({"action": "subscribe", "topics": list(topics)})
    assert await client.receive_json_from(timeout=2) == {"type": "subscribed", "topics": sorted(topics)}


def envelope(tenant: Any, event_type: str = "ims.stock.adjusted") -> dict[str, Any]:
    return {
        "eventId": str(uuid.uuid4()),
        "eventType": event_type,
        "timestamp": "2026-01-01T00:00:00Z",
        "tenantId": tenant.schema_name,
        "userId": None,
        "aggregate": {"type": "ims.stock", "id": "1", "sequence": 1},
        "data": {"sku": "A-1"},
        "metadata": {"traceId": "t", "source": "monopod.ims"},
    }


def _broadcast_in(tenant: Any, event: dict[str, Any]) -> None:
    with tenant_context(tenant):
        realtime_broadcast(event)


broadcast = sync_to_async(_broadcast_in)


def test_the_realtime_subscriber_is_registered_for_every_event():
    registered = subscriber_get("realtime")
    assert registered.patterns == ("*.*.*",)
    assert registered.handler is realtime_broadcast


def test_connects_with_a_bearer_header(tenant, admin_user):
    token = access_token(tenant, admin_user)

    async def scenario() -> None:
        client = communicator(tenant, token=token)
        await subscribe(client, "ims.stock.*")
        await client.disconnect()

    run(scenario)


def test_connects_with_a_token_query_parameter(tenant, viewer_user):
    token = access_token(tenant, viewer_user)

    async def scenario() -> None:
        client = communicator(tenant, query_token=token)
        await subscribe(client, "*.*.*")
        await client.disconnect()

    run(scenario)


def test_connects_with_the_session_cookie(tenant, admin_user):
    browser = Client(HTTP_HOST=tenant_domain_name(tenant.schema_name))
    browser.force_login(admin_user)
    cookie = f"{django_settings.SESSION_COOKIE_NAME}={browser.cookies[django_settings.SESSION_COOKIE_NAME].value}"

    async def scenario() -> None:
        client = communicator(tenant, cookie=cookie)
        await subscribe(client, "crm.*.*")
        await client.disconnect()

    run(scenario)


def test_without_credentials_is_closed_4401(tenant):
    assert refused(communicator(tenant)) == 4401


def test_with_a_forged_token_is_closed_4401(tenant, admin_user):
    forged = access_token(tenant, admin_user)[:-4] + "AAAA"
    assert refused(communicator(tenant, token=forged)) == 4401


def test_with_an_unknown_session_is_closed_4401(tenant):
    cookie = f"{django_settings.SESSION_COOKIE_NAME}=nosuchsession"
    assert refused(communicator(tenant, cookie=cookie)) == 4401


def test_an_inactive_user_is_closed_4401(tenant, admin_user):
    token = access_token(tenant, admin_user)
    admin_user.is_active = False
    admin_user.save()
    assert refused(communicator(tenant, token=token)) == 4401


def test_another_tenants_token_is_closed_4403(tenant, other_tenant):
    globex_token = access_token(other_tenant, founder(other_tenant))
    assert refused(communicator(tenant, token=globex_token)) == 4403
    assert refused(communicator(tenant, query_token=globex_token)) == 4403


def test_another_tenants_session_cookie_is_closed_4401(tenant, other_tenant):
    browser = Client(HTTP_HOST=tenant_domain_name(other_tenant.schema_name))
    browser.force_login(founder(other_tenant))
    cookie = f"{django_settings.SESSION_COOKIE_NAME}={browser.cookies[django_settings.SESSION_COOKIE_NAME].value}"
    # The session row lives in globex's schema: acme's host does not know it.
    assert refused(communicator(tenant, cookie=cookie)) == 4401


@pytest.mark.parametrize(
    ("message", "fragment"),
    [
        ({"action": "subscribe", "topics": ["ims.stock"]}, "'ims.stock' is not"),
        ({"action": "subscribe", "topics": ["IMS.*.*"]}, "'IMS.*.*' is not"),
        ({"action": "subscribe", "topics": []}, '"topics" must be a list'),
        ({"action": "listen", "topics": ["ims.*.*"]}, '"action" must be'),
        (["subscribe"], "A message is an object"),
    ],
)
def test_an_invalid_message_gets_an_error_frame_and_the_connection_stays(tenant, admin_user, message, fragment):
    token = access_token(tenant, admin_user)

    async def scenario() -> None:
        client = communicator(tenant, token=token)
        connected, _ = await client.connect()
        assert connected is True
        await client.send_json_to(message)
        error = await client.receive_json_from(timeout=2)
        assert error["type"] == "error"
        assert error["error"]["code"] == "VALIDATION_ERROR"
        assert fragment in error["error"]["message"]
        await client.send_to(text_data="not json")
        assert (await client.receive_json_from(timeout=2))["error"]["code"] == "VALIDATION_ERROR"
        await client.send_json_to({"action": "subscribe", "topics": ["ims.*.*"]})
        assert await client.receive_json_from(timeout=2) == {"type": "subscribed", "topics": ["ims.*.*"]}
        await client.disconnect()

    run(scenario)


def test_only_events_of_subscribed_topics_are_sent(tenant, admin_user):
    stock = envelope(tenant, "ims.stock.adjusted")
    lead = envelope(tenant, "crm.lead.created")
    invoice = envelope(tenant, "billing.invoice.paid")

    token = access_token(tenant, admin_user)

    async def scenario() -> None:
        client = communicator(tenant, token=token)
        await subscribe(client, "ims.stock.*", "crm.*.*")
        for event in (invoice, stock, lead):
            await broadcast(tenant, event)
        assert await client.receive_json_from(timeout=2) == {"type": "event", "event": stock}
        assert await client.receive_json_from(timeout=2) == {"type": "event", "event": lead}
        assert await client.receive_nothing() is True

        await client.send_json_to({"action": "unsubscribe", "topics": ["crm.*.*"]})
        assert await client.receive_json_from(timeout=2) == {"type": "unsubscribed", "topics": ["ims.stock.*"]}
        await broadcast(tenant, envelope(tenant, "crm.lead.created"))
        assert await client.receive_nothing() is True
        await client.disconnect()

    run(scenario)


def test_no_topics_no_events(tenant, admin_user):
    token = access_token(tenant, admin_user)

    async def scenario() -> None:
        client = communicator(tenant, token=token)
        connected, _ = await client.connect()
        assert connected is True
        await broadcast(tenant, envelope(tenant))
        assert await client.receive_nothing() is True
        await client.disconnect()

    run(scenario)


def test_the_subscriber_refuses_an_event_of_another_tenant(tenant, other_tenant):
    with pytest.raises(WrongTenant):
        _broadcast_in(tenant, envelope(other_tenant))


def two_tenants_isolation(tenant: Any, other_tenant: Any) -> None:
    acme_token = access_token(tenant, founder(tenant))
    globex_token = access_token(other_tenant, founder(other_tenant))
    acme_event, globex_event = envelope(tenant), envelope(other_tenant)

    async def scenario() -> None:
        acme = communicator(tenant, token=acme_token)
        globex = communicator(other_tenant, query_token=globex_token)
        await subscribe(acme, "*.*.*")
        await subscribe(globex, "*.*.*")

        await broadcast(tenant, acme_event)
        assert await acme.receive_json_from(timeout=2) == {"type": "event", "event": acme_event}
        assert await globex.receive_nothing(timeout=0.5) is True

        await broadcast(other_tenant, globex_event)
        assert await globex.receive_json_from(timeout=2) == {"type": "event", "event": globex_event}
        assert await acme.receive_nothing(timeout=0.5) is True

        await acme.disconnect()
        await globex.disconnect()

    run(scenario)


def test_each_tenants_events_reach_only_its_own_clients(tenant, other_tenant):
    assert type(get_channel_layer()).__name__ == "InMemoryChannelLayer"
    two_tenants_isolation(tenant, other_tenant)


def test_a_token_connection_is_closed_4401_once_its_token_expired(tenant, admin_user):
    with tenant_context(tenant):
        token = TenantRefreshToken.for_user(admin_user).access_token
        token.set_exp(lifetime=timedelta(seconds=1))
    expiring = str(token)

    async def scenario() -> None:
        client = communicator(tenant, token=expiring)
        await subscribe(client, "*.*.*")
        await asyncio.sleep(1.1)
        await broadcast(tenant, envelope(tenant))
        assert await client.receive_output(timeout=2) == {"type": "websocket.close", "code": 4401}

    run(scenario)


@pytest.mark.redis
def test_each_tenants_events_reach_only_its_own_clients_through_redis(tenant, other_tenant, redis_url, settings):
    # A prefix of this run's own: other test runs may share the server and have groups named alike.
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [redis_url], "prefix": f"test-{uuid.uuid4().hex}"},
        }
    }
    assert type(get_channel_layer()).__name__ == "RedisChannelLayer"
    two_tenants_isolation(tenant, other_tenant)


def test_a_role_without_the_inventory_gets_none_of_its_events(tenant, manager_user, viewer_user):
    """The Manager sees nothing of the inventory (decision 0007): not by naming it, not through "*"."""
    stock = envelope(tenant, "ims.stock.moved")
    created = envelope(tenant, "tenants.tenant.created")
    manager, viewer = access_token(tenant, manager_user), access_token(tenant, viewer_user)

    async def scenario() -> None:
        client = communicator(tenant, token=manager)
        connected, _ = await client.connect()
        assert connected is True
        await client.send_json_to({"action": "subscribe", "topics": ["ims.stock.*", "tenants.*.*"]})
        assert await client.receive_json_from(timeout=2) == {
            "type": "error",
            "error": {"code": "PERMISSION_DENIED", "message": "You may not see the events of ims."},
        }
        await client.send_json_to({"action": "subscribe", "topics": ["*.*.*"]})
        assert await client.receive_json_from(timeout=2) == {"type": "subscribed", "topics": ["*.*.*"]}
        reader = communicator(tenant, token=viewer)
        await subscribe(reader, "*.*.*")

        for event in (stock, created):
            await broadcast(tenant, event)
        assert await client.receive_json_from(timeout=2) == {"type": "event", "event": created}
        assert await client.receive_nothing() is True
        assert await reader.receive_json_from(timeout=2) == {"type": "event", "event": stock}
        assert await reader.receive_json_from(timeout=2) == {"type": "event", "event": created}
        await client.disconnect()
        await reader.disconnect()

    run(scenario)
