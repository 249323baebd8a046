"""What other apps may call outside a request (tasks, commands, services): a tenant's region and flags."""

from __future__ import annotations

from typing import Any

from apps.features.middleware import region_of
from apps.features.regions import Region
from apps.features.resolver import FeatureResolver


def tenant_region(tenant: Any) -> Region:
    """The tenant's region bundle (the platform's ``REGION`` for the public site)."""
    return region_of(tenant)


def tenant_features(tenant: Any) -> FeatureResolver:
    """The tenant's flags, as ``request.features`` answers them; reads the tenant's own overrides."""
    return FeatureResolver(tenant=tenant, region=region_of(tenant))
