"""Running subscribers once per event, retrying them with backoff, and replaying the dead ones."""

from __future__ import annotations

import logging
import random
from datetime import timedelta
from functools import partial
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from psycopg.types.json import Jsonb

from apps.audit.services import audit_record
from apps.events.deliveries import tasks
from apps.events.deliveries.models import Delivery
from apps.events.registry import Subscriber, subscriber_get

logger = logging.getLogger(__name__)

BACKOFF_BASE_SECONDS = 2.0
BACKOFF_CAP_SECONDS = 600.0
# For a subscriber no longer registered (renamed, removed, not yet deployed): subscriber()'s default.
DEFAULT_MAX_ATTEMPTS = 8
LAST_ERROR_LENGTH = 2000
# A retry this late has lost its message (a worker died between recording the failure and queueing
# it, or the tenant was not serving when it came): the sweep queues it again.
OVERDUE_AFTER = timedelta(minutes=5)


class DeliveryNotReplayable(ValueError):
    """The delivery is done: replaying it would make its subscriber take effect twice."""


def jitter(low: float, high: float) -> float:
    """A random delay in [low, high]; spreads the retries of many deliveries that failed together."""
    return random.uniform(low, high)  # noqa: S311 - not for secrets


def backoff_seconds(attempts: int) -> float:
    """Seconds before the next try after ``attempts`` failures: 2 s doubling up to 10 min, jittered to half-full."""
    ceiling = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** (attempts - 1))
    return jitter(ceiling / 2, ceiling)


def error_text(error: BaseException) -> str:
    text = f"{type(error).__module__}.{type(error).__qualname__}: {error}"
    return text if len(text) <= LAST_ERROR_LENGTH else text[: LAST_ERROR_LENGTH - 1] + "…"


def delivery_queue(*, subscriber: str, envelope: dict[str, Any], countdown: float | None = None) -> None:
    """Send the delivery task, in the current tenant's schema (tenant-schemas-celery carries it)."""
    tasks.deliver.apply_async(args=(subscriber, envelope), countdown=countdown)


def deliveries_queue(*, subscriber: str, envelopes: list[dict[str, Any]], producer: Any = None) -> None:
    """Send one task delivering these events of the current tenant to ``subscriber``, in their order."""
    tasks.deliver_many.apply_async(args=(subscriber, envelopes), producer=producer)


def _delivery_take(*, subscriber: str, envelope: dict[str, Any]) -> Delivery:
    """The (subscriber, event) row, inserted if new, locked until the transaction ends."""
    Delivery.objects.bulk_create(
        [
            Delivery(
                subscriber=subscriber,
                event_id=envelope["eventId"],
                event_type=envelope["eventType"],
                envelope=envelope,
            )
        ],
        ignore_conflicts=True,
    )
    return Delivery.objects.select_for_update().get(subscriber=subscriber, event_id=envelope["eventId"])


# One round trip takes the row: inserted when new, else locked as it stands (the no-op update locks it).
# In a batch that commits whole or not at all, a new row goes in ``done`` at once (its handler's
# failure rolls the batch back). ``xmax = 0`` only on a row inserted.
_CLAIM_SQL = """
    INSERT INTO {table}
        (subscriber, event_id, event_type, envelope, status, attempts, last_error, created_at, updated_at, done_at)
    VALUES (%s, %s, %s, %s, %s, %s, '', %s, %s, %s)
    ON CONFLICT (subscriber, event_id) DO UPDATE SET status = {table}.status
    RETURNING id, status, xmax = 0
"""
_DONE_SQL = """
    UPDATE {table}
    SET status = 'done', attempts = attempts + 1, next_attempt_at = NULL, done_at = %s, updated_at = %s
    WHERE id = %s
"""


def _delivery_table() -> str:
    return str(connection.ops.quote_name(Delivery._meta.db_table))


def _delivery_apply(registered: Subscriber, envelope: dict[str, Any], *, whole_batch: bool = False) -> str:
    """Run the subscriber unless the delivery already took effect; its writes and ``done`` share the transaction.

    In a batch that commits whole (``whole_batch``), a new delivery is claimed as done: one statement
    fewer. Otherwise it is claimed pending and marked done once its handler returned.
    """
    now = timezone.now()
    new_status, new_attempts, new_done_at = ("done", 1, now) if whole_batch else ("pending", 0, None)
    params: list[Any] = [registered.name, envelope["eventId"], envelope["eventType"], Jsonb(envelope)]
    params += [new_status, new_attempts, now, now, new_done_at]
    with connection.cursor() as cursor:
        cursor.execute(_CLAIM_SQL.format(table=_delivery_table()), params)
        pk, status, inserted = cursor.fetchone()
    if whole_batch and inserted:
        registered.handler(envelope)
        return Delivery.Status.DONE
    if status != Delivery.Status.PENDING:
        return str(status)
    registered.handler(envelope)
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(_DONE_SQL.format(table=_delivery_table()), [now, now, pk])
    return Delivery.Status.DONE


class _BatchFailed(Exception):
    """An event of a batch run without savepoints failed: the batch is rolled back and run again with them."""


