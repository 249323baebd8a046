"""Webhook deliveries: sign and POST an event to an endpoint, record the attempt, schedule the next."""

from __future__ import annotations

import fnmatch
import hashlib
import hmac
import http.client
import json
import random
import time
from datetime import timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from apps.events.webhooks import transport
from apps.events.webhooks.models import WebhookAttempt, WebhookEndpoint
from apps.events.webhooks.security import AddressRefused


def signature_compute(*, secret: str, timestamp: int, body: str) -> str:
    """``sha256=<hex>``: HMAC-SHA256 of ``f"{timestamp}.{body}"`` keyed with the endpoint's secret."""
    digest = hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def endpoint_wants(endpoint_patterns: list[str], event_type: str) -> bool:
    """Whether an endpoint with these patterns receives ``event_type`` (the registry's matching)."""
    return any(fnmatch.fnmatchcase(event_type, pattern) for pattern in endpoint_patterns)


def retry_delay(attempt: int) -> float:
    """Seconds before the attempt after ``attempt``: doubling from the base, capped, plus up to 25% jitter."""
    delay = min(settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** (attempt - 1), settings.WEBHOOK_RETRY_MAX_SECONDS)
    return float(delay * (1 + random.random() / 4))  # noqa: S311 - jitter, not a secret


def delivery_schedule(*, endpoint_id: int, envelope: dict[str, Any], attempt: int, countdown: float = 0) -> None:
    """Queue ``webhooks.deliver`` after the current transaction commits, in the event's tenant."""
    from apps.events.webhooks.tasks import deliver

    send = partial(
        deliver.apply_async,
        args=(endpoint_id, envelope, attempt),
        countdown=countdown,
        headers={"_schema_name": envelope["tenantId"]},
    )
    transaction.on_commit(send)


def webhooks_wanted(envelopes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The events some active endpoint of the current tenant wants: the relay delivers only those to the
    webhooks subscriber (most tenants have no endpoint, and most events no taker). One query."""
    endpoints = list(WebhookEndpoint.objects.filter(active=True).values_list("patterns", flat=True))
    return [envelope for envelope in envelopes if any(endpoint_wants(p, envelope["eventType"]) for p in endpoints)]


def webhooks_fan_out(*, envelope: dict[str, Any]) -> list[int]:
    """Schedule the first delivery of ``envelope`` to each active endpoint wanting it; their ids."""
    schema: str = connection.schema_name  # type: ignore[attr-defined]
    if envelope["tenantId"] != schema:
        raise RuntimeError(f"Event of tenant {envelope['tenantId']!r} handled in schema {schema!r}.")
    endpoints = WebhookEndpoint.objects.filter(active=True).values_list("pk", "patterns")
    wanting = [pk for pk, patterns in endpoints if endpoint_wants(patterns, envelope["eventType"])]
    for endpoint_id in wanting:
        delivery_schedule(endpoint_id=endpoint_id, envelope=envelope, attempt=1)
    return wanting


def webhook_deliver(*, endpoint_id: int, envelope: dict[str, Any], attempt: int) -> WebhookAttempt | None:
    """Make attempt number ``attempt`` to deliver ``envelope``; None if the endpoint is gone or inactive.

    Idempotent: an attempt already recorded is not made again. A failure schedules the next attempt
    with backoff until ``WEBHOOK_MAX_ATTEMPTS``, then the delivery is dead.
    """
    endpoint = WebhookEndpoint.objects.filter(pk=endpoint_id, active=True).first()
    if endpoint is None:
        return None
    done = WebhookAttempt.objects.filter(endpoint=endpoint, event_id=envelope["eventId"], attempt=attempt).first()
    if done is not None:
        return done

    body = json.dumps(envelope, separators=(",", ":"))
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "MonoPod-Webhooks/1",
        "X-MonoPod-Event": envelope["eventType"],
        "X-MonoPod-Delivery": str(envelope["eventId"]),
        "X-MonoPod-Timestamp": str(timestamp),
        "X-MonoPod-Signature": signature_compute(secret=endpoint.secret, timestamp=timestamp, body=body),
    }
    requested_at = timezone.now()
    started = time.monotonic()
    response_status: int | None = None
    excerpt = error = ""
    refused = False
    try:
        reply = transport.post(
            endpoint.url, body=body.encode(), headers=headers, timeout=settings.WEBHOOK_TIMEOUT_SECONDS
        )
    except AddressRefused as exc:
        refused, error = True, str(exc)
    except TimeoutError:
        error = f"Timed out after {settings.WEBHOOK_TIMEOUT_SECONDS} s."
    except (OSError, http.client.HTTPException, UnicodeError) as exc:  # refused, reset, TLS, DNS, bad reply
        error = f"{type(exc).__name__}: {exc}"
    else:
        response_status, excerpt = reply.status, reply.excerpt
    latency_ms = round((time.monotonic() - started) * 1000)

    next_retry_at = None
    if response_status is not None and 200 <= response_status < 300:
        status = WebhookAttempt.Status.DELIVERED
    elif refused:
        status = WebhookAttempt.Status.FAILED
    elif attempt >= settings.WEBHOOK_MAX_ATTEMPTS:
        status = WebhookAttempt.Status.DEAD
    else:
        status = WebhookAttempt.Status.RETRYING
        delay = retry_delay(attempt)
        next_retry_at = requested_at + timedelta(seconds=delay)
    try:
        with transaction.atomic():
            recorded = WebhookAttempt.objects.create(
                endpoint=endpoint,
                event_id=envelope["eventId"],
                event_type=envelope["eventType"],
                attempt=attempt,
                requested_at=requested_at,
                response_status=response_status,
                latency_ms=latency_ms,
                response_excerpt=excerpt,
                error=error,
                next_retry_at=next_retry_at,
                status=status,
            )
            if next_retry_at is not None:
                delivery_schedule(endpoint_id=endpoint.pk, envelope=envelope, attempt=attempt + 1, countdown=delay)
    except IntegrityError:  # a concurrent run of the same attempt recorded it first
        return WebhookAttempt.objects.get(endpoint=endpoint, event_id=envelope["eventId"], attempt=attempt)
    return recorded
