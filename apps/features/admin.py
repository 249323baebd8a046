"""The tenant console: flag overrides (Admins only) and the privacy consents (to look at only)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from apps.audit.permissions import is_tenant_admin
from apps.features.flags import flags_all
from apps.features.models import Consent, FeatureOverride
from monopod.admin_site import ReadOnlyAdminMixin


def _flag_choices() -> list[tuple[str, str]]:
    return [(name, f"{name}: {flag.description}") for name, flag in flags_all().items()]


class FeatureOverrideForm(forms.ModelForm):  # type: ignore[type-arg]
    name = forms.ChoiceField(choices=_flag_choices)

    class Meta:
        model = FeatureOverride
        fields = ["name", "enabled", "note"]


@admin.register(FeatureOverride)
class FeatureOverrideAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Only the tenant's Admins see and change its flags, whatever permissions a role holds."""

    form = FeatureOverrideForm
    list_display = ["name", "enabled", "note", "updated_at"]
    list_filter = ["enabled"]
    search_fields = ["name", "note"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_tenant_admin(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_tenant_admin(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_tenant_admin(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_tenant_admin(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_tenant_admin(request.user)


@admin.register(Consent)
class ConsentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["user", "version", "accepted_at"]
    list_filter = ["version"]
    search_fields = ["user__email"]
    list_select_related = ["user"]
