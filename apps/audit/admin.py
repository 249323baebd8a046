"""A read-only view of the trail in each tenant's admin; an object's history is a filtered list."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from apps.audit.models import AuditEntry
from apps.audit.permissions import is_tenant_admin
from monopod.admin_site import ReadOnlyAdminMixin


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    """``?object_type=identity.user&object_id=7`` lists one object's history."""

    list_display = ["seq", "occurred_at", "action", "object_type", "object_id", "actor_type", "actor_label", "ip"]
    list_filter = ["action", "actor_type", "object_type", "occurred_at"]
    search_fields = ["object_id", "actor_label", "actor_id", "request_id"]
    date_hierarchy = "occurred_at"
    readonly_fields = [field.name for field in AuditEntry._meta.fields]
    show_full_result_count = False

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest) -> bool:
        return lookup in {"object_type", "object_id", "actor_id", "request_id"} or super().lookup_allowed(
            lookup, value, request
        )

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_tenant_admin(request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_tenant_admin(request.user)
