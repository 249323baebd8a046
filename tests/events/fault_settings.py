"""Settings of the MonoPod processes that the event backbone's fault tests start and kill.

The test database (``DATABASE_URL``), a real broker and a Redis cache shared by every process (the
relay's wake flag lives in the cache), a private task queue, no eager tasks, the relay swept by beat,
and the fault app whose subscriber leaves one row per event it takes effect for.
"""

import os

from monopod.cache_keys import caches_setting
from monopod.settings.test import *  # noqa: F403

_broker = os.environ["FAULT_BROKER_URL"]
BROKER_URL = _broker
CELERY_BROKER_URL = _broker
CELERY_BROKER_TRANSPORT_OPTIONS = {"confirm_publish": True}
CELERY_BROKER_HEARTBEAT = 0
CELERY_TASK_ALWAYS_EAGER = False
# The wake flag's lease as in production (the test suite's is 0): the faults are survived with it.
OUTBOX_WAKE_LEASE_SECONDS = 0.1
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_DEFAULT_QUEUE = os.environ["FAULT_QUEUE"]
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULER = "celery.beat:PersistentScheduler"
CELERY_BEAT_SCHEDULE = {"events-relay-sweep": {"task": "events.relay", "schedule": 5.0}}
CACHES = caches_setting(
    {
        "BACKEND": "monopod.cache.RedisCache",
        "LOCATION": os.environ["FAULT_REDIS_URL"],
        "KEY_PREFIX": os.environ["FAULT_QUEUE"],
    }
)
INSTALLED_APPS = [*INSTALLED_APPS, "tests.events.faultapp"]  # noqa: F405
