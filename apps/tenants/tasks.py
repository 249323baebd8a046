"""Background jobs of the tenants app."""

from celery import shared_task
from django.conf import settings

from apps.tenants.provisioning import pool_fill


@shared_task(name="tenants.pool_refill", ignore_result=True)
def tenant_pool_refill() -> int:
    """Refill the warm pool after a schema was taken from it."""
    return pool_fill(size=settings.TENANT_POOL_SIZE)
