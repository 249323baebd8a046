"""Integration with real services: Celery over RabbitMQ and Redis carries the tenant; Redis cache and
channel layer keep tenants apart. Each test uses its own queue and key prefix, never the developer's."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from celery.contrib.testing.worker import start_worker
from channels_redis.core import RedisChannelLayer
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import connection
from django_tenants.utils import schema_context, tenant_context
from redis.client import Pipeline
from tenant_schemas_celery.app import CeleryApp

from monopod.api import throttling
from monopod.cache import counter_hit
from monopod.observability import trace_id_var
from tests.api_cases import bearer_client

PROJECT_ROOT = Path(__file__).resolve().parents[2]
TENANT_KEYS = {
    "KEY_FUNCTION": "django_tenants.cache.make_key",
    "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
}


def schema_probe(tag: str) -> dict[str, str | None]:
    """A task that reports the schema its database connection was set to, and its trace id."""
    return {"schema": connection.schema_name, "tag": tag, "trace_id": trace_id_var.get()}


@pytest.fixture
def worker_app(request: pytest.FixtureRequest) -> Iterator[tuple[CeleryApp, Any]]:
    """MonoPod's Celery configuration on a real broker, with a worker thread on a private queue."""
    broker, backend = request.getfixturevalue(request.param[0]), request.param[1]
    app = CeleryApp(f"monopod-test-{uuid.uuid4().hex[:8]}", set_as_current=False)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.update(
        broker_url=broker,
        result_backend=backend or broker,
        task_always_eager=False,
        task_ignore_result=False,
        task_default_queue=f"monopod-test-{uuid.uuid4().hex}",
        broker_transport_options={},
        broker_heartbeat=0,
    )
    task = app.task(name="tests.schema_probe")(schema_probe)
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield app, task


@pytest.mark.parametrize(
    "worker_app",
    [
        pytest.param(("broker_url", "rpc://"), marks=pytest.mark.rabbitmq, id="rabbitmq"),
        pytest.param(("redis_url", None), marks=pytest.mark.redis, id="redis"),
    ],
    indirect=True,
)
def test_task_runs_in_the_schema_of_the_tenant_that_sent_it(tenant, other_tenant, worker_app):
    _, task = worker_app
    trace_token = trace_id_var.set("4bf92f3577b34da6a3ce929d0e0e4736")
    try:
        from_acme = task.delay("a").get(timeout=20)
    finally:
        trace_id_var.reset(trace_token)
    with tenant_context(other_tenant):
        from_globex = task.delay("b").get(timeout=20)
    with schema_context("public"):
        from_public = task.delay("c").get(timeout=20)

    assert from_acme == {"schema": "acme", "tag": "a", "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736"}
    assert from_globex["schema"] == "globex"
    assert from_public["schema"] == "public"
    # Sent outside any trace: the worker starts a new one per task.
    assert len(from_globex["trace_id"]) == 32
    assert from_globex["trace_id"] != from_public["trace_id"]


@pytest.fixture
def redis_cache(redis_url: str) -> Iterator[RedisCache]:
    cache = RedisCache(redis_url, {"KEY_PREFIX": f"monopod-test-{uuid.uuid4().hex}", **TENANT_KEYS})
    yield cache
    cache.clear()


@pytest.mark.redis
def test_redis_cache_keys_are_namespaced_by_tenant(tenant, other_tenant, redis_cache):
    redis_cache.set("dashboard", "acme's")
    with tenant_context(other_tenant):
        assert redis_cache.get("dashboard") is None
        redis_cache.set("dashboard", "globex's")

    assert redis_cache.get("dashboard") == "acme's"
    with tenant_context(other_tenant):
        assert redis_cache.get("dashboard") == "globex's"


@pytest.mark.redis
def test_throttle_counters_on_redis_are_one_per_window_and_tenant(tenant, other_tenant, redis_url, settings):
    prefix = f"monopod-test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "monopod.cache.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": prefix,
            **TENANT_KEYS,
        }
    }
    key = "throttle:principal:user:1:60:30000000"

    acme = [counter_hit(key, timeout=61) for _ in range(3)]
    with tenant_context(other_tenant):
        globex = [counter_hit(key, timeout=61) for _ in range(2)]
    backend = caches["default"]
    ttl = backend._cache.get_client(write=False).ttl(backend.make_and_validate_key(key))

    assert (acme, globex) == ([1, 2, 3], [1, 2])
    assert 59 <= ttl <= 61
    backend.clear()


@pytest.mark.redis
def test_a_bearer_request_reads_its_user_and_counts_its_throttle_in_one_redis_round_trip(
    tenant, viewer_user, redis_url, settings, monkeypatch
):
    settings.CACHES = {
        "default": {
            "BACKEND": "monopod.cache.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": f"monopod-test-{uuid.uuid4().hex}",
            **TENANT_KEYS,
        }
    }
    settings.API_THROTTLE_RATES = {"default": "2/min"}
    round_trips: list[list[str]] = []
    execute = Pipeline.execute

    def counted(pipeline: Pipeline, *args: Any, **kwargs: Any) -> Any:
        round_trips.append([str(command[0][0]) for command in pipeline.command_stack])
        return execute(pipeline, *args, **kwargs)

    monkeypatch.setattr(Pipeline, "execute", counted)
    monkeypatch.setattr(throttling, "counter_hit", lambda *args, **kwargs: pytest.fail("counted twice"))
    client = bearer_client(viewer_user)

    statuses = [client.get("/api/v1/auth/me/").status_code for _ in range(3)]

    assert statuses == [200, 200, 429]
    assert round_trips == [["MGET", "INCRBY", "EXPIRE"]] * 3
    caches["default"].clear()


@pytest.mark.redis
def test_redis_channel_layer_delivers_to_group_members(redis_url):
    layer = RedisChannelLayer(hosts=[redis_url], prefix=f"monopod-test-{uuid.uuid4().hex}")

    async def round_trip() -> dict[str, Any]:
        channel = await layer.new_channel()
        await layer.group_add("acme.stock", channel)
        await layer.group_send("acme.stock", {"type": "stock.changed", "sku": "A-1"})
        message = await layer.receive(channel)
        await layer.flush()
        return message

    assert async_to_sync(round_trip)() == {"type": "stock.changed", "sku": "A-1"}


def backends_for(**environ: str) -> dict[str, str]:
    script = (
        "import json, django; django.setup(); from django.conf import settings as s; print(json.dumps({"
        "'cache': s.CACHES['default']['BACKEND'], 'channels': s.CHANNEL_LAYERS['default']['BACKEND'],"
        "'broker': s.CELERY_BROKER_URL}))"
    )
    base = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "BROKER_URL", "DATABASE_URL"}}
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=PROJECT_ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "monopod.settings.development", "SECRET_KEY": "x" * 60, **environ},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(result.stdout)


def test_services_follow_the_environment():
    embedded = backends_for()
    configured = backends_for(REDIS_URL="redis://cache:6379/0", BROKER_URL="amqp://u:p@mq:5672//")

    assert embedded == {
        "cache": "django.core.cache.backends.filebased.FileBasedCache",
        "channels": "channels.layers.InMemoryChannelLayer",
        "broker": "filesystem://",
    }
    assert configured == {
        "cache": "monopod.cache.RedisCache",
        "channels": "channels_redis.core.RedisChannelLayer",
        "broker": "amqp://u:p@mq:5672//",
    }
