"""Choices of the tenants app."""

from django.db import models

from monopod.settings.env import REGIONS


class TenantStatus(models.TextChoices):
    PROVISIONING = "provisioning", "Provisioning"
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended"
    DELETED = "deleted", "Deleted"


class Plan(models.TextChoices):
    FREE = "free", "Free"
    TEAM = "team", "Team"
    BUSINESS = "business", "Business"
    ENTERPRISE = "enterprise", "Enterprise"


REGION_CHOICES = [(region, region) for region in REGIONS]
