"""The webhooks subscriber: every event, to each of the tenant's endpoints that wants it."""

from __future__ import annotations

from typing import Any

from apps.events.registry import subscriber
from apps.events.webhooks.services import webhooks_fan_out, webhooks_wanted


@subscriber("*.*.*", name="webhooks", select=webhooks_wanted)
def webhooks_on_event(envelope: dict[str, Any]) -> None:
    """Queue a delivery of the event to each active endpoint whose patterns match its type."""
    webhooks_fan_out(envelope=envelope)
