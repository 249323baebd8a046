"""Request rates per principal (a user, or an API key), set per plan and region of the tenant.

``API_THROTTLE_RATES`` maps ``"plan:<plan>:region:<region>"``, ``"plan:<plan>"``, ``"region:<region>"``
and ``"default"`` to DRF rates ("100/min"); the most specific key present wins. Authentication
endpoints keep their own per-address scoped throttles (``DEFAULT_THROTTLE_RATES``).

Each principal has a counter per fixed window of the rate's period (a minute for "100/min"): one
increment per request, a single round trip on Redis, whatever the rate. (DRF's own throttle keeps a
timestamp per request in the window and rewrites the whole list on every request, which costs more the
higher the rate.) A client can make up to twice its rate across the turn of a window, the usual
trade-off of fixed windows; ``Retry-After`` says when the next window opens.
"""

from __future__ import annotations

import math
import time
from typing import Any

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from monopod.api.principals import principal_key
from monopod.cache import counter_hit

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
# Set on the HttpRequest by an authentication that counted the request along with its own reads.
COUNTED_ATTRIBUTE = "_monopod_throttle_counted"


def throttle_rate_for(tenant: Any) -> str:
    rates: dict[str, str] = settings.API_THROTTLE_RATES
    plan, region = getattr(tenant, "plan", None), getattr(tenant, "region", None)
    for key in (f"plan:{plan}:region:{region}", f"plan:{plan}", f"region:{region}"):
        if key in rates:
            return rates[key]
    return rates["default"]


def parse_rate(rate: str) -> tuple[int, int]:
    """``"100/min"`` as (100 requests, 60 seconds)."""
    count, period = rate.split("/")
    return int(count), PERIODS[period[0]]


def principal_window(request: Any, ident: str) -> tuple[str, int, int, float]:
    """The counter of ``ident``'s current window: its key, the window's seconds, the requests allowed in
    it, and the seconds until the next one opens."""
    allowed, duration = parse_rate(throttle_rate_for(getattr(request, "tenant", None)))
    now = TenantPlanRateThrottle.timer()
    window = math.floor(now / duration)
    return f"throttle:principal:{ident}:{duration}:{window}", duration, allowed, (window + 1) * duration - now


def counted_in_advance(request: Any, counter: str, count: int) -> None:
    """Record that authentication already counted this request on ``counter`` (in its own round trip)."""
    setattr(request, COUNTED_ATTRIBUTE, (counter, count))


class TenantPlanRateThrottle(BaseThrottle):
    """Per user, or per API key for requests made with one; anonymous requests are not counted here.

    Counters live in the cache, whose keys carry the tenant's schema, so tenants never share one.
    """

    timer = staticmethod(time.time)

    def allow_request(self, request: Request, view: Any) -> bool:
        ident = principal_key(request)
        if ident is None:
            return True
        counter, duration, allowed, self.retry_after = principal_window(request, ident)
        counted = getattr(request._request, COUNTED_ATTRIBUTE, None)
        count: int
        if counted is not None and counted[0] == counter:
            count = counted[1]
        else:
            count = counter_hit(counter, timeout=duration + 1)
        return count <= allowed

    def wait(self) -> float | None:
        return getattr(self, "retry_after", None)
