"""The one provisioning service: signup, the API and ``create_tenant`` all make tenants through it.

It takes the fastest safe path to a migrated schema: a schema from the warm pool (renamed), else a
clone of the template schema, else plain migrations. Every step is idempotent and the tenant stays
``provisioning`` until the last one is done, so running it again after a crash finishes the job; the
tenant becomes ``active`` exactly once.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django_tenants.utils import schema_context, schema_exists

from apps.events.services import publish
from apps.identity.accounts import email_address_ensure
from apps.identity.models import User
from apps.identity.roles import ADMIN, role_group
from apps.tenants import schemas
from apps.tenants.choices import TenantStatus
from apps.tenants.events import TENANT_CREATED
from apps.tenants.models import Domain, PooledSchema, Tenant
from apps.tenants.receivers import tenants_changed
from apps.tenants.regions import REGION_DEFAULTS
from apps.tenants.signals import tenant_created
from apps.tenants.slugs import slug_to_schema_name, validate_slug

logger = logging.getLogger(__name__)
PUBLIC_SCHEMA = "public"
TAKEN = "This name is already taken."


class ProvisioningError(Exception):
    """Provisioning cannot go on; ``field`` names the input at fault, when there is one."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Provisioned:
    tenant: Tenant
    path: str  # "pool", "clone", "migrate", or "resumed" when the schema already existed
    activated: bool  # False when a concurrent run activated it first


def tenant_domain_name(slug: str) -> str:
    return f"{slug}.{settings.BASE_DOMAIN}"


def tenant_login_url(tenant: Tenant, *, scheme: str = "https", port: int | None = None) -> str:
    host = tenant_domain_name(tenant.slug) + (f":{port}" if port else "")
    return f"{scheme}://{host}/admin/login/"


def _register(*, slug: str, name: str, region: str, plan: str, owner_email: str) -> Tenant:
    """The tenant's row and domain, in ``provisioning``.

    An existing slug is only taken up again to finish its own provisioning, for the same founder:
    a signup can never add itself to someone else's tenant.
    """
    try:
        validate_slug(slug)
    except ValidationError as exc:
        raise ProvisioningError(exc.messages[0], field="slug") from None
    if region not in REGION_DEFAULTS:
        raise ProvisioningError(f"Unknown region {region!r}.", field="region")
    tenant: Tenant | None
    with schema_context(PUBLIC_SCHEMA), transaction.atomic():
        tenant = Tenant.objects.select_for_update().filter(slug=slug).first()
        if tenant is None:
            try:
                with transaction.atomic():
                    tenant = Tenant.objects.create(
                        slug=slug,
                        schema_name=slug_to_schema_name(slug),
                        name=name,
                        region=region,
                        plan=plan,
                        status=TenantStatus.PROVISIONING,
                        owner_email=owner_email.lower(),
                        **REGION_DEFAULTS[region],
                    )
            except IntegrityError:
                raise ProvisioningError(TAKEN, field="slug") from None
        elif tenant.status != TenantStatus.PROVISIONING or tenant.owner_email != owner_email.lower():
            raise ProvisioningError(TAKEN, field="slug")
        Domain.objects.get_or_create(domain=tenant_domain_name(slug), defaults={"tenant": tenant, "is_primary": True})
    return tenant


def _claim_pooled_schema(target: str) -> bool:
    """Rename a current schema from the warm pool to ``target``; False when the pool has none."""
    with schema_context(PUBLIC_SCHEMA):
        while True:
            with transaction.atomic():
                pooled = PooledSchema.objects.select_for_update(skip_locked=True).first()
                if pooled is None:
                    return False
                if schemas.schema_is_current(pooled.schema_name):
                    schemas.schema_rename(pooled.schema_name, target)
                    pooled.delete()
                    transaction.on_commit(_request_pool_refill)
                    return True
                # Left behind by an older release: never hand out a stale schema.
                schemas.schema_drop(pooled.schema_name)
                pooled.delete()


def _request_pool_refill() -> None:
    from apps.tenants.tasks import tenant_pool_refill

    tenant_pool_refill.delay()


