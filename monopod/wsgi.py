"""WSGI entry point (gunicorn): plain HTTP."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "monopod.settings.development")

from monopod.settings.env import ConfigError, exit_on_config_error

try:
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
except ConfigError as exc:
    exit_on_config_error(exc)
