"""The shared outbox, in the public schema: one table the relay drains for every tenant."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class OutboxEvent(models.Model):
    """An event written by ``publish()`` in the transaction of the change it reports.

    ``sent_at`` stays empty until the relay has handed the event to the broker (confirmed) and to
    each subscriber's delivery queue; the relay claims pending rows with ``FOR UPDATE SKIP LOCKED``.
    """

    event_id = models.UUIDField(unique=True)
    event_type = models.CharField(max_length=120, db_index=True)
    tenant_schema = models.CharField(max_length=63)
    aggregate_type = models.CharField(max_length=100, blank=True)
    aggregate_id = models.CharField(max_length=255, blank=True)
    sequence = models.BigIntegerField(null=True, help_text="Position among the aggregate's events, from 1.")
    envelope = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        indexes = [
            # The relay's claim: pending rows in order; small, since sent rows leave it.
            models.Index(fields=["id"], condition=models.Q(sent_at__isnull=True), name="events_outbox_pending"),
            models.Index(fields=["tenant_schema", "created_at"], name="events_outbox_tenant_time"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id}"


class AggregateSequence(models.Model):
    """The last sequence number given to an aggregate's events; its row lock orders the aggregate's writers."""

    tenant_schema = models.CharField(max_length=63)
    aggregate_type = models.CharField(max_length=100)
    aggregate_id = models.CharField(max_length=255)
    last = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant_schema", "aggregate_type", "aggregate_id"], name="events_aggregate_sequence_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.tenant_schema} {self.aggregate_type}:{self.aggregate_id} #{self.last}"
