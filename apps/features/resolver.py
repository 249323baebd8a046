"""Whether a flag is on for a tenant, and which source decided it."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django_tenants.utils import tenant_context

from apps.features.caching import overrides_get
from apps.features.flags import SOURCE_DEFAULT, SOURCE_PLAN, SOURCE_REGION, SOURCE_TENANT, Flag, flag_get, flags_all
from apps.features.regions import Region

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Resolution:
    """A flag's value for one tenant, and its source: tenant, plan, region or default."""

    name: str
    enabled: bool
    source: str


def flag_resolve(flag: Flag, *, overrides: dict[str, bool], plan: str | None, region: str) -> Resolution:
    """``flag`` for a tenant with these overrides, plan and region: the first source with a value decides."""
    if flag.name in overrides:
        return Resolution(flag.name, overrides[flag.name], SOURCE_TENANT)
    if plan is not None and plan in flag.plans:
        return Resolution(flag.name, flag.plans[plan], SOURCE_PLAN)
    if region in flag.regions:
        return Resolution(flag.name, flag.regions[region], SOURCE_REGION)
    return Resolution(flag.name, flag.default, SOURCE_DEFAULT)


class FeatureResolver:
    """A request's flags (``request.features``): overrides read once, on the first question, then kept."""

    def __init__(self, *, tenant: Any, region: Region) -> None:
        self.tenant = tenant
        self.region = region
        self._overrides: dict[str, bool] | None = None
        self._resolved: dict[str, Resolution] = {}

    @property
    def _tenant_overrides(self) -> dict[str, bool]:
        if self._overrides is None:
            # The public site has no schema of overrides.
            if self.tenant is None or self.tenant.schema_name == "public":
                self._overrides = {}
            elif getattr(connection, "schema_name", None) == self.tenant.schema_name:
                self._overrides = overrides_get()
            else:  # asked outside the tenant's own request (a task, another tenant's code)
                with tenant_context(self.tenant):
                    self._overrides = overrides_get()
        return self._overrides

    def resolve(self, name: str) -> Resolution | None:
        """The flag's resolution, or None when no flag has that name."""
        if name in self._resolved:
            return self._resolved[name]
        flag = flag_get(name)
        if flag is None:
            return None
        plan = getattr(self.tenant, "plan", None)
        resolution = flag_resolve(flag, overrides=self._tenant_overrides, plan=plan, region=self.region.name)
        self._resolved[name] = resolution
        return resolution

    def is_active(self, name: str) -> bool:
        """Whether flag ``name`` is on. A name no flag has is off (its app may not be installed here)."""
        resolution = self.resolve(name)
        if resolution is None:
            logger.warning("unknown feature flag %r asked for; it is off", name)
            return False
        return resolution.enabled

    def all(self) -> list[Resolution]:
        """Every declared flag's resolution, in declaration order."""
        return [resolution for name in flags_all() if (resolution := self.resolve(name)) is not None]
