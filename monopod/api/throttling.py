"""Request rates per principal (a user, or an API key), set per plan and region of the tenant.

``API_THROTTLE_RATES`` maps ``"plan:<plan>:region:<region>"``, ``"plan:<plan>"``, ``"region:<region>"``
and ``"default"`` to DRF rates ("100/min"); the most specific key present wins. Authentication
endpoints keep their own per-address scoped throttles (``DEFAULT_THROTTLE_RATES``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from monopod.api.principals import principal_key


def throttle_rate_for(tenant: Any) -> str:
    rates: dict[str, str] = settings.API_THROTTLE_RATES
    plan, region = getattr(tenant, "plan", None), getattr(tenant, "region", None)
    for key in (f"plan:{plan}:region:{region}", f"plan:{plan}", f"region:{region}"):
        if key in rates:
            return rates[key]
    return rates["default"]


class TenantPlanRateThrottle(SimpleRateThrottle):
    """Per user, or per API key for requests made with one; anonymous requests are not counted here.

    Counters live in the cache, whose keys carry the tenant's schema, so tenants never share one.
    """

    scope = "principal"

    def get_rate(self) -> str:
        return str(settings.API_THROTTLE_RATES["default"])

    def allow_request(self, request: Request, view: Any) -> bool:
        self.rate = throttle_rate_for(getattr(request, "tenant", None))
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        ident = principal_key(request)
        if ident is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": ident}
