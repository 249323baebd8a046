"""The inbox of each tenant: one row per (subscriber, event), which makes a subscriber take effect once."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Delivery(models.Model):
    """An event handed to one subscriber in this tenant.

    The row is taken (inserted, or locked) in the transaction that runs the subscriber and is marked
    ``done`` in it, so the subscriber's writes and ``done`` commit together; a second delivery of the
    same event finds it done and does nothing. A failing delivery is retried with backoff and ends as
    ``dead`` after the subscriber's ``max_attempts``; a dead one is replayed by hand.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DONE = "done", _("Done")
        DEAD = "dead", _("Dead")

    subscriber = models.CharField(_("subscriber"), max_length=200)
    event_id = models.UUIDField(_("event id"))
    event_type = models.CharField(_("event type"), max_length=120)
    envelope = models.JSONField(_("envelope"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(
        _("attempts"), default=0, help_text=_("Runs of the subscriber so far, failed or not.")
    )
    last_error = models.TextField(
        _("last error"), blank=True, help_text=_("The last failure: exception class and message.")
    )
    next_attempt_at = models.DateTimeField(
        _("next attempt at"), null=True, blank=True, help_text=_("When the queued retry is due.")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["subscriber", "event_id"], name="event_deliveries_subscriber_event"),
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "done", "dead"]), name="event_deliveries_status_known"
            ),
        ]
        indexes = [
            # What operators look at: dead and waiting deliveries; done ones stay out of it.
            models.Index(
                fields=["status", "next_attempt_at"],
                condition=~models.Q(status="done"),
                name="event_deliveries_open",
            ),
            models.Index(fields=["event_type", "created_at"], name="event_deliveries_type_time"),
        ]
        # Not add_/change_: only Admins hold it (apps.identity.roles grants Managers those prefixes).
        permissions = [("replay_delivery", "Can replay a delivery")]

    def __str__(self) -> str:
        return f"{self.subscriber} {self.event_type} {self.event_id} ({self.status})"

    def can_replay(self) -> bool:
        """Dead ones, and pending ones whose retry never came; a done delivery never runs again."""
        return self.status != self.Status.DONE
