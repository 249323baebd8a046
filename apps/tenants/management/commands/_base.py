"""Shared parsing for the tenant management commands."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.tenants.models import Tenant
from apps.tenants.services import TenantStateError


class TenantCommand(BaseCommand):
    """A command acting on one tenant, named by its slug."""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="The tenant's slug (its address is <slug>.<BASE_DOMAIN>).")

    def get_tenant(self, slug: str) -> Tenant:
        tenant: Tenant | None = Tenant.objects.filter(slug=slug).exclude(schema_name="public").first()
        if tenant is None:
            raise CommandError(f"No tenant with slug {slug!r}.")
        return tenant


class TenantStatusCommand(TenantCommand):
    """A command that moves one tenant to another status through a service."""

    def change(self, tenant: Tenant) -> Tenant:
        raise NotImplementedError

    def handle(self, *args: Any, slug: str, **options: Any) -> None:
        try:
            tenant = self.change(self.get_tenant(slug))
        except TenantStateError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Tenant {tenant.slug} is {tenant.status}.")
