"""Writes on tenants: creating a tenant with its schema, domain and first admin."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django_tenants.utils import schema_context

from apps.identity.models import User
from apps.identity.roles import ensure_roles
from apps.tenants.models import Domain, Tenant

PUBLIC_SCHEMA = "public"


def public_tenant_ensure() -> Tenant:
    """The public schema's tenant row and its domain (``BASE_DOMAIN``); idempotent."""
    tenant: Tenant
    with schema_context(PUBLIC_SCHEMA):
        tenant, _ = Tenant.objects.get_or_create(schema_name=PUBLIC_SCHEMA, defaults={"name": "MonoPod"})
        Domain.objects.get_or_create(domain=settings.BASE_DOMAIN, defaults={"tenant": tenant, "is_primary": True})
    return tenant


def tenant_domain_name(slug: str) -> str:
    return f"{slug}.{settings.BASE_DOMAIN}"


@transaction.atomic
def tenant_create(*, slug: str, name: str, region: str) -> Tenant:
    """Create a tenant, migrate its schema and give it the standard roles; idempotent per slug."""
    tenant: Tenant | None
    with schema_context(PUBLIC_SCHEMA):
        tenant = Tenant.objects.filter(schema_name=slug).first()
        if tenant is None:
            tenant = Tenant(schema_name=slug, name=name, region=region)
            tenant.save()
        Domain.objects.get_or_create(domain=tenant_domain_name(slug), defaults={"tenant": tenant, "is_primary": True})
    with schema_context(tenant.schema_name):
        ensure_roles()
    return tenant


def tenant_admin_ensure(*, tenant: Tenant, email: str, password: str) -> tuple[User, bool]:
    """The tenant's administrator (superuser, Admin role); returns it and whether it was created."""
    with schema_context(tenant.schema_name):
        user = User.objects.filter(email__iexact=email).first()
        if user is not None:
            return user, False
        user = User.objects.create_superuser(email=email, password=password)
        user.groups.add(*ensure_roles().filter(name="Admin"))
        return user, True
