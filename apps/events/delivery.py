"""Fan-out from the relay to subscribers: one delivery task per subscriber, in the event's tenant."""

from __future__ import annotations

from typing import Any

from django_tenants.utils import schema_context

from apps.events.deliveries.services import delivery_queue
from apps.events.registry import subscribers_for


def deliveries_enqueue(envelope: dict[str, Any]) -> int:
    """Queue one delivery per subscriber wanting the event, in the event's tenant; returns how many.

    Sent at once, not after the caller's commit: were the relay to fail after this, it sends again,
    and the repeat has no effect (apps.events.deliveries.services.delivery_run).
    """
    wanted = subscribers_for(envelope["eventType"])
    # tenant-schemas-celery stamps each task with the connection's schema when it is sent.
    with schema_context(envelope["tenantId"]):
        for registered in wanted:
            delivery_queue(subscriber=registered.name, envelope=envelope)
    return len(wanted)
