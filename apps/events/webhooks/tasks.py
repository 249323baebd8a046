"""Celery tasks of webhooks: load by id, call the service."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from apps.events.webhooks.services import webhook_deliver


@shared_task(name="webhooks.deliver", ignore_result=True)
def deliver(endpoint_id: int, envelope: dict[str, Any], attempt: int) -> None:
    """Attempt ``attempt`` to deliver ``envelope`` to the endpoint; the next is scheduled on failure."""
    webhook_deliver(endpoint_id=endpoint_id, envelope=envelope, attempt=attempt)
