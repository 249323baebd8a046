"""Fan-out from the relay to subscribers: deliveries gathered per tenant and subscriber, sent as tasks."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django_tenants.utils import schema_context

from apps.events.deliveries.services import deliveries_queue
from apps.events.registry import subscriber_get, subscribers_for


class DeliveryBatch:
    """The deliveries of one relay batch, sent together: one task per (tenant, subscriber), events in order.

    A task per event made the worker's per-message overhead the limit of the whole path; a task per
    subscriber and batch keeps each event's delivery its own transaction (and inbox row) all the same.
    """

    def __init__(self) -> None:
        self._groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)

    def add(self, subscriber: str, envelope: dict[str, Any]) -> None:
        self._groups[(envelope["tenantId"], subscriber)].append(envelope)

    def send(self, *, producer: Any = None) -> int:
        """Queue the gathered deliveries (on ``producer``'s channel when given); returns how many tasks."""
        groups, self._groups = self._groups, defaultdict(list)
        sent = 0
        for (schema, subscriber), envelopes in groups.items():
            # tenant-schemas-celery stamps each task with the connection's schema when it is sent.
            with schema_context(schema):
                select = subscriber_get(subscriber).select
                selected = envelopes if select is None else select(envelopes)
                if selected:
                    deliveries_queue(subscriber=subscriber, envelopes=selected, producer=producer)
                    sent += 1
        return sent


def deliveries_enqueue(envelope: dict[str, Any], *, batch: DeliveryBatch | None = None) -> int:
    """Queue one delivery per subscriber wanting the event, in the event's tenant; returns how many.

    With ``batch`` the deliveries wait in it for :meth:`DeliveryBatch.send`; without, they go at once.
    Either way they are sent before the relay marks the event sent: were the relay to fail after
    this, it sends again, and the repeat has no effect (apps.events.deliveries.services.deliveries_run).
    """
    wanted = subscribers_for(envelope["eventType"])
    target = batch if batch is not None else DeliveryBatch()
    for registered in wanted:
        target.add(registered.name, envelope)
    if batch is None:
        target.send()
    return len(wanted)
