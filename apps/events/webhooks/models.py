"""A tenant's webhook endpoints and the log of every delivery attempt made to them."""

from __future__ import annotations

import secrets

from django.contrib.postgres.fields import ArrayField
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.events.registry import PATTERN
from apps.events.webhooks.security import validate_public_url


def secret_generate() -> str:
    """A new signing secret: 32 random bytes, URL-safe text."""
    return secrets.token_urlsafe(32)


class WebhookEndpoint(models.Model):
    """A URL that receives the tenant's events matching its patterns, signed with its secret."""

    url = models.URLField(_("url"), max_length=2000, validators=[validate_public_url])
    patterns = ArrayField(
        models.CharField(
            max_length=200,
            validators=[RegexValidator(PATTERN, "Enter a pattern {module}.{entity}.{action}, each part a name or *.")],
        ),
        verbose_name=_("patterns"),
        help_text=_("Event types to send, such as ims.stock.* or *.*.created."),
    )
    secret = models.CharField(_("secret"), max_length=128, default=secret_generate)
    active = models.BooleanField(_("active"), default=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        constraints = [
            models.CheckConstraint(condition=models.Q(patterns__len__gt=0), name="webhooks_endpoint_has_patterns"),
        ]

    def __str__(self) -> str:
        return self.url


class WebhookAttempt(models.Model):
    """One POST of one event to one endpoint: what was sent when, and what came back."""

    class Status(models.TextChoices):
        DELIVERED = "delivered", _("Delivered")
        RETRYING = "retrying", _("Failed, will retry")
        DEAD = "dead", _("Failed, no retries left")
        FAILED = "failed", _("Refused: the address is not allowed")

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="attempts", verbose_name=_("endpoint")
    )
    event_id = models.UUIDField(_("event id"))
    event_type = models.CharField(_("event type"), max_length=200)
    attempt = models.PositiveSmallIntegerField(_("attempt"))
    requested_at = models.DateTimeField(_("requested at"))
    response_status = models.PositiveSmallIntegerField(_("response status"), null=True, blank=True)
    latency_ms = models.PositiveIntegerField(_("latency ms"))
    response_excerpt = models.TextField(
        _("response excerpt"), blank=True, help_text=_("The first 1 KB of the response body.")
    )
    error = models.TextField(_("error"), blank=True)
    next_retry_at = models.DateTimeField(_("next retry at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event_id", "attempt"], name="webhooks_attempt_once"),
        ]
        indexes = [models.Index(fields=["event_id"])]

    def __str__(self) -> str:
        return f"{self.event_type} #{self.attempt} to {self.endpoint_id}: {self.status}"