def deliveries_run(*, subscriber_name: str, envelopes: list[dict[str, Any]]) -> list[str]:
    """Run the subscriber on each event that has not yet taken effect, in order; returns each delivery's status.

    The events of a batch share one transaction (one commit, not one per event): a subscriber's writes
    and its delivery's ``done`` commit together, so a repeat (the task run twice, the relay sending
    again) finds it done. The batch runs first without savepoints; if a handler fails, it is rolled
    back and runs again with a savepoint per event, so the failure rolls back that event's writes only
    and is recorded after the batch commits (:func:`_delivery_failure_record`), which queues the retry
    or ends it as dead.
    """
    try:
        registered = subscriber_get(subscriber_name)
    except LookupError as error:
        return [
            _delivery_failure_record(
                subscriber=subscriber_name, envelope=envelope, error=error, max_attempts=DEFAULT_MAX_ATTEMPTS
            ).status
            for envelope in envelopes
        ]
    # Nearly every batch succeeds whole: run it without a savepoint per event (two round trips fewer an
    # event). If an event fails, nothing of the batch stays, and it runs again as below.
    if len(envelopes) > 1:
        try:
            with transaction.atomic():
                done = []
                for envelope in envelopes:
                    try:
                        done.append(_delivery_apply(registered, envelope, whole_batch=True))
                    except Exception as exc:
                        raise _BatchFailed from exc
            return done
        except _BatchFailed:
            pass
    statuses: list[str | None] = []
    failures: dict[int, BaseException] = {}
    with transaction.atomic():
        for index, envelope in enumerate(envelopes):
            try:
                with transaction.atomic():
                    statuses.append(_delivery_apply(registered, envelope))
            except Exception as exc:  # noqa: BLE001 - whatever a subscriber raises is recorded and retried
                statuses.append(None)
                failures[index] = exc
    for index, failure in failures.items():
        statuses[index] = _delivery_failure_record(
            subscriber=subscriber_name, envelope=envelopes[index], error=failure, max_attempts=registered.max_attempts
        ).status
    return [str(status) for status in statuses]


def _delivery_failure_record(
    *, subscriber: str, envelope: dict[str, Any], error: BaseException, max_attempts: int
) -> Delivery:
    """Count the failed attempt; queue the retry after commit, or end the delivery as dead."""
    logger.warning(
        "delivery of %s %s to %s failed: %s",
        envelope.get("eventType"),
        envelope.get("eventId"),
        subscriber,
        error_text(error),
    )
    with transaction.atomic():
        delivery = _delivery_take(subscriber=subscriber, envelope=envelope)
        if delivery.status != Delivery.Status.PENDING:  # a concurrent run finished it meanwhile
            return delivery
        delivery.attempts += 1
        delivery.last_error = error_text(error)
        if delivery.attempts >= max_attempts:
            delivery.status = Delivery.Status.DEAD
            delivery.next_attempt_at = None
        else:
            delay = backoff_seconds(delivery.attempts)
            delivery.next_attempt_at = timezone.now() + timedelta(seconds=delay)
            # After commit: the retry must find this attempt counted. A countdown, not a sleep, so a
            # failing subscriber holds no worker while it waits.
            transaction.on_commit(partial(delivery_queue, subscriber=subscriber, envelope=envelope, countdown=delay))
        delivery.save(update_fields=["status", "attempts", "last_error", "next_attempt_at", "updated_at"])
    return delivery


def delivery_replay(*, delivery: Delivery, actor: Any = None) -> Delivery:
    """Reset a dead (or stuck pending) delivery to pending with its attempts at zero and queue it after commit."""
    with transaction.atomic():
        locked = Delivery.objects.select_for_update().get(pk=delivery.pk)
        if not locked.can_replay():
            raise DeliveryNotReplayable(f"Delivery {locked.pk} is done: it is not run again.")
        locked.status = Delivery.Status.PENDING
        locked.attempts = 0
        locked.next_attempt_at = None
        locked.save(update_fields=["status", "attempts", "next_attempt_at", "updated_at"])
        audit_record(action="replay", obj=locked, actor=actor)
        transaction.on_commit(partial(delivery_queue, subscriber=locked.subscriber, envelope=locked.envelope))
    return locked


def deliveries_overdue_requeue(*, overdue_after: timedelta = OVERDUE_AFTER) -> int:
    """Queue again this tenant's pending deliveries whose retry is overdue; returns how many.

    Their ``next_attempt_at`` moves to now, so the next sweep leaves them alone while they wait in
    the queue; a retry that was only late runs twice, which the delivery's row makes harmless.
    """
    now = timezone.now()
    with transaction.atomic():
        overdue = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(status=Delivery.Status.PENDING, next_attempt_at__lt=now - overdue_after)
            .only("pk", "subscriber", "envelope")
        )
        Delivery.objects.filter(pk__in=[delivery.pk for delivery in overdue]).update(next_attempt_at=now)
        for delivery in overdue:
            transaction.on_commit(partial(delivery_queue, subscriber=delivery.subscriber, envelope=delivery.envelope))
    return len(overdue)
