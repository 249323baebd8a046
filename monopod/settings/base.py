"""Settings shared by every MonoPod environment; values come from ``monopod.settings.env``."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from celery.schedules import crontab
from django_guid.integrations import CeleryIntegration

from monopod.cache_keys import caches_setting
from monopod.settings import env

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

DEBUG = env.boolean("DEBUG", default=False)
REGION = env.region()
BASE_DOMAIN = env.base_domain()
ALLOWED_HOSTS = env.allowed_hosts(default=[BASE_DOMAIN, f".{BASE_DOMAIN}"])

# --- Tenancy (django-tenants): public schema holds tenants, tenant schemas hold everything else.
SHARED_APPS = [
    # First, so that its create_tenant, delete_tenant and migrate_schemas replace django-tenants' own.
    "apps.tenants",
    "django_tenants",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "apps.identity",
    "django.contrib.sessions",
    "django.contrib.messages",
    "monopod.admin_site.MonoPodAdminConfig",
    "django.contrib.staticfiles",
    "django_prometheus",
    "django_celery_beat",
    "django_guid",
    "channels",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "django_htmx",
    # The staff web UI's shell: navigation registry, dashboard, generic object views.
    "monopod.web",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # The shared outbox (public schema only).
    "apps.events",
    # The platform's own trail (operators, tenants, signups) in the public schema; last, as in TENANT_APPS.
    "apps.audit",
]
TENANT_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "apps.identity",
    "django.contrib.sessions",
    "monopod.admin_site.MonoPodAdminConfig",
    "rest_framework_simplejwt.token_blacklist",
    "rest_framework_api_key",
    "monopod.idempotency",
    "apps.events.deliveries",
    "apps.events.webhooks",
    # Flags and regions: tenant overrides and privacy consents live in the tenant schema.
    "apps.features",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # Domain apps.
    "apps.ims",
    # Last: its post_migrate receiver resumes recording once every other app's has run.
    "apps.audit",
]
INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Tenant"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_URLCONF = "monopod.urls_public"
ROOT_URLCONF = "monopod.urls_tenant"
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]
# django-tenants wraps this backend, so database metrics reach /metrics too; MonoPod's wraps both.
ORIGINAL_BACKEND = "django_prometheus.db.backends.postgresql"
# Seconds a process trusts its host-to-tenant and (tasks) schema-to-tenant caches; changes in the same
# process apply at once.
TENANT_CACHE_SECONDS = 5
# One `SET search_path` per connection and schema, not per cursor. Safe because django-tenants forgets
# the path on rollback and savepoint rollback (tests/tenants/test_schema_routing.py proves it).
TENANT_LIMIT_SET_CALLS = True
# Migrated schemas kept ready for new tenants (see apps.tenants.provisioning); refilled by Celery.
TENANT_POOL_SIZE = 3

_database = env.database(allow_embedded=True)
EMBEDDED_DATABASE = _database.embedded
DATABASES = {
    "default": {
        # django-tenants' backend, setting the search path only when it changes and loading timestamps
        # in C (monopod/db/backends/postgresql).
        "ENGINE": "monopod.db.backends.postgresql",
        # Persistent connections suit WSGI workers; asgi.py sets 0, since under ASGI each request's
        # sync code runs in a pool thread and per-thread connections pile up (docs/decisions/0002).
        "CONN_MAX_AGE": env.integer("DB_CONN_MAX_AGE", default=60, low=0, high=3600),
        "CONN_HEALTH_CHECKS": True,
        **_database.settings,
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Services: Redis for cache and real-time when configured, embedded fallbacks otherwise.
REDIS_URL = env.service_url("REDIS_URL", {"redis", "rediss", "unix"}, "redis://127.0.0.1:6379/0")
BROKER_URL = env.service_url(
    "BROKER_URL",
    {"amqp", "amqps", "pyamqp", "redis", "rediss", "filesystem"},
    "amqp://user:password@127.0.0.1:5672//",
)

# Keys carry the tenant's schema, or the platform's (monopod.cache_keys).
if REDIS_URL:
    CACHES = caches_setting({"BACKEND": "monopod.cache.RedisCache", "LOCATION": REDIS_URL})
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [REDIS_URL]}}}
else:
    CACHES = caches_setting(
        {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(VAR_DIR / "cache")}
    )
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# --- Celery: tasks carry their tenant (tenant-schemas-celery). Without a broker, the filesystem
# transport under var/celery is a real queue shared by web, worker and beat with no server to run.
CELERY_QUEUE_DIR = VAR_DIR / "celery"
if BROKER_URL:
    CELERY_BROKER_URL = BROKER_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {"confirm_publish": True}
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_QUEUE_DIR / "queue"),
        "data_folder_out": str(CELERY_QUEUE_DIR / "queue"),
        "control_folder": str(CELERY_QUEUE_DIR / "control"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
# A task's message is acknowledged once it has run: a worker that dies leaves it to be delivered again.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Each process reserves a few messages ahead (still unacknowledged, so redelivered if the worker dies):
# with one, every short task waited on the broker after the previous ack (docs/decisions/0006).
CELERY_WORKER_PREFETCH_MULTIPLIER = 4
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = "UTC"
# Periodic jobs; django-celery-beat copies them into its tables, where the admin can change them.
CELERY_BEAT_SCHEDULE = {
    "api-idempotency-purge": {"task": "api.idempotency_purge", "schedule": crontab(hour=3, minute=17)},
    # Catches outbox events whose after-commit wake was lost (see docs/event-backbone.md, Relay).
    "events-relay-sweep": {"task": "events.relay", "schedule": 5.0},
    # Re-queues event deliveries whose retry is overdue (a lost retry message, a tenant not serving).
    "events-deliveries-sweep": {"task": "events.deliveries_sweep", "schedule": 60.0},
    # Deletes relayed outbox events older than OUTBOX_RETENTION_DAYS.
    "events-outbox-purge": {"task": "events.outbox_purge", "schedule": crontab(hour=3, minute=41)},
}
# The outbox relay: rows claimed per transaction; /health/ready fails past this lag (None: not checked).
OUTBOX_RELAY_BATCH_SIZE = 500
# The relay's wake flag stands at least this long once set (apps.events.relay): commits meanwhile skip
# the cache, and a drained run looks at the outbox every 10 ms until then.
OUTBOX_WAKE_LEASE_SECONDS = 0.1
OUTBOX_LAG_READY_SECONDS: int | None = 300
# Relayed outbox events are kept this many days (for outbox_replay --since), then purged daily.
OUTBOX_RETENTION_DAYS = env.integer("OUTBOX_RETENTION_DAYS", default=7, low=1, high=3650)

# --- HTTP stack.
MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django_guid.middleware.guid_middleware",
    "monopod.observability.RequestContextMiddleware",
    "monopod.tenancy.TenantMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The tenant's region: time zone, language, request.features. (It chooses the language itself, from
    # the member's cookie, the API's Accept-Language and the region: Django's LocaleMiddleware, whose
    # choice it replaced, is not installed; MonoPod has no language-prefixed URLs.)
    "apps.features.middleware.RegionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "monopod.observability.UserContextMiddleware",
    "apps.audit.middleware.AuditContextMiddleware",
    # Django's, for pages only: the API neither shows nor keeps flash messages.
    "monopod.web.messages.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

TEMPLATES: list[dict[str, Any]] = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "apps.features.context_processors.region",
                "monopod.web.context_processors.shell",
            ],
        },
    }
]

WSGI_APPLICATION = "monopod.wsgi.application"
ASGI_APPLICATION = "monopod.asgi.application"

AUTH_USER_MODEL = "identity.User"
# New hashes use the first; the others still verify older hashes, which are upgraded at the next sign-in.
PASSWORD_HASHERS = [
    "apps.identity.hashers.MonoPodArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Sign-in (django-allauth), in each schema: e-mail and password, a verified address, optional TOTP.
# allauth's sign-in by e-mail, with permissions served from the cache (one backend: a second would
# compute a denied permission again).
AUTHENTICATION_BACKENDS = ["apps.identity.backends.AuthenticationBackend"]
LOGIN_URL = "/accounts/login/"
# After signing in without a page to return to: the dashboard.
LOGIN_REDIRECT_URL = "/"
ACCOUNT_ADAPTER = "apps.identity.adapters.AccountAdapter"
ACCOUNT_FORMS = {"reset_password_from_key": "apps.identity.forms.ResetPasswordKeyForm"}
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
# Stored random keys rather than signed address ids: ids repeat across tenant schemas, stored keys do not.
ACCOUNT_EMAIL_CONFIRMATION_HMAC = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[MonoPod] "
# Cache keys carry the tenant (django-tenants' make_key), so every limit counts per tenant.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    "signup": "20/m/ip",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "MonoPod"

# --- E-mail: EMAIL_URL such as smtp+tls://user:password@mail.example.com:587; the console when unset.
globals().update(env.email(default="consolemail://"))
DEFAULT_FROM_EMAIL = env.raw("DEFAULT_FROM_EMAIL") or f"MonoPod <noreply@{BASE_DOMAIN}>"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ar", "العربية"), ("fr", "Français"), ("de", "Deutsch")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django_tenants.files.storage.TenantFileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MULTITENANT_RELATIVE_MEDIA_ROOT = "tenants/%s"

# --- Request and trace ids: X-Request-ID accepted when it is a well-formed UUID, else made anew.
DJANGO_GUID = {
    "GUID_HEADER_NAME": "X-Request-ID",
    "VALIDATE_GUID": True,
    "RETURN_HEADER": True,
    "EXPOSE_HEADER": True,
    "UUID_LENGTH": 32,
    "INTEGRATIONS": [CeleryIntegration(use_django_logging=True, log_parent=True)],
}

LOG_LEVEL = (env.raw("LOG_LEVEL") or "INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "monopod.observability.LogContextFilter"}},
    "formatters": {
        "json": {
            # python-json-logger's formatter on orjson: a request's access line costs a third less.
            "()": "pythonjsonlogger.orjson.OrjsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "timestamp", "levelname": "level", "name": "logger"},
            "static_fields": {"service": "monopod"},
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["context"]}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django_guid": {"level": "WARNING"},
        "celery.celery_guid": {"level": "WARNING"},
    },
}

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "monopod.api.schema.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": [
        "monopod.api.filters.StrictDjangoFilterBackend",
        "monopod.api.filters.SearchFilter",
        "monopod.api.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "monopod.api.pagination.PageNumberPagination",
    # DRF's JSON, encoded by orjson; the browsable API as before.
    "DEFAULT_RENDERER_CLASSES": [
        "monopod.api.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "monopod.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # The first class names the WWW-Authenticate challenge; with one, DRF answers 401 (not 403) to
    # missing or bad credentials, so the bearer scheme leads.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.identity.authentication.TenantJWTAuthentication",
        "apps.identity.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "apps.identity.permissions.ApiKeyScopes",
    ],
    # Per principal (user or API key) by the tenant's plan and region: API_THROTTLE_RATES. Per client
    # address: the token endpoint and signup.
    "DEFAULT_THROTTLE_CLASSES": ["monopod.api.throttling.TenantPlanRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"auth_token": "5/minute", "signup": "10/hour"},
    "EXCEPTION_HANDLER": "monopod.api.errors.exception_handler",
    # Per-IP throttles: deployments put one proxy (nginx, ingress-nginx) in front of web, which appends
    # the client's address to X-Forwarded-For. Only that last entry is trusted; earlier ones are
    # whatever the client sent. Without the header (no proxy), REMOTE_ADDR is used.
    "NUM_PROXIES": 1,
}
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=5),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=1),
    # A refresh token is good for one refresh: each refresh answers a new pair and revokes the old one.
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    # Even simplejwt's stock authentication class then refuses a token minted by another tenant.
    "AUTH_TOKEN_CLASSES": ("apps.identity.tokens.TenantAccessToken",),
}
# What every resource viewset (monopod.api.TenantModelViewSet) checks, in order.
API_RESOURCE_PERMISSION_CLASSES = [
    "rest_framework.permissions.IsAuthenticated",
    "apps.identity.permissions.ModelRolePermission",
    "apps.identity.permissions.ApiKeyScopes",
]
# Requests per user or API key; the most specific of "plan:<plan>:region:<region>", "plan:<plan>",
# "region:<region>" and "default" for the tenant applies.
API_THROTTLE_RATES = {"default": "100/min", "plan:business": "600/min", "plan:enterprise": "1200/min"}
# How long a POST's Idempotency-Key is remembered (monopod.idempotency), in seconds.
API_IDEMPOTENCY_TTL = 24 * 3600
# The admin's History tab of every model: the object's audit trail.
ADMIN_OBJECT_HISTORY_VIEW = "apps.audit.views.admin_object_history"
# Request bodies above this answer 413 (PAYLOAD_TOO_LARGE); uploads go through files, not the API body.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
SPECTACULAR_SETTINGS = {
    "TITLE": "MonoPod API",
    "VERSION": "1.0.0",
    "DESCRIPTION": 'Every error answers {"error": {"code", "message", "details", "request_id"}}; see docs/api.md.',
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    # Tags name the module: /api/v1/<module>/...
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    "COMPONENT_SPLIT_REQUEST": True,
}

DEMO_TENANT_SLUG = "demo"

# Outbound webhooks (apps.events.webhooks): per-request timeout, attempts before a delivery is dead,
# the backoff between attempts (doubling from the base, capped), and whether URLs may reach private,
# loopback or link-local addresses (never in production: it opens the internal network to tenants).
WEBHOOK_TIMEOUT_SECONDS = 10
WEBHOOK_MAX_ATTEMPTS = 8
WEBHOOK_RETRY_BASE_SECONDS = 30
WEBHOOK_RETRY_MAX_SECONDS = 6 * 3600
WEBHOOKS_ALLOW_PRIVATE_NETWORKS = False
