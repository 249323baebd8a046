"""The relay: drains the outbox to the broker's events exchange and to each subscriber's delivery queue.

One relay runs at a time (a PostgreSQL advisory lock), so each aggregate's events leave in sequence
order. It claims pending rows in id order, ``FOR UPDATE SKIP LOCKED``, a batch per transaction; each
row is published and handed to ``deliveries_enqueue``, and once the broker has confirmed the whole
batch (envelopes and delivery tasks) the rows are marked sent in the transaction of their claim.
A row that fails stays pending with its attempts and last error, and holds back the later
events of its aggregate until a later run sends it: at-least-once, in order, never a crash loop.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context

from apps.events import delivery
from apps.events.broker import BrokerChannel, BrokerUnavailable, broker_channel, broker_disconnect
from apps.events.metrics import OUTBOX_FAILED, OUTBOX_PUBLISHED, backlog_record, outbox_backlog
from apps.events.models import OutboxEvent
from apps.events.wake import WAKE_POLL_SECONDS, relay_queue, wake_release

logger = logging.getLogger(__name__)

# pg_try_advisory_xact_lock key of the relay (arbitrary, fixed: "MPRELAY" in ASCII).
RELAY_LOCK_KEY = 0x4D5052454C4159
DEFAULT_BATCH_SIZE = 500
# A run that keeps polling (commits keep renewing the wake flag's lease) hands over to a new run after
# this long, so that no task runs for ever and a worker can stop between two.
RELAY_RUN_SECONDS = 30.0

AggregateKey = tuple[str, str, str]


@dataclass
class RelayRun:
    """What one relay run did."""

    published: int = 0
    failed: int = 0
    held: set[int] = field(default_factory=set)
    locked_out: bool = False
    broker_down: bool = False
    started: float = field(default_factory=time.monotonic)


def _public() -> Any:
    return schema_context(get_public_schema_name())


def _aggregate_key(row: OutboxEvent) -> AggregateKey | None:
    if not row.aggregate_type:
        return None
    return (row.tenant_schema, row.aggregate_type, row.aggregate_id)


def _claim(*, after: int, excluding: set[int], limit: int) -> list[OutboxEvent] | None:
    """Pending rows past ``after`` in id order, locked for this transaction; None when another relay runs."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [RELAY_LOCK_KEY])
        row = cursor.fetchone()
    if not row or not row[0]:
        return None
    pending = OutboxEvent.objects.select_for_update(skip_locked=True).filter(sent_at__isnull=True, id__gt=after)
    if excluding:
        pending = pending.exclude(id__in=excluding)
    return list(pending.order_by("id")[:limit])


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _relay_batch(rows: list[OutboxEvent], broker: BrokerChannel, run: RelayRun, blocked: set[AggregateKey]) -> None:
    """Publish and enqueue each row, wait for the broker's confirms, then record in this transaction
    what was sent and what failed."""
    sent: list[int] = []
    failures: dict[int, str] = {}
    deliveries = delivery.DeliveryBatch()
    for row in rows:
        key = _aggregate_key(row)
        if key is not None and key in blocked:
            run.held.add(row.id)  # behind an earlier event of its aggregate that did not go
            continue
        try:
            broker.publish(row.envelope)
        except Exception as exc:  # noqa: BLE001 - the broker is away: stop here, the rest waits
            logger.warning("outbox relay: broker refused event %s: %s", row.event_id, _describe(exc))
            failures[row.id] = _describe(exc)[:2000]
            run.broker_down = True
            break
        try:
            # No SQL runs here (the deliveries are only gathered), so a failure leaves the claim's
            # transaction usable without a savepoint per row.
            delivery.deliveries_enqueue(row.envelope, batch=deliveries)
        except Exception as exc:  # noqa: BLE001 - any failure leaves the row pending for a later run
            logger.warning("outbox relay: event %s (%s) failed: %s", row.event_id, row.event_type, _describe(exc))
            failures[row.id] = _describe(exc)[:2000]
            run.held.add(row.id)
            if key is not None:
                blocked.add(key)
        else:
            sent.append(row.id)
    try:
        deliveries.send(producer=broker.task_producer)
        broker.confirm()
    except Exception as exc:  # noqa: BLE001 - unconfirmed: nothing of this batch counts as sent
        logger.warning("outbox relay: the broker did not take a batch of %d events: %s", len(sent), _describe(exc))
        failures.update(dict.fromkeys(sent, _describe(exc)[:2000]))
        sent = []
        run.broker_down = True
    if sent:
        OutboxEvent.objects.filter(id__in=sent).update(sent_at=timezone.now())
    for row_id, error in failures.items():
        OutboxEvent.objects.filter(id=row_id).update(attempts=F("attempts") + 1, last_error=error)
    run.published += len(sent)
    run.failed += len(failures)
    OUTBOX_PUBLISHED.inc(len(sent))
    OUTBOX_FAILED.inc(len(failures))


