"""A tenant's own flag values and its members' privacy consents; both live in the tenant's schema."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


def validate_flag_name(value: str) -> None:
    from apps.features.flags import flag_get

    if flag_get(value) is None:
        raise ValidationError(_("%(name)s is not a feature flag."), params={"name": value}, code="unknown_flag")


class FeatureOverride(models.Model):
    """The tenant's own value for one flag; it beats the plan's, the region's and the default."""

    name = models.CharField(_("flag"), max_length=64, unique=True, validators=[validate_flag_name])
    enabled = models.BooleanField(_("enabled"))
    note = models.CharField(_("note"), max_length=200, blank=True, help_text=_("Why the tenant differs."))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("feature override")
        verbose_name_plural = _("feature overrides")

    def __str__(self) -> str:
        return f"{self.name}: {'on' if self.enabled else 'off'}"


class Consent(models.Model):
    """A member's acceptance of one version of the privacy notice (GDPR consent)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consents", verbose_name=_("user")
    )
    version = models.CharField(_("version"), max_length=32)
    accepted_at = models.DateTimeField(_("accepted at"), auto_now_add=True)

    class Meta:
        ordering = ["-accepted_at"]
        verbose_name = _("privacy consent")
        verbose_name_plural = _("privacy consents")
        constraints = [models.UniqueConstraint(fields=["user", "version"], name="features_consent_once_per_version")]

    def __str__(self) -> str:
        return f"{self.user_id} accepted {self.version}"
