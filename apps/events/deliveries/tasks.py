"""Background jobs of event deliveries."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from apps.events.deliveries import services


@shared_task(name="events.deliver", ignore_result=True)
def deliver(subscriber: str, envelope: dict[str, Any]) -> str:
    """Run ``subscriber`` on the event, in the tenant the task was sent from; a repeat has no effect."""
    return services.delivery_run(subscriber_name=subscriber, envelope=envelope).status
