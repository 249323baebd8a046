"""The audit trail: one hash-chained, append-only list of entries per tenant schema."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ActorType(models.TextChoices):
    USER = "user", _("User")
    API_KEY = "api_key", _("API key")
    SYSTEM = "system", _("System")
    ANONYMOUS = "anonymous", _("Anonymous")


class AuditEntry(models.Model):
    """One recorded change or authentication event; its hash covers its content and the previous hash.

    Rows are never updated or deleted: a trigger refuses both (migration 0002).
    """

    seq = models.BigIntegerField(_("seq"), primary_key=True, help_text=_("Position in the tenant's chain, from 1."))
    occurred_at = models.DateTimeField(_("occurred at"), db_index=True)
    actor_type = models.CharField(_("actor type"), max_length=16, choices=ActorType.choices)
    actor_id = models.CharField(_("actor id"), max_length=64, blank=True)
    actor_label = models.CharField(_("actor label"), max_length=255, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True, help_text=_("app_label.model"))
    object_id = models.CharField(_("object id"), max_length=255, blank=True)
    changes = models.JSONField(
        _("changes"), default=dict, blank=True, help_text=_("{field: [before, after]}, secrets masked.")
    )
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    trace_id = models.CharField(_("trace id"), max_length=32, blank=True)
    ip = models.CharField(_("ip"), max_length=45, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=512, blank=True)
    previous_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64)

    class Meta:
        ordering = ["-seq"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
            models.Index(fields=["actor_type", "actor_id"], name="audit_actor_idx"),
        ]

    def __str__(self) -> str:
        target = f" {self.object_type}:{self.object_id}" if self.object_type else ""
        return f"#{self.seq} {self.action}{target}"

    def change_lines(self) -> list[tuple[str, str]]:
        """``(field, "before → after")`` for people; relation changes as ``added: [..]``/``removed: [..]``."""
        lines = []
        for field, change in sorted(self.changes.items()):
            if isinstance(change, list) and len(change) == 2:
                before, after = (_shown(value) for value in change)
                lines.append((field, f"{before} → {after}"))
            elif isinstance(change, dict):
                lines.append((field, "; ".join(f"{what}: {_shown(value)}" for what, value in sorted(change.items()))))
            else:
                lines.append((field, _shown(change)))
        return lines


def _shown(value: object) -> str:
    return "—" if value is None or value == "" else str(value)
