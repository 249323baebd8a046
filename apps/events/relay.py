"""The relay: drains the outbox to the broker and to subscribers (being built; see docs/events.md)."""

from __future__ import annotations


def relay_wake() -> None:
    """Ask for a relay run soon after a commit that published events."""
