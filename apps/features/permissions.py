"""API permissions of features: a flag that must be on, and Admin-only writes."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from apps.audit.permissions import is_tenant_admin


class FeatureEnabled(BasePermission):
    """The view's ``required_feature`` flag must be on for the request's tenant (else 403).

    ``FeatureEnabled.of("name")`` makes a class for one flag, for views that list permission classes.
    """

    message = _("This feature is not enabled for your organisation.")
    feature: str | None = None

    @classmethod
    def of(cls, name: str) -> type[FeatureEnabled]:
        return type(f"FeatureEnabled[{name}]", (cls,), {"feature": name})

    def has_permission(self, request: Request, view: Any) -> bool:
        name = self.feature or getattr(view, "required_feature", None)
        features = getattr(request._request, "features", None)
        return bool(name and features is not None and features.is_active(name))


class AdminWrites(BasePermission):
    """Anyone signed in reads; only the tenant's Admins write."""

    message = _("Only the organisation's Admins may change this.")

    def has_permission(self, request: Request, view: Any) -> bool:
        return request.method in SAFE_METHODS or is_tenant_admin(request.user)
