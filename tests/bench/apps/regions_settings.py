"""Settings of the regions benchmark's servers and worker: the dashboard and a form page with and
without the region logic.

``monopod.settings.development`` with ``DEBUG`` off, as ``api_settings``: the whole middleware stack,
the cache in Redis at ``BENCH_REDIS_URL`` when the benchmark found one (else per process), a fixed
secret key shared by the worker that signs the member in and the servers that read the session, Celery
on an in-memory broker. ``BENCH_REGIONS=off`` takes the region logic out: the region middleware
(``request.region``, ``request.features``, time zone and language) and the region context processor
(``region``, ``low_bandwidth``, ``consent``), so the pages render without it.
"""

import copy
import os

from monopod.cache_keys import caches_setting
from monopod.settings.development import *  # noqa: F403

DEBUG = False
SECRET_KEY = "bench-only-not-a-secret-regions-0123456789-abcdefghijklmnopqrstuvwxyz"

_redis_url = os.environ.get("BENCH_REDIS_URL", "")
if _redis_url:
    CACHES = caches_setting({"BACKEND": "monopod.cache.RedisCache", "LOCATION": _redis_url})
else:
    CACHES = caches_setting({"BACKEND": "django.core.cache.backends.locmem.LocMemCache"})

CELERY_BROKER_URL = "memory://localhost/"
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {}
TENANT_POOL_SIZE = 0
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

if os.environ.get("BENCH_REGIONS", "on") == "off":
    MIDDLEWARE = [name for name in MIDDLEWARE if name != "apps.features.middleware.RegionMiddleware"]  # noqa: F405
    TEMPLATES = copy.deepcopy(TEMPLATES)  # noqa: F405
    _processors = TEMPLATES[0]["OPTIONS"]["context_processors"]
    TEMPLATES[0]["OPTIONS"]["context_processors"] = [
        name for name in _processors if name != "apps.features.context_processors.region"
    ]
