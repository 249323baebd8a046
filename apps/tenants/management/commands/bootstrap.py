"""Prepare this machine's MonoPod: the public site, the demo tenant, its admin and demo data."""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from apps.tenants.models import Tenant
from apps.tenants.services import (
    public_tenant_ensure,
    tenant_admin_ensure,
    tenant_create,
    tenant_domain_name,
)
from monopod.seeding import run_demo_seeders


class Command(BaseCommand):
    help = "Create the public site and the demo tenant with its admin (idempotent); print the login."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reseed", action="store_true", help="Run the demo seeders again.")
        parser.add_argument("--port", type=int, default=8000, help="Port shown in the login URL.")

    def handle(self, *args: Any, reseed: bool, port: int, **options: Any) -> None:
        public_tenant_ensure()
        slug = settings.DEMO_TENANT_SLUG
        is_new = not Tenant.objects.filter(schema_name=slug).exists()
        tenant = tenant_create(slug=slug, name="Demo Company", region=settings.REGION)

        email = f"admin@{tenant_domain_name(slug)}"
        password_file = settings.VAR_DIR / "demo-admin-password"
        password = password_file.read_text().strip() if password_file.exists() else secrets.token_urlsafe(12)
        _, created = tenant_admin_ensure(tenant=tenant, email=email, password=password)
        if created:
            password_file.parent.mkdir(parents=True, exist_ok=True)
            password_file.touch(mode=0o600)
            password_file.write_text(password)
        if is_new or reseed:
            seeders = run_demo_seeders(tenant=tenant)
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
