"""The probe event and its subscriber, whose effect is one row per run in the tenant's ``fault_effects``.

The table has no unique constraint: a subscriber run twice for one event shows as two rows.

With ``FAULT_COUNTER_KEY`` set, every ``deliveries_enqueue`` call of the relay counts in Redis; with
``FAULT_KILL_AFTER_ENQUEUES=n`` too, the worker kills itself and its pool (SIGKILL to its process group)
right after the n-th call: after the broker publish and the enqueue of an event, before the relay marks
it sent. With ``FAULT_PROBE_ONLY`` set, the probe's is the only subscriber.
"""

from __future__ import annotations

import os
import signal
from typing import Any

from django.db import connection

from apps.events import delivery, registry
from apps.events.registry import event_type, subscriber

PROBE = event_type(
    "faults.probe.happened",
    description="A probe event of the fault tests.",
    schema={
        "type": "object",
        "properties": {"n": {"type": "integer"}, "batch": {"type": "string"}},
        "required": ["n", "batch"],
        "additionalProperties": False,
    },
)


@subscriber("faults.probe.happened", name="faults.effect")
def effect(envelope: dict[str, Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO fault_effects (event_id, n, batch) VALUES (%s, %s, %s)",
            [envelope["eventId"], envelope["data"]["n"], envelope["data"]["batch"]],
        )


def _counting_enqueue() -> None:
    import redis

    counter = os.environ["FAULT_COUNTER_KEY"]
    client = redis.Redis.from_url(os.environ["FAULT_REDIS_URL"])
    kill_after = int(os.environ.get("FAULT_KILL_AFTER_ENQUEUES") or 0)
    enqueue = delivery.deliveries_enqueue

    def deliveries_enqueue(envelope: dict[str, Any], **options: Any) -> int:
        queued = enqueue(envelope, **options)
        calls = client.incr(counter)
        if kill_after and calls >= kill_after:
            os.killpg(os.getpgrp(), signal.SIGKILL)  # the whole worker, pool and all
        return queued

    delivery.deliveries_enqueue = deliveries_enqueue  # type: ignore[assignment]


if os.environ.get("FAULT_COUNTER_KEY"):
    _counting_enqueue()
if os.environ.get("FAULT_PROBE_ONLY"):
    # The catch-all subscribers (realtime, webhooks: "*.*.*") would triple a large run's deliveries on
    # two cores without testing more: leave the probe's subscriber alone (this app is installed last).
    for name in [name for name in registry._subscribers if name != "faults.effect"]:
        del registry._subscribers[name]
