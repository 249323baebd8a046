"""Choosing the tenants an audit command works on."""

from __future__ import annotations

from django.core.management.base import CommandError

from apps.tenants.choices import TenantStatus
from apps.tenants.models import Tenant


def tenants_named(slug: str | None) -> list[Tenant]:
    """The tenant ``slug``, or every tenant with a schema; ``public`` is the platform's own trail."""
    tenants = Tenant.objects.exclude(status=TenantStatus.DELETED).order_by("slug")
    if slug is None:
        return list(tenants)
    tenant = tenants.filter(slug=slug).first()
    if tenant is None:
        raise CommandError(f"No tenant with slug {slug!r}.")
    return [tenant]
