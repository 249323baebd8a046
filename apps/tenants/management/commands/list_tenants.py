"""List tenants with their status, region, plan and address."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from apps.tenants.models import Tenant


class Command(BaseCommand):
    help = "List tenants."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--status", help="Only tenants in this status.")

    def handle(self, *args: Any, status: str | None, **options: Any) -> None:
        tenants = Tenant.objects.exclude(schema_name="public").prefetch_related("domains").order_by("slug")
        if status:
            tenants = tenants.filter(status=status)
        self.stdout.write(f"{'slug':<40} {'status':<13} {'region':<7} {'plan':<11} domain")
        for tenant in tenants:
            domains = ",".join(sorted(d.domain for d in tenant.domains.all())) or "-"
            self.stdout.write(f"{tenant.slug:<40} {tenant.status:<13} {tenant.region:<7} {tenant.plan:<11} {domains}")
