"""Choices of the tenants app."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from monopod.settings.env import REGIONS


class TenantStatus(models.TextChoices):
    PROVISIONING = "provisioning", _("Provisioning")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    DELETED = "deleted", _("Deleted")


class Plan(models.TextChoices):
    FREE = "free", _("Free")
    TEAM = "team", _("Team")
    BUSINESS = "business", _("Business")
    ENTERPRISE = "enterprise", _("Enterprise")


REGION_CHOICES = [(region, region) for region in REGIONS]
