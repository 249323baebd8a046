"""``manage.py outbox_status``: the outbox per tenant, and dead deliveries where deliveries exist."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.apps import apps as django_apps
from django.core.management.base import BaseCommand
from django.db import DatabaseError, transaction
from django.db.models import Count, Min, Q
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.events.models import OutboxEvent


def dead_deliveries(schemas: list[str]) -> dict[str, int] | None:
    """Dead deliveries per tenant schema; None while the deliveries app has no Delivery model."""
    try:
        model = django_apps.get_model("event_deliveries", "Delivery")
    except LookupError:
        return None
    if not any(f.name == "status" for f in model._meta.get_fields()):
        return None
    counts: dict[str, int] = {}
    try:
        for schema in schemas:
            with schema_context(schema), transaction.atomic():
                counts[schema] = model._default_manager.filter(status="dead").count()
    except DatabaseError:  # the deliveries table is not migrated yet
        return None
    return counts


class Command(BaseCommand):
    help = "Outbox per tenant: pending events, age of the oldest pending, sent in the last hour, dead deliveries."

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        rows = (
            OutboxEvent.objects.values("tenant_schema")
            .annotate(
                pending=Count("id", filter=Q(sent_at__isnull=True)),
                oldest=Min("created_at", filter=Q(sent_at__isnull=True)),
                sent_last_hour=Count("id", filter=Q(sent_at__gte=now - timedelta(hours=1))),
            )
            .order_by("tenant_schema")
        )
        stats = list(rows)
        dead = dead_deliveries([row["tenant_schema"] for row in stats])
        header = ["tenant", "pending", "oldest_pending_s", "sent_last_hour"] + (
            ["dead_deliveries"] if dead is not None else []
        )
        lines = [header]
        for row in stats:
            age = int((now - row["oldest"]).total_seconds()) if row["oldest"] else 0
            line = [row["tenant_schema"], str(row["pending"]), str(age), str(row["sent_last_hour"])]
            if dead is not None:
                line.append(str(dead.get(row["tenant_schema"], 0)))
            lines.append(line)
        widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
        for line in lines:
            self.stdout.write("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip())
