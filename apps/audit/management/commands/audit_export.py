"""Export one tenant's audit entries of a period as JSON lines or CSV, in chain order."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django_tenants.utils import schema_context

from apps.audit.api.serializers import AuditEntrySerializer
from apps.audit.management.commands._tenants import tenants_named
from apps.audit.selectors import audit_entry_list

FIELDS = AuditEntrySerializer.Meta.fields


def moment(value: str) -> datetime:
    """An ISO date (midnight UTC) or date-time (UTC unless it says otherwise)."""
    parsed = parse_datetime(value)
    if parsed is None:
        day = parse_date(value)
        if day is None:
            raise ValueError(value)
        parsed = datetime(day.year, day.month, day.day)
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, UTC)


class Command(BaseCommand):
    help = "Export a tenant's audit entries from --since (inclusive) to --until (exclusive)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", metavar="SLUG", required=True)
        parser.add_argument("--since", metavar="DATE[TIME]", help="ISO 8601; UTC unless an offset is given.")
        parser.add_argument("--until", metavar="DATE[TIME]", help="ISO 8601; UTC unless an offset is given.")
        parser.add_argument("--format", choices=["jsonl", "csv"], default="jsonl")

    def handle(
        self, *args: Any, tenant: str, since: str | None, until: str | None, format: str, **options: Any
    ) -> None:
        try:
            period = {name: moment(value) if value else None for name, value in (("since", since), ("until", until))}
        except ValueError as exc:
            raise CommandError(f"Not an ISO 8601 date or date-time: {exc}.") from None
        (chosen,) = tenants_named(tenant)
        writer = csv.DictWriter(self.stdout, fieldnames=FIELDS) if format == "csv" else None
        if writer is not None:
            writer.writeheader()
        with schema_context(chosen.schema_name):
            for entry in audit_entry_list(**period).iterator(chunk_size=2000):
                row = AuditEntrySerializer(entry).data
                if writer is not None:
                    writer.writerow({**row, "changes": json.dumps(row["changes"], sort_keys=True)})
                else:
                    self.stdout.write(json.dumps(row, sort_keys=True, ensure_ascii=False))
