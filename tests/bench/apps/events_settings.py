"""Settings of the events benchmark's worker and of its Celery worker (``tests/bench/bench_events.py``).

``monopod.settings.development`` with ``DEBUG`` off, except:

* ``tests.bench.apps.eventsbench`` is installed: the event type ``eventsbench.item.updated`` and its one
  no-op subscriber, which records when it received each event; its ``ready()`` unregisters MonoPod's
  own subscribers (``webhooks``, ``realtime``), so the whole path is measured with one subscriber;
* the broker is RabbitMQ at ``BENCH_BROKER_URL`` (default ``amqp://guest:guest@127.0.0.1:5672//``),
  with publisher confirms as in production, and every task goes to a queue of its own,
  ``bench.events``, so that a developer's worker on the same broker never runs the bench's tasks;
* the cache (the relay's wake flag, shared by publisher and worker) is Redis at ``BENCH_REDIS_URL``
  (default ``redis://127.0.0.1:6379/13``);
* the warm pool stays empty and e-mail stays in memory.

The database is the bench database (``DATABASE_URL``).
"""

import os

from monopod.cache_keys import caches_setting
from monopod.settings.development import *  # noqa: F403

DEBUG = False
INSTALLED_APPS = [*INSTALLED_APPS, "tests.bench.apps.eventsbench"]  # noqa: F405

BENCH_QUEUE = "bench.events"
BROKER_URL = os.environ.get("BENCH_BROKER_URL") or "amqp://guest:guest@127.0.0.1:5672//"
CELERY_BROKER_URL = BROKER_URL
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {"confirm_publish": True}
CELERY_TASK_DEFAULT_QUEUE = BENCH_QUEUE
CELERY_BEAT_SCHEDULE: dict[str, object] = {}

_redis_url = os.environ.get("BENCH_REDIS_URL") or "redis://127.0.0.1:6379/13"
CACHES = caches_setting({"BACKEND": "monopod.cache.RedisCache", "LOCATION": _redis_url})
TENANT_POOL_SIZE = 0
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
