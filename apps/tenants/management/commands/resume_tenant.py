from __future__ import annotations

from apps.tenants.management.commands._base import TenantStatusCommand
from apps.tenants.models import Tenant
from apps.tenants.services import tenant_resume


class Command(TenantStatusCommand):
    help = "Resume a suspended tenant."

    def change(self, tenant: Tenant) -> Tenant:
        return tenant_resume(tenant=tenant)
