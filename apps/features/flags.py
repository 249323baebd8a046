"""Feature flags, declared in code: name, description, default, and values per plan and per region.

A flag resolves for a tenant in this order (the first that has a value decides, and is its source):
the tenant's own override (``FeatureOverride`` in its schema), its plan, its region, the flag's default.
Region values of the compliance flags come from the region bundles.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from apps.features.regions import COMPLIANCE_FEATURES, REGIONS, region_bundles

# Where a flag's value came from, as the API reports it.
SOURCE_TENANT = "tenant"
SOURCE_PLAN = "plan"
SOURCE_REGION = "region"
SOURCE_DEFAULT = "default"


@dataclass(frozen=True)
class Flag:
    """A feature that can be on or off per tenant; ``plans`` and ``regions`` map names to values."""

    name: str
    description: str | Promise
    default: bool = False
    plans: Mapping[str, bool] = field(default_factory=dict)
    regions: Mapping[str, bool] = field(default_factory=dict)


class FlagDeclarationError(ValueError):
    """A flag declared twice, or with a value for a region or plan that does not exist."""


_registry: dict[str, Flag] = {}


def flag_register(flag: Flag) -> Flag:
    """Declare ``flag``; a second flag of the same name, or a value for an unknown region, is an error."""
    from apps.tenants.choices import Plan

    if flag.name in _registry:
        raise FlagDeclarationError(f"Feature flag {flag.name!r} is declared twice.")
    for region in flag.regions:
        if region not in REGIONS:
            raise FlagDeclarationError(f"Feature flag {flag.name!r}: {region!r} is not a region.")
    for plan in flag.plans:
        if plan not in Plan.values:
            raise FlagDeclarationError(f"Feature flag {flag.name!r}: {plan!r} is not a plan.")
    _registry[flag.name] = flag
    return flag


def flag_unregister(name: str) -> None:
    """Forget a flag (tests declare their own)."""
    _registry.pop(name, None)


def flags_all() -> Mapping[str, Flag]:
    """Every declared flag by name, in declaration order."""
    return MappingProxyType(_registry)


def flag_get(name: str) -> Flag | None:
    return _registry.get(name)


def _compliance_flag(name: str, description: str | Promise, *, plans: Mapping[str, bool] | None = None) -> Flag:
    bundles = region_bundles()
    regions = {region: bundles[region].compliance.has(name) for region in REGIONS}
    return Flag(name=name, description=description, default=False, plans=dict(plans or {}), regions=regions)


def register_platform_flags() -> None:
    """MonoPod's own flags: the compliance features of the region bundles, and low-bandwidth pages."""
    descriptions = {
        "gdpr-consent": _("Ask signed-in members to accept the privacy notice (GDPR consent)."),
        "data-export": _("Members may export their personal data."),
        "right-to-erasure": _("Members may have their personal data erased."),
        "audit-evidence": _("Audit trail exports carry verifiable evidence of integrity."),
        "enhanced-rbac": _("Finer-grained roles for regulated teams."),
    }
    # Larger plans buy the evidence and the finer roles wherever they are.
    plans = {
        "audit-evidence": {"business": True, "enterprise": True},
        "enhanced-rbac": {"enterprise": True},
    }
    for name in COMPLIANCE_FEATURES:
        if name not in _registry:
            flag_register(_compliance_flag(name, descriptions[name], plans=plans.get(name)))
    if "low-bandwidth" not in _registry:
        bundles = region_bundles()
        flag_register(
            Flag(
                name="low-bandwidth",
                description=_("Light pages: no web fonts, images or live updates."),
                regions={region: bundles[region].low_bandwidth for region in REGIONS},
            )
        )
