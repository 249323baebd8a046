"""Create a tenant non-interactively through the provisioning service (also finishes a crashed one)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email

from apps.tenants.provisioning import ProvisioningError, tenant_login_url, tenant_provision
from apps.tenants.regions import REGION_DEFAULTS


class Command(BaseCommand):
    help = "Create a tenant with its schema and first admin; running it again finishes a crashed one."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--slug", required=True)
        parser.add_argument("--name", required=True)
        parser.add_argument("--region", default="global", choices=sorted(REGION_DEFAULTS))
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--admin-password", required=True)
        parser.add_argument("--plan", default="free")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            validate_email(options["admin_email"])
        except ValidationError:
            raise CommandError(f"--admin-email: {options['admin_email']!r} is not an e-mail address.") from None
        try:
            result = tenant_provision(
                slug=options["slug"],
                name=options["name"],
                region=options["region"],
                plan=options["plan"],
                admin_email=options["admin_email"],
                admin_password=options["admin_password"],
                admin_email_verified=True,
            )
        except ProvisioningError as exc:
            raise CommandError(f"--{exc.field or 'slug'}: {exc}") from None
        state = "created" if result.activated else "already active"
        self.stdout.write(f"Tenant {result.tenant.slug} {state} ({result.path}): {tenant_login_url(result.tenant)}")
