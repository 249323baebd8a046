"""Outbound webhooks: signed deliveries to a real local HTTP server, retries, the SSRF guard, isolation."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from apps.events.registry import subscriber_get
from apps.events.webhooks.models import WebhookAttempt, WebhookEndpoint
from apps.events.webhooks.security import address_allowed
from apps.events.webhooks.services import endpoint_wants, webhook_deliver
from apps.events.webhooks.subscribers import webhooks_on_event


class Receiver:
    """A webhook receiver on 127.0.0.1: records each request, answers ``status`` and ``body`` after ``delay``."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.status = 200
        self.body = b"ok"
        self.delay = 0.0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                receiver.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                time.sleep(receiver.delay)
                self.send_response(receiver.status)
                self.send_header("Content-Length", str(len(receiver.body)))
                self.end_headers()
                self.wfile.write(receiver.body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture
def receiver(settings: Any) -> Iterator[Receiver]:
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = True
    running = Receiver()
    thread = threading.Thread(target=running.server.serve_forever, daemon=True)
    thread.start()
    yield running
    running.server.shutdown()
    running.server.server_close()


def envelope_of(event_type: str = "ims.stock.low_threshold_reached", tenant_id: str = "acme") -> dict[str, Any]:
    return {
        "eventId": str(uuid.uuid4()),
        "eventType": event_type,
        "timestamp": "2026-11-23T10:00:00+00:00",
        "tenantId": tenant_id,
        "userId": None,
        "aggregate": {"type": "ims.item", "id": "7", "sequence": 3},
        "data": {"sku": "BLT-1", "onHand": 2},
        "metadata": {"traceId": "trace-1", "source": "monopod.ims"},
    }


def endpoint_for(url: str, patterns: list[str] | None = None, **fields: Any) -> WebhookEndpoint:
    # objects.create skips the URL validator: the delivery-time guard is what these tests exercise.
    return WebhookEndpoint.objects.create(
        url=url, patterns=patterns or ["*.*.*"], secret="s3cret-of-the-endpoint", **fields
    )


# --- delivery


def test_a_delivery_posts_the_envelope_signed_with_the_endpoints_secret(tenant, receiver):
    endpoint = endpoint_for(f"{receiver.url}/hooks/in?source=monopod")
    envelope = envelope_of()

    attempt = webhook_deliver(endpoint_id=endpoint.pk, envelope=envelope, attempt=1)

    [request] = receiver.requests
    headers = request["headers"]
    assert request["path"] == "/hooks/in?source=monopod"
    assert json.loads(request["body"]) == envelope
    assert headers["Content-Type"] == "application/json"
    assert headers["X-MonoPod-Event"] == "ims.stock.low_threshold_reached"
    assert headers["X-MonoPod-Delivery"] == envelope["eventId"]
    assert abs(int(headers["X-MonoPod-Timestamp"]) - time.time()) < 5
    signed = f"{headers['X-MonoPod-Timestamp']}.{request['body']}".encode()
    expected = hmac.new(b"s3cret-of-the-endpoint", signed, hashlib.sha256).hexdigest()
    assert headers["X-MonoPod-Signature"] == f"sha256={expected}"
    assert attempt is not None
    assert (attempt.status, attempt.response_status, attempt.response_excerpt, attempt.error) == (
        "delivered",
        200,
        "ok",
        "",
    )
    assert (attempt.attempt, str(attempt.event_id), attempt.event_type, attempt.next_retry_at) == (
        1,
        envelope["eventId"],
        "ims.stock.low_threshold_reached",
        None,
    )
    assert 0 <= attempt.latency_ms < 5000


def test_a_recorded_attempt_is_not_made_again(tenant, receiver):
    endpoint = endpoint_for(receiver.url)
    envelope = envelope_of()

    first = webhook_deliver(endpoint_id=endpoint.pk, envelope=envelope, attempt=1)
    again = webhook_deliver(endpoint_id=endpoint.pk, envelope=envelope, attempt=1)

    assert again == first
    assert len(receiver.requests) == 1
    assert WebhookAttempt.objects.count() == 1


def test_an_inactive_endpoint_gets_nothing(tenant, receiver):
    endpoint = endpoint_for(receiver.url, active=False)

    assert webhook_deliver(endpoint_id=endpoint.pk, envelope=envelope_of(), attempt=1) is None
    assert receiver.requests == []
    assert WebhookAttempt.objects.count() == 0


def test_a_non_2xx_answer_is_recorded_and_the_next_attempt_scheduled(
    tenant, receiver, django_capture_on_commit_callbacks
):
    receiver.status, receiver.body = 503, b"busy"
    endpoint = endpoint_for(receiver.url)
    envelope = envelope_of()

    with django_capture_on_commit_callbacks() as scheduled:
        attempt = webhook_deliver(endpoint_id=endpoint.pk, envelope=envelope, attempt=1)

    assert attempt is not None
    assert (attempt.status, attempt.response_status, attempt.response_excerpt) == ("retrying", 503, "busy")
    [retry] = scheduled
    assert retry.keywords["args"] == (endpoint.pk, envelope, 2)  # type: ignore[attr-defined]
    assert retry.keywords["headers"] == {"_schema_name": "acme"}  # type: ignore[attr-defined]
    countdown = retry.keywords["countdown"]  # type: ignore[attr-defined]
    assert 30 <= countdown <= 37.5  # 30 s base, up to 25% jitter
    assert attempt.next_retry_at is not None
    assert abs((attempt.next_retry_at - attempt.requested_at).total_seconds() - countdown) < 0.001


def test_backoff_doubles_per_attempt(tenant, receiver, settings, django_capture_on_commit_callbacks):
    receiver.status = 500
    endpoint = endpoint_for(receiver.url)

    with django_capture_on_commit_callbacks() as scheduled:
        webhook_deliver(endpoint_id=endpoint.pk, envelope=envelope_of(), attempt=4)

    assert 240 <= scheduled[0].keywords["countdown"] <= 300  # type: ignore[attr-defined]


def test_the_last_attempt_failing_leaves_the_delivery_dead(
    tenant, receiver, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    receiver.status = 500
    endpoint = endpoint_for(receiver.url)

    with django_capture_on_commit_callbacks() as scheduled:
        attempt = webhook_deliver(endpoint_id=endpoint.pk, envelope=envelope_of(), attempt=2)

    assert attempt is not None
    assert (attempt.status, attempt.response_status, attempt.next_retry_at) == ("dead", 500, None)
    assert scheduled == []


def test_retries_run_until_dead_with_every_attempt_recorded(
    tenant, receiver, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    receiver.status, receiver.body = 500, b"boom"
    endpoint = endpoint_for(receiver.url)
    envelope = envelope_of()

    with django_capture_on_commit_callbacks(execute=True):
        webhooks_on_event(envelope)

    attempts = WebhookAttempt.objects.filter(endpoint=endpoint).order_by("attempt")
    assert [(a.attempt, a.status, a.response_status, a.response_excerpt) for a in attempts] == [
        (1, "retrying", 500, "boom"),
        (2, "retrying", 500, "boom"),
        (3, "dead", 500, "boom"),
    ]
    assert len(receiver.requests) == 3
    assert {request["headers"]["X-MonoPod-Delivery"] for request in receiver.requests} == {envelope["eventId"]}


def test_a_timeout_is_recorded_as_an_error(tenant, receiver, settings, django_capture_on_commit_callbacks):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.2
    receiver.delay = 1.0
    endpoint = endpoint_for(receiver.url)

    with django_capture_on_commit_callbacks() as scheduled:
        attempt = webhook_deliver(endpoint_id=endpoint.pk, envelope=envelope_of(), attempt=1)

    assert attempt is not None
    assert (attempt.status, attempt.response_status, attempt.error) == ("retrying", None, "Timed out after 0.2 s.")
    assert 200 <= attempt.latency_ms < 1000
    assert len(scheduled) == 1


def test_a_refused_connection_is_recorded_as_an_error(tenant, settings, django_capture_on_commit_callbacks):
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = True
    closed = Receiver()
    url = closed.url
    closed.server.server_close()
    endpoint = endpoint_for(url)

    with django_capture_on_commit_callbacks():
        attempt = webhook_deliver(endpoint_id=endpoint.pk, envelope=envelope_of(), attempt=1)

    assert attempt is not None
    assert (attempt.status, attempt.response_status) == ("retrying", None)
    assert attempt.error.startswith("ConnectionRefusedError")


def test_a_host_that_does_not_resolve_is_retried(tenant, django_capture_on_commit_callbacks):
    endpoint = endpoint_for("https://hooks.example.invalid/in")

    with django_capture_on_commit_callbacks() as scheduled:
        attempt = webhook_deliver(endpoint_id=endpoint.pk, envelope=envelope_of(), attempt=1)

    assert attempt is not None
    assert (attempt.status, attempt.response_status) == ("retrying", None)
    assert attempt.error.startswith("gaierror")
    assert len(scheduled) == 1


def test_the_excerpt_keeps_the_first_kilobyte_of_the_response(tenant, receiver):
    receiver.body = b"x" * 3000
    endpoint = endpoint_for(receiver.url)

    attempt = webhook_deliver(endpoint_id=endpoint.pk, envelope=envelope_of(), attempt=1)

    assert attempt is not None
    assert attempt.response_excerpt == "x" * 1024


# --- the subscriber: which endpoints get an event


def test_the_subscriber_is_registered_for_every_event():
    registered = subscriber_get("webhooks")

    assert registered.patterns == ("*.*.*",)
    assert registered.handler is webhooks_on_event


def test_an_event_goes_to_the_active_endpoints_whose_patterns_match(
    tenant, receiver, django_capture_on_commit_callbacks
):
    endpoint_for(f"{receiver.url}/stock", ["ims.stock.*"])
    endpoint_for(f"{receiver.url}/two", ["crm.*.*", "*.*.low_threshold_reached"])
    endpoint_for(f"{receiver.url}/orders", ["commerce.order.*"])
    endpoint_for(f"{receiver.url}/inactive", ["*.*.*"], active=False)

    with django_capture_on_commit_callbacks(execute=True):
        webhooks_on_event(envelope_of("ims.stock.low_threshold_reached"))

    assert sorted(request["path"] for request in receiver.requests) == ["/stock", "/two"]
    assert WebhookAttempt.objects.filter(status="delivered").count() == 2


@pytest.mark.parametrize(
    ("patterns", "event_type", "wanted"),
    [
        (["ims.stock.*"], "ims.stock.low_threshold_reached", True),
        (["ims.stock.*"], "ims.stockist.created", False),
        (["*.*.created"], "crm.contact.created", True),
        (["*.*.created"], "crm.contact.updated", False),
        (["crm.contact.created"], "crm.contact.created", True),
        (["ims.*.*", "crm.*.*"], "crm.deal.won", True),
        (["ims.*.*"], "tenants.tenant.created", False),
    ],
)
def test_patterns_match_event_types_as_the_registry_does(patterns, event_type, wanted):
    assert endpoint_wants(patterns, event_type) is wanted


def test_an_acme_event_never_reaches_globex_endpoints(
    tenant, other_tenant, receiver, django_capture_on_commit_callbacks
):
    endpoint_for(f"{receiver.url}/acme")
    with tenant_context(other_tenant):
        endpoint_for(f"{receiver.url}/globex")
    connection.set_tenant(tenant)

    with django_capture_on_commit_callbacks(execute=True):
        webhooks_on_event(envelope_of(tenant_id="acme"))

    assert [request["path"] for request in receiver.requests] == ["/acme"]
    with tenant_context(other_tenant):
        assert WebhookAttempt.objects.count() == 0


def test_the_subscriber_refuses_an_event_of_another_tenant(tenant, receiver, django_capture_on_commit_callbacks):
    endpoint_for(receiver.url)

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError, match="globex"):
        webhooks_on_event(envelope_of(tenant_id="globex"))

    assert receiver.requests == []


# --- the SSRF guard


@pytest.mark.parametrize(
    ("address", "allowed"),
    [
        ("93.184.215.14", True),
        ("2606:4700:4700::1111", True),
        ("127.0.0.1", False),
        ("10.0.0.5", False),
        ("172.16.3.4", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("0.0.0.0", False),  # noqa: S104 - an address judged, not bound
        ("224.0.0.1", False),
        ("240.0.0.1", False),
        ("::1", False),
        ("::", False),
        ("fe80::1", False),
        ("fc00::1", False),
        ("ff02::1", False),
        ("::ffff:127.0.0.1", False),
        ("::ffff:10.0.0.1", False),
    ],
)
def test_only_public_unicast_addresses_are_allowed(address, allowed):
    assert address_allowed(ipaddress.ip_address(address)) is allowed


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8080/hook", "http://localhost/hook", "http://[::1]/hook", "http://169.254.169.254/"],
)
def test_a_delivery_to_a_private_address_is_refused_and_not_retried(
    tenant, receiver, settings, django_capture_on_commit_callbacks, url
):
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = False
    endpoint = endpoint_for(url)

    with django_capture_on_commit_callbacks() as scheduled:
        attempt = webhook_deliver(endpoint_id=endpoint.pk, envelope=envelope_of(), attempt=1)

    assert attempt is not None
    assert (attempt.status, attempt.response_status) == ("failed", None)
    assert "private or reserved address" in attempt.error
    assert scheduled == []


def test_a_delivery_to_the_local_receiver_is_refused_without_the_setting(tenant, receiver, settings):
    endpoint = endpoint_for(receiver.url)
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = False

    attempt = webhook_deliver(endpoint_id=endpoint.pk, envelope=envelope_of(), attempt=1)

    assert attempt is not None
    assert attempt.status == "failed"
    assert receiver.requests == []
