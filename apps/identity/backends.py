"""The authentication backend: allauth's sign-in, with each user's permissions served from the cache.

One backend only: with a second, every permission a user lacks would be computed twice.
"""

from __future__ import annotations

from typing import Any

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend

from apps.identity.caching import permissions_get


class AuthenticationBackend(AllauthBackend):
    """Sign-in by e-mail and password (allauth's), and ``has_perm`` from the cache (apps.identity.caching)."""

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            user_obj._perm_cache = permissions_get(
                user_obj, lambda: {*self.get_user_permissions(user_obj), *self.get_group_permissions(user_obj)}
            )
        permissions: set[str] = user_obj._perm_cache
        return permissions
