"""Walk each tenant's audit chain and name its first broken entry; exits 1 when any chain is broken."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_tenants.utils import schema_context

from apps.audit.management.commands._tenants import tenants_named
from apps.audit.selectors import audit_chain_verify


class Command(BaseCommand):
    help = "Verify the tamper-evident audit chain of one tenant (--tenant) or of every tenant."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", metavar="SLUG", help="Only this tenant.")

    def handle(self, *args: Any, tenant: str | None = None, **options: Any) -> None:
        broken = []
        for each in tenants_named(tenant):
            started = time.perf_counter()
            with schema_context(each.schema_name):
                report = audit_chain_verify()
            took = time.perf_counter() - started
            if report.intact:
                self.stdout.write(f"{each.slug}: {report.entries} entries, chain intact ({took:.2f}s).")
            else:
                broken.append(each.slug)
                self.stdout.write(f"{each.slug}: chain broken at entry {report.first_bad_seq}: {report.reason}.")
        if broken:
            raise CommandError(f"Audit chain broken for: {', '.join(broken)}.")
