"""Webhooks declare no event types; importing the subscriber registers it (registry autodiscovery)."""

from apps.events.webhooks import subscribers  # noqa: F401
