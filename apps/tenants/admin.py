"""The platform operators' console (public site): tenants, their domains, the warm pool."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django_tenants.admin import TenantAdminMixin

from apps.tenants.models import Domain, PooledSchema, Tenant
from apps.tenants.provisioning import ProvisioningError, tenant_provision_resume
from apps.tenants.services import TenantStateError, tenant_resume, tenant_suspend


class DomainInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Domain
    extra = 0


def _each(request: HttpRequest, queryset: QuerySet[Tenant], change: Callable[[Tenant], object], done: str) -> None:
    changed = 0
    for tenant in queryset.exclude(schema_name="public"):
        try:
            change(tenant)
        except (TenantStateError, ProvisioningError) as exc:
            messages.warning(request, str(exc))
        else:
            changed += 1
    messages.success(request, f"{changed} tenant(s) {done}.")


@admin.register(Tenant)
class TenantAdmin(TenantAdminMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["slug", "name", "status", "region", "plan", "owner_email", "created_at"]
    list_filter = ["status", "region", "plan"]
    search_fields = ["slug", "name", "owner_email"]
    readonly_fields = ["slug", "schema_name", "status", "owner_email", "created_at", "updated_at"]
    inlines = [DomainInline]
    actions = ["suspend", "resume", "finish_provisioning"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Tenants are made by the provisioning service (signup, create_tenant), never by a bare row.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Tenant | None = None) -> bool:
        # Deletion drops a schema and files: `manage.py delete_tenant`, which asks for confirmation.
        return False

    @admin.action(description="Suspend selected tenants")
    def suspend(self, request: HttpRequest, queryset: QuerySet[Tenant]) -> None:
        _each(request, queryset, lambda tenant: tenant_suspend(tenant=tenant), "suspended")

    @admin.action(description="Resume selected tenants")
    def resume(self, request: HttpRequest, queryset: QuerySet[Tenant]) -> None:
        _each(request, queryset, lambda tenant: tenant_resume(tenant=tenant), "resumed")

    @admin.action(description="Finish provisioning of selected tenants")
    def finish_provisioning(self, request: HttpRequest, queryset: QuerySet[Tenant]) -> None:
        _each(request, queryset, lambda tenant: tenant_provision_resume(tenant=tenant), "provisioned")


@admin.register(PooledSchema)
class PooledSchemaAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["schema_name", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: PooledSchema | None = None) -> bool:
        return False
