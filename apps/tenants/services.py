"""Writes on tenants other than provisioning: the public site's row, suspension, deletion."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django_tenants.utils import schema_context

from apps.features.regions import region_bundles
from apps.tenants import schemas
from apps.tenants.choices import TenantStatus
from apps.tenants.models import Domain, Tenant
from apps.tenants.receivers import tenants_changed
from apps.tenants.signals import tenant_region_changed, tenant_status_changed

PUBLIC_SCHEMA = "public"


class TenantStateError(Exception):
    """The tenant is not in a state that allows the requested change."""


def public_tenant_ensure() -> Tenant:
    """The public schema's tenant row and its domain (``BASE_DOMAIN``); idempotent."""
    tenant: Tenant
    with schema_context(PUBLIC_SCHEMA):
        tenant, _ = Tenant.objects.get_or_create(
            schema_name=PUBLIC_SCHEMA,
            defaults={"slug": PUBLIC_SCHEMA, "name": "MonoPod", "status": TenantStatus.ACTIVE},
        )
        Domain.objects.get_or_create(domain=settings.BASE_DOMAIN, defaults={"tenant": tenant, "is_primary": True})
    return tenant


def _change_status(*, tenant: Tenant, allowed: set[str], to: str) -> Tenant:
    with schema_context(PUBLIC_SCHEMA), transaction.atomic():
        before = Tenant.objects.select_for_update().values_list("status", flat=True).get(pk=tenant.pk)
        changed = Tenant.objects.filter(pk=tenant.pk, status__in=allowed).update(status=to)
        tenants_changed()
        tenant.refresh_from_db()
        if changed:
            tenant_status_changed.send(sender=Tenant, tenant=tenant, before=before, after=to)
    if not changed and tenant.status != to:
        raise TenantStateError(f"Tenant {tenant.slug!r} is {tenant.status}; it cannot become {to}.")
    return tenant


def tenant_suspend(*, tenant: Tenant) -> Tenant:
    """Stop a tenant's web, API and jobs; its data stays. Idempotent."""
    return _change_status(tenant=tenant, allowed={TenantStatus.ACTIVE}, to=TenantStatus.SUSPENDED)


def tenant_resume(*, tenant: Tenant) -> Tenant:
    """Let a suspended tenant serve again. Idempotent."""
    return _change_status(tenant=tenant, allowed={TenantStatus.SUSPENDED}, to=TenantStatus.ACTIVE)


def tenant_region_change(*, tenant: Tenant, region: str, actor: Any = None) -> Tenant:
    """Move the tenant to ``region``, taking the region's language, time zone and currency; idempotent."""
    bundle = region_bundles().get(region)
    if bundle is None:
        raise TenantStateError(f"Unknown region {region!r}.")
    wanted = {
        "region": region,
        "language": bundle.default_language,
        "time_zone": bundle.time_zone,
        "currency": bundle.currency,
    }
    with schema_context(PUBLIC_SCHEMA), transaction.atomic():
        stored = Tenant.objects.select_for_update().values(*wanted).get(pk=tenant.pk)
        changes = {name: [stored[name], value] for name, value in wanted.items() if stored[name] != value}
        if changes:
            Tenant.objects.filter(pk=tenant.pk).update(**{name: after for name, (_, after) in changes.items()})
            tenants_changed()
            tenant.refresh_from_db()
            tenant_region_changed.send(sender=Tenant, tenant=tenant, changes=changes, actor=actor)
    return tenant


def tenant_files_root(tenant: Tenant) -> Path:
    """Where the tenant's uploaded files live (django-tenants' TenantFileSystemStorage)."""
    root: Path = Path(settings.MEDIA_ROOT) / (settings.MULTITENANT_RELATIVE_MEDIA_ROOT % tenant.schema_name)
    return root


def tenant_delete(*, tenant: Tenant) -> Tenant:
    """Drop the tenant's schema and files and free its host names; the row stays, marked deleted."""
    if tenant.schema_name == PUBLIC_SCHEMA:
        raise TenantStateError("The public site cannot be deleted.")
    with schema_context(PUBLIC_SCHEMA), transaction.atomic():
        before = Tenant.objects.select_for_update().values_list("status", flat=True).get(pk=tenant.pk)
        Tenant.objects.filter(pk=tenant.pk).update(status=TenantStatus.DELETED)
        tenants_changed()
        if before != TenantStatus.DELETED:
            tenant_status_changed.send(sender=Tenant, tenant=tenant, before=before, after=TenantStatus.DELETED)
        Domain.objects.filter(tenant=tenant).delete()
        schemas.schema_drop(tenant.schema_name)
        transaction.on_commit(lambda: shutil.rmtree(tenant_files_root(tenant), ignore_errors=True))
    tenant.refresh_from_db()
    return tenant
