"""A tenant's flag overrides and its members' consents, served from the cache.

Keys carry the tenant's schema (django-tenants' ``make_key``), so one tenant's entries are never
another's. Any write drops the entry at once, for the rest of the changing transaction, and again on
commit, because a request that read the old rows meanwhile may have cached them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from apps.features.models import Consent, FeatureOverride

OVERRIDES_KEY = "features:overrides"
# Long enough to matter, short enough that an entry a missed signal left behind does not live on.
TTL = 3600


def _consent_key(user_pk: Any) -> str:
    return f"features:consent:user:{user_pk}"


def overrides_get() -> dict[str, bool]:
    """The current tenant's overrides, ``{flag name: enabled}``."""
    overrides: dict[str, bool] | None = cache.get(OVERRIDES_KEY)
    if overrides is None:
        overrides = dict(FeatureOverride.objects.order_by().values_list("name", "enabled"))
        cache.set(OVERRIDES_KEY, overrides, timeout=TTL)
    return overrides


def consent_versions_get(user_pk: Any) -> frozenset[str]:
    """The versions of the privacy notice the user has accepted, in the current tenant."""
    key = _consent_key(user_pk)
    versions: list[str] | None = cache.get(key)
    if versions is None:
        versions = sorted(Consent.objects.filter(user_id=user_pk).order_by().values_list("version", flat=True))
        cache.set(key, versions, timeout=TTL)
    return frozenset(versions)


def _now_and_on_commit(action: Callable[[], object]) -> None:
    action()
    transaction.on_commit(action)


def _overrides_changed(**kwargs: Any) -> None:
    _now_and_on_commit(lambda: cache.delete(OVERRIDES_KEY))


def _consent_changed(sender: Any, instance: Consent, **kwargs: Any) -> None:
    key = _consent_key(instance.user_id)
    _now_and_on_commit(lambda: cache.delete(key))


def connect() -> None:
    """Connect the invalidation receivers (from ``FeaturesConfig.ready``)."""
    post_save.connect(_overrides_changed, sender=FeatureOverride, dispatch_uid="features.cache.override_saved")
    post_delete.connect(_overrides_changed, sender=FeatureOverride, dispatch_uid="features.cache.override_deleted")
    post_save.connect(_consent_changed, sender=Consent, dispatch_uid="features.cache.consent_saved")
    post_delete.connect(_consent_changed, sender=Consent, dispatch_uid="features.cache.consent_deleted")
