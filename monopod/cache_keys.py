"""Cache keys: every key carries a schema, a tenant's or the platform's (public).

The ``default`` cache writes the current tenant's schema into its keys (django-tenants' ``make_key``),
so one tenant never reads another's entries. The ``platform`` cache (``PLATFORM``) is the same store
with keys that always carry the public schema: the platform's own keys (the relay's wake-up flag, the
outbox gauges) are reached from inside a tenant without switching the connection to public, which
would cost that tenant's next transaction a ``SET search_path``.

Settings build their ``CACHES`` with ``caches_setting`` so both aliases exist and share one store.
"""

from __future__ import annotations

from typing import Any

PLATFORM = "platform"
TENANT_KEYS = {
    "KEY_FUNCTION": "django_tenants.cache.make_key",
    "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
}


def platform_key(key: str, key_prefix: str, version: int | str) -> str:
    """The key ``make_key`` writes in the public schema, whatever the connection's schema is now."""
    from django_tenants.utils import get_public_schema_name  # settings import this module

    return f"{get_public_schema_name()}:{key_prefix}:{version}:{key}"


def caches_setting(default: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """``CACHES`` for one store: ``default`` with tenant keys, and ``platform`` with the public schema's."""
    return {
        "default": {**default, **TENANT_KEYS},
        PLATFORM: {**default, **TENANT_KEYS, "KEY_FUNCTION": "monopod.cache_keys.platform_key"},
    }