def _ensure_schema(tenant: Tenant) -> str:
    """Make the tenant's schema by the fastest safe path; returns the path taken."""
    target = tenant.schema_name
    if schema_exists(target):
        if not schemas.schema_is_current(target):
            schemas.migrate(target)
        return "resumed"
    if _claim_pooled_schema(target):
        return "pool"
    with schema_context(PUBLIC_SCHEMA):
        if schemas.schema_is_current(schemas.TEMPLATE_SCHEMA):
            with transaction.atomic():
                schemas.schema_clone(schemas.TEMPLATE_SCHEMA, target)
            return "clone"
        schemas.schema_create_migrated(target)
    return "migrate"


def _ensure_admin(tenant: Tenant, *, email: str, password: str | None, email_verified: bool) -> User:
    with schema_context(tenant.schema_name), transaction.atomic():
        admin_role = role_group(ADMIN)
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user = User.objects.create_superuser(email=email, password=password)
        user.groups.add(admin_role)
        email_address_ensure(user=user, verified=email_verified)
        return user


def _activate(tenant: Tenant) -> bool:
    """Mark the tenant active; True only for the call that did it."""
    with schema_context(PUBLIC_SCHEMA), transaction.atomic():
        changed = Tenant.objects.filter(pk=tenant.pk, status=TenantStatus.PROVISIONING).update(
            status=TenantStatus.ACTIVE
        )
        if changed:
            tenants_changed()
            tenant.refresh_from_db()
            with schema_context(tenant.schema_name):  # the event belongs to the new tenant
                publish(
                    TENANT_CREATED.name,
                    {
                        "slug": tenant.slug,
                        "name": tenant.name,
                        "region": tenant.region,
                        "plan": tenant.plan,
                        "language": tenant.language,
                        "timeZone": tenant.time_zone,
                        "currency": tenant.currency,
                    },
                    aggregate=("tenants.tenant", tenant.pk),
                )
            transaction.on_commit(lambda: tenant_created.send(sender=Tenant, tenant=tenant))
    tenant.refresh_from_db()
    return bool(changed)


def tenant_provision(
    *,
    slug: str,
    name: str,
    region: str,
    admin_email: str,
    admin_password: str | None,
    plan: str = "free",
    admin_email_verified: bool = False,
) -> Provisioned:
    """Create (or finish creating) a tenant with its schema, roles, first admin and region defaults.

    Raises ProvisioningError for invalid input and for a slug that is taken (by an active tenant,
    or by another founder's unfinished one). Without ``admin_password`` the admin gets an unusable
    password and signs in after a password reset. The admin's address counts as verified only when
    the caller vouches for it (an operator's command); signup sends a confirmation mail instead.
    """
    tenant = _register(slug=slug, name=name, region=region, plan=plan, owner_email=admin_email)
    path = _ensure_schema(tenant)
    _ensure_admin(tenant, email=admin_email, password=admin_password, email_verified=admin_email_verified)
    activated = _activate(tenant)
    logger.info("tenant %s provisioned via %s", tenant.slug, path, extra={"path": path, "activated": activated})
    return Provisioned(tenant=tenant, path=path, activated=activated)


def tenant_provision_resume(*, tenant: Tenant) -> Provisioned:
    """Finish a tenant left in ``provisioning`` (a crash), for its own founder; for operators."""
    if tenant.status != TenantStatus.PROVISIONING:
        raise ProvisioningError(f"Tenant {tenant.slug!r} is {tenant.status}, not provisioning.")
    return tenant_provision(
        slug=tenant.slug,
        name=tenant.name,
        region=tenant.region,
        plan=tenant.plan,
        admin_email=tenant.owner_email,
        admin_password=None,
    )


def pool_fill(*, size: int) -> int:
    """Top the warm pool up to ``size`` schemas cloned from the template; returns how many were made."""
    made = 0
    with schema_context(PUBLIC_SCHEMA):
        schemas.template_ensure()
        while PooledSchema.objects.count() < size:
            name = f"{schemas.POOL_PREFIX}{secrets.token_hex(8)}"
            with transaction.atomic():
                schemas.schema_clone(schemas.TEMPLATE_SCHEMA, name)
                PooledSchema.objects.create(schema_name=name)
            made += 1
    return made
