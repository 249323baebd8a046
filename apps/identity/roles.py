"""The standard roles, as Django groups with permissions, present in every tenant schema."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db.models import QuerySet

ADMIN = "Admin"
MANAGER = "Manager"
VIEWER = "Viewer"
ROLES = (ADMIN, MANAGER, VIEWER)


def role_permissions(role: str) -> QuerySet[Permission]:
    """Admin may do everything, Manager everything but delete, Viewer only view."""
    permissions = Permission.objects.all()
    if role == MANAGER:
        return permissions.exclude(codename__startswith="delete_")
    if role == VIEWER:
        return permissions.filter(codename__startswith="view_")
    return permissions


def ensure_roles() -> QuerySet[Group]:
    """Create the role groups in the current schema and (re)grant their permissions; idempotent."""
    for role in ROLES:
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set(role_permissions(role))
    return Group.objects.filter(name__in=ROLES)
