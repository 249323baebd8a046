"""``manage.py check`` reads the region bundles again and reports a broken one."""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from apps.features import regions


def region_bundles_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Every bundle file as it is on disk now, validated (the running process parsed them at start-up)."""
    try:
        regions.regions_load(regions.BUNDLES_DIR)
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), hint="Fix the bundle; see docs/regions.md.", id="features.E001")]
    return []


def register() -> None:
    checks.register(region_bundles_check, "features")
