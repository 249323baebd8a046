"""Fixtures shared by the event tests."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from apps.events import delivery
from apps.events.deliveries.tasks import deliver, deliver_many
from apps.events.models import OutboxEvent


@pytest.fixture
def outbox(db: None) -> None:
    """An empty outbox for the test (the session's tenants published events); rolled back after."""
    OutboxEvent.objects.all().delete()


@pytest.fixture
def enqueued(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The envelopes handed to ``deliveries_enqueue``, in order."""
    calls: list[dict[str, Any]] = []

    def enqueue(envelope: dict[str, Any], **options: object) -> int:
        calls.append(envelope)
        return 1

    monkeypatch.setattr(delivery, "deliveries_enqueue", enqueue)
    return calls


@pytest.fixture
def queued(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Delivery tasks sent (not run): their arguments, countdown and the schema they were sent from."""
    sent: list[dict[str, Any]] = []

    def apply_async(args: tuple[Any, ...], countdown: float | None = None, **options: Any) -> None:
        sent.append({"args": args, "countdown": countdown, "schema": connection.schema_name})

    # deliver_many's arguments hold a list of envelopes where deliver's hold one.
    monkeypatch.setattr(deliver, "apply_async", apply_async)
    monkeypatch.setattr(deliver_many, "apply_async", apply_async)
    return sent
