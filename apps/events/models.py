"""The shared outbox, in the public schema: one table the relay drains for every tenant."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxEvent(models.Model):
    """An event written by ``publish()`` in the transaction of the change it reports.

    ``sent_at`` stays empty until the relay has handed the event to the broker (confirmed) and to
    each subscriber's delivery queue; the relay claims pending rows with ``FOR UPDATE SKIP LOCKED``.
    """

    event_id = models.UUIDField(_("event id"), unique=True)
    event_type = models.CharField(_("event type"), max_length=120, db_index=True)
    tenant_schema = models.CharField(_("tenant schema"), max_length=63)
    aggregate_type = models.CharField(_("aggregate type"), max_length=100, blank=True)
    aggregate_id = models.CharField(_("aggregate id"), max_length=255, blank=True)
    sequence = models.BigIntegerField(
        _("sequence"), null=True, help_text=_("Position among the aggregate's events, from 1.")
    )
    envelope = models.JSONField(_("envelope"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("outbox event")
        verbose_name_plural = _("outbox events")
        indexes = [
            # The relay's claim: pending rows in order; small, since sent rows leave it.
            models.Index(fields=["id"], condition=models.Q(sent_at__isnull=True), name="events_outbox_pending"),
            models.Index(fields=["tenant_schema", "created_at"], name="events_outbox_tenant_time"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id}"


class AggregateSequence(models.Model):
    """The last sequence number given to an aggregate's events; its row lock orders the aggregate's writers."""

    tenant_schema = models.CharField(_("tenant schema"), max_length=63)
    aggregate_type = models.CharField(_("aggregate type"), max_length=100)
    aggregate_id = models.CharField(_("aggregate id"), max_length=255)
    last = models.BigIntegerField(_("last"), default=0)

    class Meta:
        verbose_name = _("aggregate sequence")
        verbose_name_plural = _("aggregate sequences")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant_schema", "aggregate_type", "aggregate_id"], name="events_aggregate_sequence_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.tenant_schema} {self.aggregate_type}:{self.aggregate_id} #{self.last}"
