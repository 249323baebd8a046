from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from apps.tenants.management.commands._base import TenantCommand
from apps.tenants.services import TenantStateError, tenant_delete


class Command(TenantCommand):
    help = "Delete a tenant: drop its schema and files and free its domains. Asks first unless --yes."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args: Any, slug: str, yes: bool, **options: Any) -> None:
        tenant = self.get_tenant(slug)
        if not yes:
            answer = input(f"Delete tenant {slug!r} and all its data? Type the slug to confirm: ")
            if answer.strip() != slug:
                raise CommandError("Not confirmed; nothing was deleted.")
        try:
            tenant_delete(tenant=tenant)
        except TenantStateError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Tenant {slug} deleted.")
