"""Defaults a tenant takes from its region at provisioning; the tenant may change them later."""

from __future__ import annotations

from typing import TypedDict

from apps.features.regions import region_bundles


class RegionDefaults(TypedDict):
    language: str
    time_zone: str
    currency: str


# From the region bundles (apps/features/bundles), the one place regions are described.
REGION_DEFAULTS: dict[str, RegionDefaults] = {
    name: {"language": bundle.default_language, "time_zone": bundle.time_zone, "currency": bundle.currency}
    for name, bundle in region_bundles().items()
}
