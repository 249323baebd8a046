"""Settings for ``make run`` on one machine: embedded defaults, debug on unless DEBUG says no."""

from monopod.settings import env
from monopod.settings.base import *  # noqa: F403

DEBUG = env.boolean("DEBUG", default=True)
ALLOWED_HOSTS = env.allowed_hosts(default=[BASE_DOMAIN, f".{BASE_DOMAIN}", "127.0.0.1", "[::1]"])  # noqa: F405
SECRET_KEY = env.secret_key(fallback_file=VAR_DIR / "secret_key")  # noqa: F405
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
if DEBUG:
    # Templates edited while `make run` serves show on the next request (uvicorn has no autoreloader
    # to empty Django's cached template loader).
    TEMPLATES[0]["APP_DIRS"] = False  # noqa: F405
    TEMPLATES[0]["OPTIONS"]["loaders"] = [  # noqa: F405
        "django.template.loaders.filesystem.Loader",
        "django.template.loaders.app_directories.Loader",
    ]
