"""Who may read the trail: the tenant's Admins (and superusers), nobody else."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from apps.identity.models import User
from apps.identity.roles import ADMIN


def is_tenant_admin(user: User | AnonymousUser) -> bool:
    return bool(user.is_active and (user.is_superuser or user.groups.filter(name=ADMIN).exists()))


class IsTenantAdmin(BasePermission):
    message = _("Only the tenant's Admins may read the audit trail.")

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(request.user and request.user.is_authenticated and is_tenant_admin(request.user))
