"""``publish()``: an event joins the business transaction that caused it, or nothing is published."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import connection, models, transaction
from psycopg.types.json import Jsonb

from apps.events.registry import event_type_get
from apps.events.wake import relay_wake
from monopod.observability import trace_id_var, user_var


class TransactionRequired(RuntimeError):
    """``publish()`` was called outside a transaction, where the event could outlive a failed change."""


def _aggregate_of(aggregate: models.Model | tuple[str, Any] | None) -> tuple[str, str]:
    if aggregate is None:
        return "", ""
    if isinstance(aggregate, models.Model):
        return aggregate._meta.label_lower, str(aggregate.pk)
    aggregate_type, aggregate_id = aggregate
    return str(aggregate_type), str(aggregate_id)


# Raw SQL: publish() runs inside every business transaction, and the ORM's insert cost as much as the
# business change itself.
_INSERT_SQL = """
    INSERT INTO public.events_outboxevent
        (event_id, event_type, tenant_schema, aggregate_type, aggregate_id, sequence, envelope, created_at, attempts,
         last_error)
    VALUES (%s, %s, %s, '', '', NULL, %s, %s, 0, '')
"""
# The aggregate's next number and the outbox row in one statement; the sequence row stays locked until
# the transaction ends, which orders the aggregate's writers.
_INSERT_NUMBERED_SQL = """
    WITH numbered AS (
        INSERT INTO public.events_aggregatesequence AS sequences (tenant_schema, aggregate_type, aggregate_id, last)
        VALUES (%s, %s, %s, 1)
        ON CONFLICT (tenant_schema, aggregate_type, aggregate_id) DO UPDATE SET last = sequences.last + 1
        RETURNING last
    )
    INSERT INTO public.events_outboxevent
        (event_id, event_type, tenant_schema, aggregate_type, aggregate_id, sequence, envelope, created_at, attempts,
         last_error)
    SELECT %s, %s, %s, %s, %s, last, jsonb_set(%s, '{aggregate,sequence}', to_jsonb(last)), %s, 0, '' FROM numbered
    RETURNING sequence
"""


def _outbox_statement(
    envelope: dict[str, Any], schema: str, aggregate_type: str, aggregate_id: str
) -> tuple[str, list[Any]]:
    """The statement writing the outbox row, numbered among its aggregate's events when it has one (the
    numbered statement returns the number)."""
    now = datetime.now(UTC)
    if not aggregate_type:
        return _INSERT_SQL, [envelope["eventId"], envelope["eventType"], schema, Jsonb(envelope), now]
    params = [schema, aggregate_type, aggregate_id, envelope["eventId"], envelope["eventType"]]
    params += [schema, aggregate_type, aggregate_id, Jsonb(envelope), now]
    return _INSERT_NUMBERED_SQL, params


def _in_transaction() -> bool:
    return bool(connection.in_atomic_block)


def _actor_id(actor: Any) -> str | None:
    if actor is None:
        return user_var.get()
    return str(getattr(actor, "pk", actor))


@dataclass(frozen=True)
class PreparedEvent:
    """An event ready for the outbox: the statement (``sql``, ``params``) and the envelope it writes.

    A writer that sends its own statement anyway may send this one after it in the same ``execute()``
    (``f"{its_sql};{event.sql}"``): one round trip for the change and its event. The envelope's
    aggregate sequence is then not read back.
    """

    sql: str
    params: list[Any]
    envelope: dict[str, Any]


def publish(
    event_type: str,
    data: dict[str, Any],
    *,
    actor: Any = None,
    aggregate: models.Model | tuple[str, Any] | None = None,
) -> dict[str, Any]:
    """Record the event ``event_type`` with ``data`` in the outbox, in the current transaction.

    ``data`` must match the type's schema (apps.events.registry). ``actor`` (a user or an id) defaults
    to the request's user; ``aggregate`` (a model instance, or ``(type, id)``) gives the event a
    sequence number among that aggregate's events. Nothing leaves before commit; a rollback takes the
    event with it. Returns the envelope.
    """
    prepared = event_prepare(event_type, data, actor=actor, aggregate=aggregate)
    with connection.cursor() as cursor:
        cursor.execute(prepared.sql, prepared.params)
        if prepared.envelope["aggregate"] is not None:
            prepared.envelope["aggregate"]["sequence"] = int(cursor.fetchone()[0])
    return prepared.envelope


def event_prepare(
    event_type: str,
    data: dict[str, Any],
    *,
    actor: Any = None,
    aggregate: models.Model | tuple[str, Any] | None = None,
) -> PreparedEvent:
    """What ``publish`` writes, as a statement the caller sends in the current transaction, with its own.

    Checks the type and the data and wakes the relay after commit, as ``publish`` does.
    """
    if not _in_transaction():
        raise TransactionRequired("publish() must run inside the transaction of the change it reports.")
    registered = event_type_get(event_type)
    registered.validate(data)
    schema = str(getattr(connection, "schema_name", ""))
    aggregate_type, aggregate_id = _aggregate_of(aggregate)
    envelope: dict[str, Any] = {
        "eventId": str(uuid.uuid4()),
        "eventType": event_type,
        "timestamp": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        "tenantId": schema,
        "userId": _actor_id(actor),
        "aggregate": {"type": aggregate_type, "id": aggregate_id, "sequence": None} if aggregate_type else None,
        "data": data,
        "metadata": {"traceId": trace_id_var.get(), "source": f"monopod.{registered.module}"},
    }
    sql, params = _outbox_statement(envelope, schema, aggregate_type, aggregate_id)
    transaction.on_commit(relay_wake)
    return PreparedEvent(sql, params, envelope)
