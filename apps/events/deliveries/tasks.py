"""Background jobs of event deliveries."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django_tenants.utils import get_public_schema_name, tenant_context

from apps.events.deliveries import services
from apps.events.deliveries.models import Delivery
from apps.tenants.choices import TenantStatus
from apps.tenants.models import Tenant


@shared_task(name="events.deliver", ignore_result=True)
def deliver(subscriber: str, envelope: dict[str, Any]) -> str:
    """Run ``subscriber`` on the event, in the tenant the task was sent from; a repeat has no effect."""
    return services.deliveries_run(subscriber_name=subscriber, envelopes=[envelope])[0]


@shared_task(name="events.deliver_many", ignore_result=True)
def deliver_many(subscriber: str, envelopes: list[dict[str, Any]]) -> int:
    """Run ``subscriber`` on each event in turn, each its own delivery; returns how many are done."""
    return services.deliveries_run(subscriber_name=subscriber, envelopes=envelopes).count(Delivery.Status.DONE)


@shared_task(name="events.deliveries_sweep", ignore_result=True)
def deliveries_sweep() -> int:
    """In every serving tenant, queue again the deliveries whose retry is overdue; returns how many."""
    requeued = 0
    for tenant in Tenant.objects.filter(status=TenantStatus.ACTIVE).exclude(schema_name=get_public_schema_name()):
        with tenant_context(tenant):
            requeued += services.deliveries_overdue_requeue()
    return requeued
