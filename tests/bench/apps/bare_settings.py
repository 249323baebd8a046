"""Minimal standalone Django settings: no apps, no middleware, no database, one URL.

The baseline for what Django itself costs per request, before MonoPod's middleware and tenancy.
"""

SECRET_KEY = "bench-only-not-a-secret-0123456789-abcdefghijklmnopqrstuvwxyz"
DEBUG = False
ALLOWED_HOSTS = ["localhost", "127.0.0.1"]
ROOT_URLCONF = "tests.bench.apps.bare_django"
INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
DATABASES: dict[str, dict[str, str]] = {}
TEMPLATES: list[dict[str, object]] = []
USE_I18N = False
USE_TZ = True
LOGGING_CONFIG = None
