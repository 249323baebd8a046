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
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from monopod.api.principals import principal_key

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


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


def window_hit(key: str, duration: int) -> int:
    """Count one request in the cache counter ``key``, which lives for one window; returns the count."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):  # INCR and EXPIRE NX in one round trip
        full_key = backend.make_and_validate_key(key)
        client = backend._cache.get_client(full_key, write=True)
        pipeline = client.pipeline(transaction=False)
        pipeline.incr(full_key)
        pipeline.expire(full_key, duration + 1, nx=True)
        count, _expiry_set = pipeline.execute()
        return int(count)
    if backend.add(key, 1, timeout=duration + 1):
        return 1
    try:
        return int(backend.incr(key))
    except ValueError:  # expired between the two calls: this request opens the window again
        backend.add(key, 1, timeout=duration + 1)
        return 1


class TenantPlanRateThrottle(BaseThrottle):
    """Per user, or per API key for requests made with one; anonymous requests are not counted here.

    Counters live in the cache, whose keys carry the tenant's schema, so tenants never share one.
    """

    timer = staticmethod(time.time)

    def allow_request(self, request: Request, view: Any) -> bool:
        ident = principal_key(request)
        if ident is None:
            return True
        allowed, duration = parse_rate(throttle_rate_for(getattr(request, "tenant", None)))
        now = self.timer()
        window = math.floor(now / duration)
        self.retry_after = (window + 1) * duration - now
        return window_hit(f"throttle:principal:{ident}:{duration}:{window}", duration) <= allowed

    def wait(self) -> float | None:
        return getattr(self, "retry_after", None)
