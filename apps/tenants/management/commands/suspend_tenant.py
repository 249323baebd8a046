from __future__ import annotations

from apps.tenants.management.commands._base import TenantStatusCommand
from apps.tenants.models import Tenant
from apps.tenants.services import tenant_suspend


class Command(TenantStatusCommand):
    help = "Suspend a tenant: its web and API answer 403 and its jobs stop; its data stays."

    def change(self, tenant: Tenant) -> Tenant:
        return tenant_suspend(tenant=tenant)
