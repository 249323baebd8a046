"""The one place MonoPod reads its environment.

Every variable is read here, validated, and turned into a typed value. A missing or malformed value
raises ``ConfigError`` with one line naming the variable and what it expects; the entry points
(``manage.py``, ASGI, WSGI, Celery) print that line and exit non-zero instead of a traceback.
Secrets may come from files: ``SECRET_KEY_FILE=/run/secrets/key`` is read in place of ``SECRET_KEY``
(django-environ's ``FileAwareEnv``).
"""

from __future__ import annotations

import re
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import urlsplit

import environ

# The region list lives with the region bundles; re-exported for the settings and the signup form.
from apps.features.regions import REGIONS as REGIONS
from monopod import embedded_pg

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}
HOSTNAME = re.compile(r"^(?=.{1,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))*$")
ALLOWED_HOST = re.compile(r"^(\*|\.?[a-z0-9.-]+|\[[0-9a-f:]+\])$")

_env = environ.FileAwareEnv()
# Read files anew on every lookup: settings read each variable once, and tests change them.
_env.ENVIRON = environ.FileAwareMapping(cache=False)


class ConfigError(Exception):
    """A configuration value is missing or malformed; ``str()`` is the one line to show."""


def _fail(name: str, expected: str, got: str | None = None) -> NoReturn:
    shown = f" (got {got!r})" if got is not None else ""
    raise ConfigError(f"{name} must be {expected}{shown}")


def raw(name: str) -> str | None:
    """The variable's text, from ``NAME`` or the file named by ``NAME_FILE``; None when unset."""
    try:
        value = _env.str(name, default=None)
    except OSError as exc:
        raise ConfigError(f"{name}_FILE could not be read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{name}_FILE could not be read: it is not UTF-8 text") from None
    if value is None:
        return None
    return str(value).strip()


def boolean(name: str, *, default: bool) -> bool:
    value = raw(name)
    if value is None:
        return default
    word = value.lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    _fail(name, "one of true/false, 1/0, yes/no, on/off", value)


def region() -> str:
    value = (raw("REGION") or "global").lower()
    if value not in REGIONS:
        _fail("REGION", "one of " + ", ".join(REGIONS), value)
    return value


def port(name: str = "PORT", *, default: int = 8000) -> int:
    return integer(name, default=default, low=1, high=65535, expected="a TCP port number between 1 and 65535")


def integer(name: str, *, default: int, low: int, high: int, expected: str | None = None) -> int:
    value = raw(name)
    if value is None or value == "":
        return default
    if not value.isdigit() or not low <= int(value) <= high:
        _fail(name, expected or f"a whole number between {low} and {high}", value)
    return int(value)


def require(name: str, value: str | None, expected: str) -> str:
    """``value`` when set; otherwise the configuration error for a variable that must be set."""
    if not value:
        _fail(name, expected)
    return value


def base_domain() -> str:
    value = (raw("BASE_DOMAIN") or "localhost").lower()
    if not HOSTNAME.match(value):
        _fail("BASE_DOMAIN", "a host name such as example.com or localhost", value)
    return value


def allowed_hosts(*, default: list[str]) -> list[str]:
    value = raw("ALLOWED_HOSTS")
    if value is None or value == "":
        return default
    hosts = [host.strip().lower() for host in value.split(",") if host.strip()]
    for host in hosts:
        if not ALLOWED_HOST.match(host):
            _fail("ALLOWED_HOSTS", "a comma-separated list of host names such as .example.com", host)
    return hosts


def secret_key(*, fallback_file: Path | None) -> str:
    """SECRET_KEY. Without a fallback file it is required; with one (development), a random key is
    made once and kept there so that sessions survive restarts."""
    value = raw("SECRET_KEY")
    if value:
        if fallback_file is None and (len(value) < 50 or value.startswith("django-insecure") or len(set(value)) < 5):
            _fail("SECRET_KEY", "a random string of at least 50 characters", "<hidden>")
        return value
    if fallback_file is None:
        _fail("SECRET_KEY", "set (or SECRET_KEY_FILE) to a random string of at least 50 characters")
    if fallback_file.exists():
        return fallback_file.read_text().strip()
    fallback_file.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(64)
    fallback_file.touch(mode=0o600)
    fallback_file.write_text(key)
    return key


@dataclass(frozen=True)
class Database:
    """Where MonoPod's PostgreSQL is; ``embedded`` when MonoPod runs its own private cluster."""

    settings: dict[str, Any]
    embedded: bool


def database(*, allow_embedded: bool) -> Database:
    value = raw("DATABASE_URL")
    if not value:
        if not allow_embedded:
            _fail("DATABASE_URL", "set to a PostgreSQL URL like postgres://user:password@host:5432/monopod")
        return Database(settings=embedded_pg.Cluster().database_settings(), embedded=True)
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        _fail("DATABASE_URL", "a PostgreSQL URL like postgres://user:password@host:5432/monopod")
    if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
        _fail(
            "DATABASE_URL",
            "a PostgreSQL URL like postgres://user:password@host:5432/monopod",
            f"scheme {parts.scheme or 'missing'}",
        )
    config = environ.Env.db_url_config(value)
    if not config.get("NAME"):
        _fail("DATABASE_URL", "a PostgreSQL URL that names the database, like postgres://host/monopod")
    keys = ("NAME", "USER", "PASSWORD", "HOST", "PORT", "OPTIONS")
    return Database(settings={key: config[key] for key in keys if key in config}, embedded=False)


def service_url(name: str, schemes: set[str], example: str) -> str | None:
    """An optional service URL (Redis, broker); its password is never echoed in errors."""
    value = raw(name)
    if not value:
        return None
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        _fail(name, f"a URL like {example}")
    if parts.scheme not in schemes:
        _fail(name, f"a URL like {example}", f"scheme {parts.scheme or 'missing'}")
    if parts.scheme not in {"filesystem", "memory"} and not parts.hostname and parts.scheme != "unix":
        _fail(name, f"a URL with a host, like {example}")
    return value


EMAIL_EXAMPLE = "smtp+tls://user:password@mail.example.com:587"


def email(*, default: str | None) -> dict[str, Any]:
    """EMAIL_URL (django-environ's ``email_url``) as Django's ``EMAIL_*`` settings; ``default`` when unset,
    required when there is none. Its password is never echoed in errors."""
    value = raw("EMAIL_URL") or default
    if not value:
        _fail("EMAIL_URL", f"set in production, like {EMAIL_EXAMPLE}")
    scheme = urlsplit(value).scheme
    if scheme not in environ.Env.EMAIL_SCHEMES:
        _fail("EMAIL_URL", f"a URL like {EMAIL_EXAMPLE} or consolemail://", f"scheme {scheme or 'missing'}")
    try:
        config = environ.Env.email_url_config(value)
    except ValueError:
        _fail("EMAIL_URL", f"a URL like {EMAIL_EXAMPLE}")
    # Unset parts keep Django's defaults rather than becoming None.
    return {key: item for key, item in config.items() if item not in (None, "")}


def exit_on_config_error(exc: ConfigError) -> NoReturn:
    """Print the one-line message and leave with status 2 (the shell's 'bad usage')."""
    print(f"monopod: configuration error: {exc}", file=sys.stderr)
    sys.exit(2)
