"""Defaults a tenant takes from its region at provisioning; the tenant may change them later."""

from __future__ import annotations

from typing import TypedDict


class RegionDefaults(TypedDict):
    language: str
    time_zone: str
    currency: str


REGION_DEFAULTS: dict[str, RegionDefaults] = {
    "global": {"language": "en", "time_zone": "UTC", "currency": "USD"},
    "eu": {"language": "en", "time_zone": "Europe/Brussels", "currency": "EUR"},
    "gulf": {"language": "ar", "time_zone": "Asia/Dubai", "currency": "AED"},
    "africa": {"language": "en", "time_zone": "Africa/Lagos", "currency": "NGN"},
    "usa": {"language": "en", "time_zone": "America/New_York", "currency": "USD"},
}
