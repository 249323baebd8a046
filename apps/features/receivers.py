"""Record a tenant's move to another region on the platform's trail and on the tenant's own."""

from __future__ import annotations

from typing import Any

from django_tenants.utils import tenant_context

from apps.audit.services import audit_record
from apps.tenants.signals import tenant_region_changed

REGION_CHANGED = "tenant.region_changed"


def record_region_change(
    sender: Any, tenant: Any, changes: dict[str, list[Any]], actor: Any = None, **kwargs: Any
) -> None:
    """Sent in the public schema: the platform's entry first, then the tenant's, by the same member."""
    who = actor.get_username() if actor is not None and getattr(actor, "is_authenticated", False) else ""
    # On the platform's trail a member id means nothing without its tenant: the label says both.
    audit_record(
        action=REGION_CHANGED,
        obj=tenant,
        changes=changes,
        actor=actor,
        actor_label=f"{who} ({tenant.slug})" if who else "",
    )
    with tenant_context(tenant):
        audit_record(
            action=REGION_CHANGED, object_type="tenants.tenant", object_id=str(tenant.pk), changes=changes, actor=actor
        )


def connect() -> None:
    """Connect the receivers (from ``FeaturesConfig.ready``)."""
    tenant_region_changed.connect(record_region_change, dispatch_uid="features.record_region_change")
