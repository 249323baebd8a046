"""Settings of the signup and tenant workers (``tests/bench/signup_worker.py``, ``tenants_worker.py``).

``monopod.settings.development`` as ``make run`` uses it, except for what would reach the developer's
own processes or leave work behind for them:

* the cache is per process (the file cache lives under the developer's ``var/cache``);
* Celery publishes to an in-memory broker that nothing consumes (the filesystem queue under
  ``var/celery`` is shared with the developer's worker, which would run the pool refill against its own
  database), so the pool refill a pool signup asks for is sent, and never runs;
* ``TENANT_POOL_SIZE`` is 0, in case a refill ran anyway;
* e-mail stays in memory.

The database is the bench database: the worker's ``DATABASE_URL``.
"""

from monopod.cache_keys import caches_setting
from monopod.settings.development import *  # noqa: F403

CACHES = caches_setting({"BACKEND": "django.core.cache.backends.locmem.LocMemCache"})
CELERY_BROKER_URL = "memory://localhost/"
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {}
TENANT_POOL_SIZE = 0
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
