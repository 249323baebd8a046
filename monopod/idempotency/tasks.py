"""Background jobs of the API framework."""

from __future__ import annotations

from celery import shared_task
from django_tenants.utils import get_public_schema_name, get_tenant_model, tenant_context

from monopod.idempotency.services import idempotency_records_purge


@shared_task(name="api.idempotency_purge", ignore_result=True)
def idempotency_purge() -> int:
    """Delete expired idempotency records in every tenant's schema (daily, by beat)."""
    tenants = get_tenant_model().objects.exclude(schema_name=get_public_schema_name()).order_by("pk")
    deleted = 0
    for tenant in tenants:
        with tenant_context(tenant):
            deleted += idempotency_records_purge()
    return deleted