PURGE_BATCH_SIZE = 5000


def outbox_purge(*, older_than: timedelta | None = None) -> int:
    """Delete relayed events sent more than ``older_than`` ago (``OUTBOX_RETENTION_DAYS``); returns how
    many. Pending events stay, however old. One transaction per batch, so a large purge never holds
    locks for long nor stops the relay."""
    age = older_than if older_than is not None else timedelta(days=int(settings.OUTBOX_RETENTION_DAYS))
    before = timezone.now() - age
    deleted = 0
    with _public():
        while True:
            batch = list(
                OutboxEvent.objects.filter(sent_at__lt=before)
                .order_by("id")
                .values_list("id", flat=True)[:PURGE_BATCH_SIZE]
            )
            if not batch:
                return deleted
            deleted += OutboxEvent.objects.filter(id__in=batch, sent_at__lt=before).delete()[0]


def relay_run(*, batch_size: int | None = None, broker_url: str | None = None) -> RelayRun:
    """Relay every pending event it can claim, batch by batch, until the outbox is drained."""
    size = batch_size or int(getattr(settings, "OUTBOX_RELAY_BATCH_SIZE", DEFAULT_BATCH_SIZE))
    run = RelayRun()
    with _public():
        try:
            with broker_channel(broker_url) as broker:
                _drain(run, set(), broker, size)
        except BrokerUnavailable as exc:  # nothing was claimed; the next run retries
            logger.warning("outbox relay: broker unreachable: %s", _describe(exc.__cause__ or exc))
            OUTBOX_FAILED.inc()
            run.broker_down = True
        if run.broker_down:
            broker_disconnect()
        try:
            backlog_record(outbox_backlog())
        except Exception:  # the gauges go stale; the relay's work is done and committed
            logger.exception("outbox relay: could not record the backlog for the metrics")
    if run.published or run.failed:
        logger.info("outbox relay: %d published, %d failed, %d held", run.published, run.failed, len(run.held))
    return run


def _drain(run: RelayRun, blocked: set[AggregateKey], broker: BrokerChannel, size: int) -> None:
    after = 0
    while True:
        with transaction.atomic():
            rows = _claim(after=after, excluding=run.held, limit=size)
            if rows is None:
                run.locked_out = True
                return
            if rows:
                _relay_batch(rows, broker, run, blocked)
                after = rows[-1].id
        if run.broker_down:
            return
        if len(rows) == size:
            continue
        # The end of the outbox. Until the wake flag's lease is over, commits ask for no run: look again,
        # from the start, every WAKE_POLL_SECONDS; past RELAY_RUN_SECONDS, hand over to a new run.
        lease_left = wake_release()
        if lease_left > 0:
            if time.monotonic() > run.started + RELAY_RUN_SECONDS:
                relay_queue()
                return
            time.sleep(min(lease_left, WAKE_POLL_SECONDS))
            after = 0
            continue
        # The flag is clear: look once more from the start. A commit that found the flag set is
        # visible now, and one that comes later queues its own run.
        with transaction.atomic():
            again = _claim(after=0, excluding=run.held, limit=1)
        if not again:
            return
        after = 0
