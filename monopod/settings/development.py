"""Settings for ``make run`` on one machine: embedded defaults, debug on unless DEBUG says no."""

from monopod.settings import env
from monopod.settings.base import *  # noqa: F403

DEBUG = env.boolean("DEBUG", default=True)
ALLOWED_HOSTS = env.allowed_hosts(default=[BASE_DOMAIN, f".{BASE_DOMAIN}", "127.0.0.1", "[::1]"])  # noqa: F405
SECRET_KEY = env.secret_key(fallback_file=VAR_DIR / "secret_key")  # noqa: F405
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
