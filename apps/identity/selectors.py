"""Reads on identity."""

from __future__ import annotations

from django.contrib.auth.models import Group


def user_role_names(*, user_id: int) -> list[str]:
    """The names of the user's roles (groups), sorted."""
    return list(Group.objects.filter(user__id=user_id).order_by("name").values_list("name", flat=True))
