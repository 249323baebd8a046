"""Live updates: every committed event of a tenant goes to that tenant's websocket group.

The relay delivers each event once, after commit, to the ``realtime`` subscriber, in the event's
tenant; the subscriber sends the envelope to the one Channels group of that tenant, where each
connected client's consumer (apps.events.consumers) filters it by the client's topics.
"""

from __future__ import annotations

from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connection
from django_tenants.utils import get_public_schema_name

from apps.events.registry import subscriber

# The message type the consumer handles (``EventsConsumer.event_message``).
EVENT_MESSAGE = "event.message"


class WrongTenant(RuntimeError):
    """The event does not belong to the schema the subscriber runs in."""


def tenant_group(schema_name: str) -> str:
    """The Channels group of a tenant's live updates.

    Schema names are ``[a-z0-9_]`` and at most 63 characters, so the name is a valid group name.
    """
    return f"events.{schema_name}"


@subscriber("*.*.*", name="realtime")
def realtime_broadcast(envelope: dict[str, Any]) -> None:
    """Send ``envelope`` to its tenant's live-update group."""
    schema_name = str(getattr(connection, "schema_name", ""))
    # The group is chosen by the schema the relay put us in, and the event must say the same: an event
    # delivered in the wrong tenant fails (and is retried) rather than reach another tenant's clients.
    if schema_name in ("", get_public_schema_name()) or envelope.get("tenantId") != schema_name:
        raise WrongTenant(f"Event of tenant {envelope.get('tenantId')!r} delivered in schema {schema_name!r}.")
    channel_layer = get_channel_layer()
    if channel_layer is None:
        return
    async_to_sync(channel_layer.group_send)(tenant_group(schema_name), {"type": EVENT_MESSAGE, "event": envelope})
