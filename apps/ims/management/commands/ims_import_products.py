"""``manage.py ims_import_products --tenant SLUG FILE.csv``: products from CSV, all or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_tenants.utils import tenant_context

from apps.ims.imports import ProductImportError, products_import
from apps.tenants.choices import TenantStatus
from apps.tenants.models import Tenant


class Command(BaseCommand):
    help = "Import products from a CSV file into one tenant; nothing is imported if any row is bad."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", required=True, help="The tenant's slug.")
        parser.add_argument("file", help="The CSV file (UTF-8, header row; see docs/modules/ims.md).")

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = Tenant.objects.exclude(status=TenantStatus.DELETED).filter(slug=options["tenant"]).first()
        if tenant is None:
            raise CommandError(f"No tenant with slug {options['tenant']!r}.")
        path = Path(options["file"])
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from None
        with tenant_context(tenant):
            try:
                result = products_import(content=content)
            except ProductImportError as exc:
                for error in exc.errors:
                    self.stderr.write(str(error))
                count = len(exc.errors)
                raise CommandError(f"Nothing imported: {count} error{'s' if count != 1 else ''}.") from None
        self.stdout.write(
            self.style.SUCCESS(f"Imported into {tenant.slug}: {result.created} created, {result.updated} updated.")
        )
