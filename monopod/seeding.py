"""The one seeding hook: each app's ``seed.py`` registers functions that add its demo data.

``make run`` runs every registered seeder inside the demo tenant's schema, once, when the demo tenant
is first made (``manage.py bootstrap --reseed`` runs them again). Seeders must be idempotent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.module_loading import autodiscover_modules
from django_tenants.utils import tenant_context

Seeder = Callable[..., None]
_seeders: dict[str, Seeder] = {}


def demo_seeder(func: Seeder) -> Seeder:
    """Register ``func(*, tenant)`` to add demo data; the schema is already the tenant's."""
    _seeders[f"{func.__module__}.{func.__qualname__}"] = func
    return func


def registered_seeders() -> list[str]:
    autodiscover_modules("seed")
    return sorted(_seeders)


def run_demo_seeders(*, tenant: Any) -> list[str]:
    """Run every registered seeder for ``tenant``; returns their names in the order run."""
    names = registered_seeders()
    with tenant_context(tenant):
        for name in names:
            _seeders[name](tenant=tenant)
    return names
