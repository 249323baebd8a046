"""Configuration from the environment: good values are typed, bad ones end in one clear line."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from monopod.settings import env

PROJECT_ROOT = Path(__file__).resolve().parents[2]
GOOD_SECRET = "s3cr3t-" + "k" * 30 + "abcdefghijklmnopqrstuvwxyz"


@pytest.fixture
def clean_env(monkeypatch):
    for name in (
        "DATABASE_URL",
        "REDIS_URL",
        "BROKER_URL",
        "REGION",
        "SECRET_KEY",
        "SECRET_KEY_FILE",
        "ALLOWED_HOSTS",
        "DEBUG",
        "BASE_DOMAIN",
        "PORT",
    ):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def run_entry_point(argv: list[str], **overrides: str) -> subprocess.CompletedProcess[str]:
    """Run a MonoPod entry point in a fresh process with the given environment overrides."""
    environ = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "DATABASE_URL",
            "REDIS_URL",
            "BROKER_URL",
            "REGION",
            "PORT",
            "DJANGO_SETTINGS_MODULE",
            "DB_CONN_MAX_AGE",
        }
    }
    environ.update({"DJANGO_SETTINGS_MODULE": "monopod.settings.development", "SECRET_KEY": GOOD_SECRET})
    environ.update(overrides)
    return subprocess.run(
        [sys.executable, *argv], cwd=PROJECT_ROOT, env=environ, capture_output=True, text=True, timeout=60, check=False
    )


def test_database_url_is_parsed_into_django_settings(clean_env):
    clean_env.setenv("DATABASE_URL", "postgres://mono:pw@db.internal:6543/monopod_prod")

    database = env.database(allow_embedded=False)

    assert database.embedded is False
    assert database.settings == {
        "NAME": "monopod_prod",
        "USER": "mono",
        "PASSWORD": "pw",
        "HOST": "db.internal",
        "PORT": 6543,
    }


def test_missing_database_url_means_embedded_cluster(clean_env):
    database = env.database(allow_embedded=True)

    assert database.embedded is True
    assert database.settings["HOST"].endswith("var/pg/run")


def test_secret_read_from_file_variant(clean_env, tmp_path):
    secret_file = tmp_path / "key"
    secret_file.write_text(GOOD_SECRET + "\n")
    clean_env.setenv("SECRET_KEY_FILE", str(secret_file))

    assert env.secret_key(fallback_file=None) == GOOD_SECRET


def test_unreadable_secret_file_is_a_config_error(clean_env, tmp_path):
    clean_env.setenv("SECRET_KEY_FILE", str(tmp_path / "missing"))

    with pytest.raises(env.ConfigError, match=r"^SECRET_KEY_FILE could not be read"):
        env.secret_key(fallback_file=None)


def test_short_production_secret_is_refused_without_echoing_it(clean_env):
    clean_env.setenv("SECRET_KEY", "tooshort")

    with pytest.raises(env.ConfigError) as raised:
        env.secret_key(fallback_file=None)

    assert str(raised.value) == "SECRET_KEY must be a random string of at least 50 characters (got '<hidden>')"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("REGION", "mars", "REGION must be one of global, eu, gulf, africa, usa (got 'mars')"),
        ("DEBUG", "maybe", "DEBUG must be one of true/false, 1/0, yes/no, on/off (got 'maybe')"),
        ("PORT", "80a", "PORT must be a TCP port number between 1 and 65535 (got '80a')"),
        ("PORT", "70000", "PORT must be a TCP port number between 1 and 65535 (got '70000')"),
        (
            "BASE_DOMAIN",
            "bad_domain!",
            "BASE_DOMAIN must be a host name such as example.com or localhost (got 'bad_domain!')",
        ),
    ],
)
def test_malformed_value_names_variable_and_expectation(clean_env, name, value, message):
    clean_env.setenv(name, value)
    readers = {
        "REGION": env.region,
        "DEBUG": lambda: env.boolean("DEBUG", default=False),
        "PORT": env.port,
        "BASE_DOMAIN": env.base_domain,
    }

    with pytest.raises(env.ConfigError) as raised:
        readers[name]()

    assert str(raised.value) == message


@pytest.mark.parametrize(
    "url",
    ["mysql://root@localhost/monopod", "not a url", "postgres://host:notaport/db", "postgres://host:5432/"],
)
def test_malformed_database_url_is_refused_without_echoing_password(clean_env, url):
    clean_env.setenv("DATABASE_URL", url)

    with pytest.raises(env.ConfigError) as raised:
        env.database(allow_embedded=False)

    assert str(raised.value).startswith("DATABASE_URL must be a PostgreSQL URL")
    assert "root@" not in str(raised.value)


def test_broker_url_with_password_is_never_echoed(clean_env):
    clean_env.setenv("BROKER_URL", "kafka://user:hunter2@broker:9092")

    with pytest.raises(env.ConfigError) as raised:
        env.service_url("BROKER_URL", {"amqp"}, "amqp://user:password@127.0.0.1:5672//")

    assert (
        str(raised.value) == "BROKER_URL must be a URL like amqp://user:password@127.0.0.1:5672// (got 'scheme kafka')"
    )


@pytest.mark.parametrize(
    ("overrides", "line"),
    [
        ({"DATABASE_URL": "mysql://root:pw@localhost/monopod"}, "DATABASE_URL must be a PostgreSQL URL"),
        ({"REGION": "mars"}, "REGION must be one of global, eu, gulf, africa, usa (got 'mars')"),
        ({"REDIS_URL": "http://cache:6379"}, "REDIS_URL must be a URL like redis://127.0.0.1:6379/0"),
    ],
)
def test_manage_py_reports_bad_configuration_in_one_line(overrides, line):
    result = run_entry_point(["manage.py", "check"], **overrides)

    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"monopod: configuration error: {line}")
    assert "Traceback" not in result.stderr


def test_production_settings_require_secret_key():
    result = run_entry_point(
        ["manage.py", "check"],
        DJANGO_SETTINGS_MODULE="monopod.settings.production",
        SECRET_KEY="",
        DATABASE_URL="postgres://u@127.0.0.1/db",
    )

    assert result.returncode == 2
    assert result.stderr == (
        "monopod: configuration error: SECRET_KEY must be set (or SECRET_KEY_FILE) "
        "to a random string of at least 50 characters\n"
    )


def test_launcher_refuses_a_port_in_use():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]

        result = run_entry_point(
            ["-m", "monopod.launcher"], PORT=str(port), DATABASE_URL="postgres://u@127.0.0.1:1/unused"
        )

    assert result.returncode == 1
    assert result.stderr == (
        f"monopod: port {port} on 127.0.0.1 is already in use; stop what uses it or set PORT=<another port>\n"
    )


def test_launcher_refuses_a_malformed_port():
    result = run_entry_point(["-m", "monopod.launcher"], PORT="http")

    assert result.returncode == 2
    assert (
        result.stderr
        == "monopod: configuration error: PORT must be a TCP port number between 1 and 65535 (got 'http')\n"
    )


def test_launcher_reports_an_unreachable_database_in_one_line():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        web_port = free.getsockname()[1]

    result = run_entry_point(
        ["-m", "monopod.launcher"], PORT=str(web_port), DATABASE_URL=f"postgres://u@127.0.0.1:{closed_port}/db"
    )

    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"monopod: cannot reach PostgreSQL at 127.0.0.1:{closed_port} (")
    assert result.stderr.endswith("); check DATABASE_URL\n")


def settings_value(expression: str, module: str = "monopod.wsgi", **overrides: str) -> str:
    """Import an entry point in a fresh process and print one settings value."""
    script = f"import {module}; from django.conf import settings; print({expression})"
    result = run_entry_point(["-c", script], **overrides)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_asgi_processes_do_not_keep_database_connections():
    assert settings_value("settings.DATABASES['default']['CONN_MAX_AGE']", "monopod.asgi") == "0"
    assert settings_value("settings.DATABASES['default']['CONN_MAX_AGE']", "monopod.wsgi") == "60"
    assert settings_value("settings.DATABASES['default']['CONN_MAX_AGE']", "monopod.wsgi", DB_CONN_MAX_AGE="5") == "5"


@pytest.mark.parametrize(
    ("missing", "line"),
    [
        ("REDIS_URL", "REDIS_URL must be set in production, like redis://cache:6379/0"),
        ("BROKER_URL", "BROKER_URL must be set in production, like amqp://user:password@broker:5672//"),
        ("EMAIL_URL", "EMAIL_URL must be set in production, like smtp+tls://user:password@mail.example.com:587"),
    ],
)
def test_production_requires_shared_services(missing, line):
    environment = {
        "DJANGO_SETTINGS_MODULE": "monopod.settings.production",
        "DATABASE_URL": "postgres://u@127.0.0.1/db",
        "REDIS_URL": "redis://cache:6379/0",
        "BROKER_URL": "amqp://u:p@mq:5672//",
        "EMAIL_URL": "smtp+tls://u:p@mail:587",
    }
    environment[missing] = ""

    result = run_entry_point(["manage.py", "check"], **environment)

    assert result.returncode == 2
    assert result.stderr == f"monopod: configuration error: {line}\n"


def test_outbox_retention_comes_from_the_environment():
    assert settings_value("settings.OUTBOX_RETENTION_DAYS", "monopod.wsgi", OUTBOX_RETENTION_DAYS="30") == "30"
    assert settings_value("settings.OUTBOX_RETENTION_DAYS", "monopod.wsgi") == "7"


def test_a_bad_outbox_retention_stops_startup_with_a_clear_message():
    result = run_entry_point(["-c", "import monopod.wsgi"], OUTBOX_RETENTION_DAYS="0")

    assert result.returncode != 0
    assert "OUTBOX_RETENTION_DAYS" in result.stderr
