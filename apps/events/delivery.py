"""Fan-out from the relay to subscribers (being built)."""

from __future__ import annotations

from typing import Any


def deliveries_enqueue(envelope: dict[str, Any]) -> int:
    """Queue one delivery per subscriber wanting the event, in the event's tenant; returns how many."""
    raise NotImplementedError
