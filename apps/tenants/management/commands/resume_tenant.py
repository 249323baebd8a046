from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError

from apps.tenants.management.commands._base import TenantCommand
from apps.tenants.services import TenantStateError, tenant_resume


class Command(TenantCommand):
    help = "Resume a suspended tenant."

    def handle(self, *args: Any, slug: str, **options: Any) -> None:
        try:
            tenant = tenant_resume(tenant=self.get_tenant(slug))
        except TenantStateError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Tenant {tenant.slug} is {tenant.status}.")
