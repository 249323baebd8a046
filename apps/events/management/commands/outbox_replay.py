"""``manage.py outbox_replay``: send already relayed events again (consumers dedupe by event id)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from apps.events.models import OutboxEvent
from apps.events.wake import relay_wake
from apps.tenants.models import Tenant


def _parse_since(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--since {text!r} is not an ISO 8601 date or time (e.g. 2026-11-23T10:00:00Z).") from None
    return moment if timezone.is_aware(moment) else moment.replace(tzinfo=UTC)


class Command(BaseCommand):
    help = "Mark relayed outbox events pending again, by event id or since a time, optionally for one tenant."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--event-id", help="The eventId of one event.")
        parser.add_argument("--since", help="Every event created at or after this ISO 8601 time.")
        parser.add_argument("--tenant", help="Only this tenant's events (its slug).")

    def handle(self, *args: Any, **options: Any) -> None:
        event_id, since, slug = options["event_id"], options["since"], options["tenant"]
        if (event_id is None) == (since is None):
            raise CommandError("Give exactly one of --event-id UUID or --since ISO8601.")
        events = OutboxEvent.objects.all()
        if event_id is not None:
            try:
                parsed = uuid.UUID(event_id)
            except ValueError:
                raise CommandError(f"--event-id {event_id!r} is not a UUID.") from None
            events = events.filter(event_id=parsed)
            if not events.exists():
                raise CommandError(f"No event {parsed} in the outbox.")
        else:
            events = events.filter(created_at__gte=_parse_since(since))
        if slug is not None:
            tenant = Tenant.objects.filter(slug=slug).first()
            if tenant is None:
                raise CommandError(f"No tenant {slug!r}.")
            events = events.filter(tenant_schema=tenant.schema_name)
        with transaction.atomic():
            count = events.filter(sent_at__isnull=False).update(sent_at=None, attempts=0, last_error="")
        if count:
            transaction.on_commit(relay_wake)
        self.stdout.write(f"{count} event{'s' if count != 1 else ''} marked for relay.")
