"""Probes and metrics, on tenant hosts, the public host and hosts with no tenant."""

from __future__ import annotations

import pytest
from django.test import Client

from monopod.celery import app as celery_app

UNREACHABLE_BROKER = "amqp://guest:guest@127.0.0.1:1//"


@pytest.fixture
def broker(monkeypatch):
    """Point the Celery app at a given broker URL for one test."""

    def use(url: str) -> None:
        monkeypatch.setattr(celery_app.conf, "broker_url", url)

    return use


def test_live_answers_without_a_tenant(db):
    response = Client(HTTP_HOST="unknown.localhost").get("/health/live")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"


def test_ready_reports_each_check(tenant_client):
    response = tenant_client.get("/health/ready")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "broker": "ok", "outbox": "ok"},
        "failed": [],
    }


def test_ready_answers_503_naming_an_unreachable_broker(tenant_client, broker):
    broker(UNREACHABLE_BROKER)

    response = tenant_client.get("/health/ready")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["failed"] == ["broker"]
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["broker"].startswith("OperationalError")


def test_ready_answers_503_naming_an_unreachable_cache(tenant_client, settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }

    response = tenant_client.get("/health/ready")

    assert response.status_code == 503
    assert response.json()["failed"] == ["cache"]


@pytest.mark.rabbitmq
def test_ready_checks_a_real_rabbitmq(tenant_client, broker, broker_url):
    broker(broker_url)

    response = tenant_client.get("/health/ready")

    assert response.status_code == 200
    assert response.json()["checks"]["broker"] == "ok"


def test_startup_is_ok_once_shared_schema_is_migrated(public_client):
    response = public_client.get("/health/startup")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "region": "global"}


def test_metrics_expose_http_and_database_series(tenant_client):
    tenant_client.get("/health/ready")

    response = tenant_client.get("/metrics")

    assert response.status_code == 200
    text = response.content.decode()
    assert 'django_http_responses_total_by_status_total{status="200"}' in text
    assert 'django_db_execute_total{alias="default",vendor="postgresql"}' in text


@pytest.mark.parametrize("path", ["/health/live", "/metrics"])
def test_probe_and_metrics_routing_needs_no_database(db, django_assert_num_queries, path):
    with django_assert_num_queries(0):
        response = Client(HTTP_HOST="acme.localhost").get(path)

    assert response.status_code == 200


def test_probe_on_a_disallowed_host_is_refused(db):
    response = Client(HTTP_HOST="evil.example.com").get("/health/live")

    assert response.status_code == 404
