"""Real external services for integration tests: Redis and RabbitMQ.

Each is used when reachable (``TEST_REDIS_URL`` / ``TEST_BROKER_URL``, defaulting to the local
servers). When one is absent its tests skip with a one-line reason, except under
``MONOPOD_REQUIRE_SERVICES=1`` (set by ``.ci/run``), where a skip would hide a gap and fails instead.
"""

from __future__ import annotations

import os
import socket
from urllib.parse import urlsplit

import pytest

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"
DEFAULT_BROKER_URL = "amqp://guest:guest@127.0.0.1:5672//"


def services_required() -> bool:
    return os.environ.get("MONOPOD_REQUIRE_SERVICES", "") == "1"


def reachable(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or default_port), timeout=1):
            return True
    except OSError:
        return False


def require(available: bool, reason: str) -> None:
    """Skip (or, where services are required, fail) when a service is missing."""
    if available:
        return
    if services_required():
        pytest.fail(f"{reason} (MONOPOD_REQUIRE_SERVICES=1)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def redis_url() -> str:
    url = os.environ.get("TEST_REDIS_URL", DEFAULT_REDIS_URL)
    require(reachable(url, 6379), f"Redis not reachable at {urlsplit(url).netloc}")
    return url


@pytest.fixture(scope="session")
def broker_url() -> str:
    url = os.environ.get("TEST_BROKER_URL", DEFAULT_BROKER_URL)
    require(reachable(url, 5672), f"RabbitMQ not reachable at {urlsplit(url).hostname}")
    return url
