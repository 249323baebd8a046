"""Settings of the API benchmark's servers and worker: production's request path, plus the catalog.

``monopod.settings.development`` with ``DEBUG`` off, which keeps every layer a request to the API goes
through in production: the whole middleware stack (django-prometheus before and after, request ids,
the JSON access line at ``LOG_LEVEL=INFO``, tenant resolution, sessions, CSRF, authentication, audit
context), the database behind django-prometheus' metrics backend, and DRF with its authentication,
role permissions, throttles, filters and pagination. Changed for the benchmark:

* ``tests.catalog`` is a tenant app, inserted before ``apps.audit`` as ``monopod.settings.test`` does,
  and ``tests.bench.apps.api_urls`` serves the plain baseline views in front of the catalog's URLs;
* the cache (throttle counters) is Redis at ``BENCH_REDIS_URL`` when the benchmark found one, as in
  production, else per process (the development file cache lives in the developer's ``var/``);
* the per-principal throttle allows 1,000,000 requests a *second*: it counts every request as in
  production (one counter per window) and never answers 429;
* a fixed secret key, shared by the worker that mints the bearer token and the servers that check it,
  and access tokens that live an hour rather than five minutes, so one token lasts the whole run;
* Celery publishes to an in-memory broker and the warm pool stays empty (as ``signup_settings``).

The database is the bench database (``DATABASE_URL``).
"""

import os
from datetime import timedelta

from monopod.cache_keys import caches_setting
from monopod.settings.development import *  # noqa: F403

DEBUG = False
SECRET_KEY = "bench-only-not-a-secret-api-0123456789-abcdefghijklmnopqrstuvwxyz"
TENANT_APPS = [*TENANT_APPS[:-1], "tests.catalog", TENANT_APPS[-1]]  # noqa: F405 - audit stays last
INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]  # noqa: F405
ROOT_URLCONF = "tests.bench.apps.api_urls"

_redis_url = os.environ.get("BENCH_REDIS_URL", "")
if _redis_url:
    CACHES = caches_setting({"BACKEND": "monopod.cache.RedisCache", "LOCATION": _redis_url})
else:
    CACHES = caches_setting({"BACKEND": "django.core.cache.backends.locmem.LocMemCache"})

API_THROTTLE_RATES = {"default": "1000000/s"}
SIMPLE_JWT = {**SIMPLE_JWT, "ACCESS_TOKEN_LIFETIME": timedelta(hours=1)}  # noqa: F405
CELERY_BROKER_URL = "memory://localhost/"
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {}
TENANT_POOL_SIZE = 0
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
