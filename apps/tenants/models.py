"""Tenants, their domains and the warm pool of ready schemas; these tables live in the public schema."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin

from apps.tenants.choices import REGION_CHOICES, Plan, TenantStatus


class Tenant(TenantMixin):
    """A customer organisation; its data lives in the PostgreSQL schema named ``schema_name``.

    Schemas are made by the provisioning service (``apps.tenants.provisioning``), never on save.
    """

    slug = models.SlugField(_("slug"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    region = models.CharField(_("region"), max_length=16, choices=REGION_CHOICES, default="global")
    plan = models.CharField(_("plan"), max_length=16, choices=Plan.choices, default=Plan.FREE)
    status = models.CharField(
        _("status"), max_length=16, choices=TenantStatus.choices, default=TenantStatus.PROVISIONING
    )
    language = models.CharField(_("language"), max_length=8, default="en")
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    owner_email = models.EmailField(_("owner email"), blank=True, help_text=_("The founder who asked for the tenant."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    auto_create_schema = False
    auto_drop_schema = False

    class Meta:
        ordering = ["slug"]
        verbose_name = _("tenant")
        verbose_name_plural = _("tenants")

    def __str__(self) -> str:
        return f"{self.name} ({self.slug})"

    def is_active(self) -> bool:
        return self.status == TenantStatus.ACTIVE

    def is_suspended(self) -> bool:
        return self.status == TenantStatus.SUSPENDED

    def is_serving(self) -> bool:
        """Whether its web, API and jobs answer: only once provisioned, and not suspended or deleted."""
        return self.status == TenantStatus.ACTIVE or self.schema_name == "public"


class Domain(DomainMixin):
    """A host name that routes to a tenant (``acme.example.com``, ``acme.localhost``)."""

    class Meta:
        ordering = ["domain"]
        verbose_name = _("domain")
        verbose_name_plural = _("domains")

    def __str__(self) -> str:
        return str(self.domain)


class PooledSchema(models.Model):
    """A migrated, empty tenant schema waiting to be renamed into a new tenant's (the warm pool)."""

    schema_name = models.CharField(_("schema name"), max_length=63, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("pooled schema")
        verbose_name_plural = _("pooled schemas")

    def __str__(self) -> str:
        return self.schema_name
