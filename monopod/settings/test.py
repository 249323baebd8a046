"""Settings for the test suite: real PostgreSQL (a ``test_`` database), nothing of the developer's."""

import secrets
import tempfile
from pathlib import Path

from monopod.cache_keys import caches_setting
from monopod.settings.base import *  # noqa: F403

DEBUG = False
SECRET_KEY = secrets.token_urlsafe(64)
ALLOWED_HOSTS = [".localhost", "localhost", "testserver", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Per-run scratch space: tests never read or write the developer's var/ data.
_scratch = Path(tempfile.mkdtemp(prefix="monopod-test-"))
MEDIA_ROOT = _scratch / "media"
CACHES = caches_setting({"BACKEND": "django.core.cache.backends.locmem.LocMemCache"})
CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_BROKER_URL = "memory://"
CELERY_BROKER_TRANSPORT_OPTIONS = {}
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
TENANT_POOL_SIZE = 0
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# A representative resource for the API framework's tests and benchmarks (tests/catalog).
TENANT_APPS = [*TENANT_APPS[:-1], "tests.catalog", TENANT_APPS[-1]]  # noqa: F405 - audit stays last
INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]  # noqa: F405

# Relay runs are eager here: one queued by a commit would wait out the wake flag's lease in the test's
# own thread. The tests of the lease set it.
OUTBOX_WAKE_LEASE_SECONDS = 0.0
# Session-setup events stay pending while no relay runs in tests: readiness does not judge outbox lag.
OUTBOX_LAG_READY_SECONDS = None
