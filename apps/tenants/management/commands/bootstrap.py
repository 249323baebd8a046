"""Prepare this machine's MonoPod: the public site, the demo tenant, its admin and demo data."""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from apps.tenants import schemas
from apps.tenants.choices import TenantStatus
from apps.tenants.models import Tenant
from apps.tenants.provisioning import tenant_domain_name, tenant_provision
from apps.tenants.services import public_tenant_ensure
from apps.tenants.tasks import tenant_pool_refill
from monopod.seeding import run_demo_seeders


class Command(BaseCommand):
    help = (
        "Create the public site, the tenant template and (unless --no-demo) the demo tenant with its admin; "
        "idempotent. Prints the demo login."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reseed", action="store_true", help="Run the demo seeders again.")
        parser.add_argument("--port", type=int, default=8000, help="Port shown in the login URL.")
        parser.add_argument(
            "--no-demo", action="store_true", help="Production: the public site, template and pool only."
        )

    def handle(self, *args: Any, reseed: bool, port: int, no_demo: bool, **options: Any) -> None:
        public_tenant_ensure()
        schemas.template_ensure()
        # New tenants take a ready schema from the pool; the worker fills it.
        tenant_pool_refill.delay()
        if no_demo:
            self.stdout.write("Public site, tenant template and warm pool are ready.")
            return
        slug = settings.DEMO_TENANT_SLUG
        email = f"admin@{tenant_domain_name(slug)}"
        password_file = settings.VAR_DIR / "demo-admin-password"
        password = password_file.read_text().strip() if password_file.exists() else secrets.token_urlsafe(12)

        demo: Tenant | None = Tenant.objects.filter(slug=slug).first()
        created = demo is None or demo.status == TenantStatus.PROVISIONING
        if demo is None or created:
            demo = tenant_provision(
                slug=slug,
                name="Demo Company",
                region=settings.REGION,
                admin_email=email,
                admin_password=password,
                admin_email_verified=True,
            ).tenant
            password_file.parent.mkdir(parents=True, exist_ok=True)
            password_file.touch(mode=0o600)
            password_file.write_text(password)
        if created or reseed:
            seeders = run_demo_seeders(tenant=demo)
            self.stdout.write(f"Demo data: {len(seeders)} seeders run.")

        url = f"http://{tenant_domain_name(slug)}:{port}/"
        shown = (
            password
            if password_file.exists()
            else "(unknown: reset it with `manage.py tenant_command changepassword --schema=demo`)"
        )
        self.stdout.write(self.style.SUCCESS(f"MonoPod demo tenant: {url}"))
        self.stdout.write(f"  admin console: {url}admin/")
        self.stdout.write(f"  e-mail:        {email}")
        self.stdout.write(f"  password:      {shown}")
