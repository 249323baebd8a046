"""Forget cached host-to-tenant and schema-to-tenant answers whenever a tenant or domain changes (once it
is committed)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from apps.tenants.models import Domain, Tenant
from monopod.tenancy import tenant_caches_clear


def tenants_changed(**kwargs: Any) -> None:
    """Call after any write to tenants or domains, including ``QuerySet.update()``, which sends no signal.

    Cleared at once for this transaction's own requests, and again at commit, in case another thread
    cached the old rows in between.
    """
    tenant_caches_clear()
    transaction.on_commit(tenant_caches_clear)


for model in (Tenant, Domain):
    post_save.connect(tenants_changed, sender=model, dispatch_uid=f"tenants_changed_save_{model.__name__}")
    post_delete.connect(tenants_changed, sender=model, dispatch_uid=f"tenants_changed_delete_{model.__name__}")
