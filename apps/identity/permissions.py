"""API permissions shared by every app."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission, DjangoModelPermissions
from rest_framework.request import Request

from apps.identity.models import ApiKey


class ApiKeyScopes(BasePermission):
    """A request made with an API key needs every scope the view lists in ``required_scopes``.

    Views that list none are closed to API keys, so a key reaches only what it was scoped for.
    Sessions and JWTs are not limited by scopes: roles govern them.
    """

    message = _("This API key does not have the scopes this endpoint requires.")

    def has_permission(self, request: Request, view: Any) -> bool:
        if not isinstance(request.auth, ApiKey):
            return True
        required_scopes = getattr(view, "required_scopes", None)
        return required_scopes is not None and request.auth.has_scopes(required_scopes)


class ModelRolePermission(DjangoModelPermissions):
    """Roles decide what a user may do to the view's model: view to read, add/change/delete to write.

    Reading needs ``view_<model>`` too (DRF's own class lets anyone authenticated read), so a role
    without it sees nothing, and Viewer, which holds only view permissions, can never write.
    """

    perms_map = {
        **DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": ["%(app_label)s.view_%(model_name)s"],
    }
