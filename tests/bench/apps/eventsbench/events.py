"""The bench's event type and its one subscriber, which only records when each event reached it."""

from __future__ import annotations

import time
from typing import Any

from django.db import connection

from apps.events.registry import event_type, subscriber

ITEM_UPDATED = event_type(
    "eventsbench.item.updated",
    description="A bench item changed (benchmarks only).",
    schema={
        "type": "object",
        "properties": {"n": {"type": "integer"}, "at": {"type": "number"}},
        "required": ["n", "at"],
        "additionalProperties": False,
    },
)
SUBSCRIBER = "eventsbench.received"
RECEIVED_TABLE = "bench_events_received"
ITEM_TABLE = "bench_events_item"


@subscriber(ITEM_UPDATED.name, name=SUBSCRIBER)
def received_record(envelope: dict[str, Any]) -> None:
    """Record the event's publish time (``data.at``, Unix seconds) and now, in the tenant's schema."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {RECEIVED_TABLE} (event_id, published_at, received_at) VALUES (%s, %s, %s) "  # noqa: S608
            "ON CONFLICT DO NOTHING",
            [envelope["eventId"], envelope["data"]["at"], time.time()],
        )
