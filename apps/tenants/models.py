"""Tenants and their domains; these tables live in the public schema."""

from __future__ import annotations

from django.db import models
from django_tenants.models import DomainMixin, TenantMixin

from monopod.settings.env import REGIONS

REGION_CHOICES = [(region, region) for region in REGIONS]


class Tenant(TenantMixin):
    """A customer organisation; its data lives in the PostgreSQL schema named ``schema_name``."""

    name = models.CharField(max_length=200)
    region = models.CharField(max_length=16, choices=REGION_CHOICES, default="global")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    auto_create_schema = True
    auto_drop_schema = False

    class Meta:
        ordering = ["schema_name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.schema_name})"


class Domain(DomainMixin):
    """A host name that routes to a tenant (``acme.example.com``, ``acme.localhost``)."""

    class Meta:
        ordering = ["domain"]

    def __str__(self) -> str:
        return str(self.domain)
