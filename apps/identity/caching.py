"""Who a request's user is and what they may do, served from the cache on the hot path of every request.

Each API request would otherwise look its user up (one query) and compute the user's permissions (two
queries). Both are cached in the tenant's cache namespace (cache keys carry the schema) and fetched
together in one round trip:

* the user's row, without the password hash (a cached user is built with its password deferred, so
  it can never be saved over the real one), dropped when the user is saved or deleted;
* the user's permission set, stamped with a generation that any change to roles moves on: a user's
  role memberships or own permissions (that user's entry), a role's permissions, a role or a
  permission deleted (every entry of the schema).

Invalidation happens at once, for the rest of the changing transaction, and again on commit, because a
request that read the old rows meanwhile may have cached them. Every process shares the cache, so a
change is seen everywhere on the next request.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from apps.identity.models import User
from monopod.cache import get_many_and_count

GENERATION_KEY = "identity:perms:generation"
# Long enough to matter, short enough that an entry a missed signal left behind does not live on.
TTL = 3600
# Every column but the password hash.
_USER_FIELDS = tuple(field.attname for field in User._meta.concrete_fields if field.attname != "password")


def _user_key(pk: Any) -> str:
    return f"identity:user:{pk}"


def _permissions_key(pk: Any) -> str:
    return f"identity:perms:user:{pk}"


def user_get(pk: Any) -> User | None:
    """The user ``pk`` (password deferred) with its permissions attached when cached; None if none."""
    return _user_from(pk, cache.get_many([_user_key(pk), _permissions_key(pk), GENERATION_KEY]))


def user_get_counting(pk: Any, counter: str, *, timeout: int) -> tuple[User | None, int]:
    """:func:`user_get`, counting one hit on ``counter`` in the same round trip (a request's throttle)."""
    found, count = get_many_and_count([_user_key(pk), _permissions_key(pk), GENERATION_KEY], counter, timeout=timeout)
    return _user_from(pk, found), count


def _user_from(pk: Any, found: dict[str, Any]) -> User | None:
    values = found.get(_user_key(pk))
    if values is None:
        row = User.objects.filter(pk=pk).values_list(*_USER_FIELDS).first()
        if row is None:
            return None
        values = list(row)
        cache.set(_user_key(pk), values, timeout=TTL)
    user = User.from_db(None, _USER_FIELDS, values)
    permissions = found.get(_permissions_key(pk))
    generation = found.get(GENERATION_KEY)
    if permissions is not None and generation is not None and permissions[0] == generation:
        user._perm_cache = set(permissions[1])  # type: ignore[attr-defined]
    return user


def permissions_get(user: Any, compute: Callable[[], set[str]]) -> set[str]:
    """``user``'s permission set from the cache, else ``compute()``d and cached."""
    key = _permissions_key(user.pk)
    found = cache.get_many([GENERATION_KEY, key])
    generation = found.get(GENERATION_KEY)
    if generation is None:
        generation = secrets.token_hex(8)
        if not cache.add(GENERATION_KEY, generation, timeout=None):
            generation = cache.get(GENERATION_KEY, generation)
    cached = found.get(key)
    if cached is not None and cached[0] == generation:
        return set(cached[1])
    # Stamped with the generation read before computing: if roles change meanwhile, the entry is stale
    # at birth and the next request computes again.
    permissions = compute()
    cache.set(key, (generation, sorted(permissions)), timeout=TTL)
    return permissions


def _now_and_on_commit(action: Callable[[], object]) -> None:
    action()
    transaction.on_commit(action)


def permissions_changed() -> None:
    """Invalidate every cached permission set of the current schema."""
    _now_and_on_commit(lambda: cache.set(GENERATION_KEY, secrets.token_hex(8), timeout=None))


def _user_changed(sender: Any, instance: User, **kwargs: Any) -> None:
    keys = [_user_key(instance.pk), _permissions_key(instance.pk)]
    _now_and_on_commit(lambda: cache.delete_many(keys))


def _memberships_changed(sender: Any, instance: Any, action: str, reverse: bool, **kwargs: Any) -> None:
    if not action.startswith("post_"):
        return
    if isinstance(instance, User) and not reverse:
        key = _permissions_key(instance.pk)
        _now_and_on_commit(lambda: cache.delete(key))
    else:  # from the role's or the permission's side
        permissions_changed()


def _roles_changed(sender: Any, action: str = "post_", **kwargs: Any) -> None:
    if action.startswith("post_"):
        permissions_changed()


def connect() -> None:
    """Connect the invalidation receivers (from ``IdentityConfig.ready``)."""
    post_save.connect(_user_changed, sender=User, dispatch_uid="identity.cache.user_saved")
    post_delete.connect(_user_changed, sender=User, dispatch_uid="identity.cache.user_deleted")
    m2m_changed.connect(_memberships_changed, sender=User.groups.through, dispatch_uid="identity.cache.groups")
    m2m_changed.connect(
        _memberships_changed, sender=User.user_permissions.through, dispatch_uid="identity.cache.user_permissions"
    )
    m2m_changed.connect(_roles_changed, sender=Group.permissions.through, dispatch_uid="identity.cache.role_perms")
    post_delete.connect(_roles_changed, sender=Group, dispatch_uid="identity.cache.role_deleted")
    post_delete.connect(_roles_changed, sender=Permission, dispatch_uid="identity.cache.permission_deleted")
