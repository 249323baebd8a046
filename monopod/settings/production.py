"""Production settings: every secret and service from the environment, HTTPS everywhere."""

from monopod.settings import env
from monopod.settings.base import *  # noqa: F403

DEBUG = env.boolean("DEBUG", default=False)
SECRET_KEY = env.secret_key(fallback_file=None)
_database = env.database(allow_embedded=False)
DATABASES["default"].update(_database.settings)  # noqa: F405
EMBEDDED_DATABASE = False
# Several processes share cache, queue and real-time: the embedded fallbacks are per machine.
env.require("REDIS_URL", REDIS_URL, "set in production, like redis://cache:6379/0")  # noqa: F405
env.require("BROKER_URL", BROKER_URL, "set in production, like amqp://user:password@broker:5672//")  # noqa: F405
# Sign-in mails (verification, password reset, invitations) must really leave.
globals().update(env.email(default=None))

STORAGES["staticfiles"] = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}  # noqa: F405

# TLS terminates at the load balancer, which sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = True
# Probes and the metrics scraper speak plain HTTP inside the cluster.
SECURE_REDIRECT_EXEMPT = [r"^health/", r"^metrics$"]
SECURE_HSTS_SECONDS = 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"
