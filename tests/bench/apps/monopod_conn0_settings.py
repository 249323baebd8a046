"""``monopod.settings.development`` with ``CONN_MAX_AGE = 0``: one database connection per request,
closed when the request ends. A diagnostic for the HTTP benchmark: Django's persistent connections
are thread-bound, which ASGI requests (each in its own context) do not reuse."""

from monopod.settings.development import *  # noqa: F403

DATABASES = {"default": {**DATABASES["default"], "CONN_MAX_AGE": 0}}  # noqa: F405
