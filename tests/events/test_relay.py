"""The relay: the outbox drained in order to the broker and to subscribers, at least once."""

from __future__ import annotations

import json
import time
import uuid
from datetime import timedelta

import psycopg
import pytest
from django.core.cache import cache, caches
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context, tenant_context
from kombu import Connection, Queue
from prometheus_client import REGISTRY

from apps.events import broker, delivery, tasks
from apps.events.broker import EVENTS_EXCHANGE
from apps.events.metrics import OutboxBacklog, backlog_record
from apps.events.models import OutboxEvent
from apps.events.relay import RELAY_LOCK_KEY, relay_run
from apps.events.services import publish
from apps.tenants.provisioning import tenant_domain_name
from monopod.cache_keys import PLATFORM
from monopod.celery import app as celery_app
from tests.events.test_publish import TESTED

MOVED = TESTED.name


def pending_ids() -> list[str]:
    return [
        str(e)
        for e in OutboxEvent.objects.filter(sent_at__isnull=True).order_by("id").values_list("event_id", flat=True)
    ]


def test_a_run_drains_the_outbox_in_batches_and_marks_rows_sent(outbox, tenant, enqueued):
    envelopes = [publish(MOVED, {"to": f"shelf-{n}"}) for n in range(5)]

    run = relay_run(batch_size=2)

    assert (run.published, run.failed, run.held, run.locked_out) == (5, 0, set(), False)
    assert [e["eventId"] for e in enqueued] == [e["eventId"] for e in envelopes]
    assert enqueued[0] == envelopes[0]
    assert OutboxEvent.objects.filter(sent_at__isnull=False).count() == 5
    assert pending_ids() == []
    assert relay_run().published == 0


def test_events_of_two_tenants_are_relayed_each_with_its_tenant(outbox, tenant, other_tenant, enqueued):
    publish(MOVED, {"to": "acme"})
    with tenant_context(other_tenant):
        publish(MOVED, {"to": "globex"})

    assert relay_run().published == 2

    assert [(e["tenantId"], e["data"]["to"]) for e in enqueued] == [("acme", "acme"), ("globex", "globex")]
    assert connection.schema_name == "acme"


def test_an_aggregates_events_leave_in_sequence_order_even_after_a_failure(outbox, tenant, monkeypatch):
    for to in ("a", "b", "c"):
        publish(MOVED, {"to": to}, aggregate=("testing.widget", 7))
    publish(MOVED, {"to": "other"}, aggregate=("testing.widget", 8))
    seen: list[tuple[str, int]] = []
    failing = {"a"}

    def enqueue(envelope: dict, **options: object) -> int:
        if envelope["data"]["to"] in failing:
            raise RuntimeError("subscriber store down")
        seen.append((envelope["aggregate"]["id"], envelope["aggregate"]["sequence"]))
        return 1

    monkeypatch.setattr(delivery, "deliveries_enqueue", enqueue)

    first = relay_run()
    failing.clear()
    second = relay_run()

    assert (first.published, first.failed, len(first.held)) == (1, 1, 3)
    assert (second.published, second.failed) == (3, 0)
    assert seen == [("8", 1), ("7", 1), ("7", 2), ("7", 3)]
    held_back = OutboxEvent.objects.get(sequence=2, aggregate_id="7")
    assert (held_back.attempts, held_back.last_error) == (0, "")


def test_a_failing_enqueue_leaves_the_row_pending_with_its_error(outbox, tenant, monkeypatch):
    envelope = publish(MOVED, {"to": "shelf"})

    def enqueue(envelope: dict, **options: object) -> int:
        raise RuntimeError("subscriber store down")

    monkeypatch.setattr(delivery, "deliveries_enqueue", enqueue)
    run = relay_run()

    row = OutboxEvent.objects.get(event_id=envelope["eventId"])
    assert (run.published, run.failed) == (0, 1)
    assert (row.sent_at, row.attempts, row.last_error) == (None, 1, "RuntimeError: subscriber store down")
    relay_run()
    row.refresh_from_db()
    assert (row.sent_at, row.attempts) == (None, 2)


def test_a_run_waits_for_the_relay_that_holds_the_lock(outbox, tenant, enqueued, committed):
    conn, _made = committed
    publish(MOVED, {"to": "shelf"})
    conn.execute("SELECT pg_advisory_lock(%s)", [RELAY_LOCK_KEY])
    try:
        run = relay_run()
    finally:
        conn.execute("SELECT pg_advisory_unlock(%s)", [RELAY_LOCK_KEY])

    assert (run.locked_out, run.published, enqueued) == (True, 0, [])
    assert relay_run().published == 1


@pytest.fixture
def committed_event(committed):
    """Commits a pending outbox row from another connection; it is deleted after the test's rollback.

    Ask for this fixture before ``outbox``: its cleanup must run once the test's transaction is gone.
    """
    conn, _made = committed
    event_id = str(uuid.uuid4())

    def commit() -> str:
        envelope = {"eventId": event_id, "eventType": MOVED, "tenantId": "acme", "data": {"to": "locked"}}
        conn.execute(
            "INSERT INTO public.events_outboxevent (event_id, event_type, tenant_schema, aggregate_type,"
            " aggregate_id, envelope, created_at, attempts, last_error)"
            " VALUES (%s, %s, 'acme', '', '', %s, now(), 0, '')",
            [event_id, MOVED, json.dumps(envelope)],
        )
        return event_id

    yield conn, commit
    conn.execute("DELETE FROM public.events_outboxevent WHERE event_id = %s", [event_id])


def test_a_row_locked_by_another_transaction_is_skipped(committed_event, outbox, tenant, enqueued):
    conn, commit = committed_event
    event_id = commit()
    settings_dict = connection.settings_dict
    locker = psycopg.connect(conninfo=conn.info.dsn, password=settings_dict.get("PASSWORD") or None)
    try:
        locker.execute("SELECT id FROM public.events_outboxevent WHERE event_id = %s FOR UPDATE", [event_id])
        publish(MOVED, {"to": "free"})

        skipped = relay_run()

        assert skipped.published == 1
        assert [e["data"]["to"] for e in enqueued] == ["free"]
        assert pending_ids() == [event_id]
    finally:
        locker.rollback()
        locker.close()
    assert relay_run().published == 1
    assert [e["data"]["to"] for e in enqueued] == ["free", "locked"]


def test_platform_keys_are_the_public_schemas_keys_from_any_schema(tenant):
    caches[PLATFORM].set("events:test:platform-key", "from acme", timeout=60)
    with schema_context("public"):
        assert cache.get("events:test:platform-key") == "from acme"
        cache.delete("events:test:platform-key")
    assert caches[PLATFORM].get("events:test:platform-key") is None


def test_the_task_is_registered_and_swept_every_five_seconds(settings):
    assert celery_app.tasks["events.relay"].run.__qualname__ == "outbox_relay"
    assert settings.CELERY_BEAT_SCHEDULE["events-relay-sweep"] == {"task": "events.relay", "schedule": 5.0}


def test_the_task_relays_and_answers_how_many_went(outbox, tenant, enqueued):
    publish(MOVED, {"to": "shelf"})

    assert tasks.outbox_relay.apply().get() == 1


def sample(name: str) -> float:
    return REGISTRY.get_sample_value(name) or 0.0


def test_metrics_count_what_the_relay_did_and_read_the_backlog(outbox, tenant, monkeypatch):
    published, failed = sample("monopod_outbox_published_total"), sample("monopod_outbox_failed_total")
    good = publish(MOVED, {"to": "good"})
    bad = publish(MOVED, {"to": "bad"})
    OutboxEvent.objects.filter(event_id=bad["eventId"]).update(created_at=timezone.now() - timedelta(seconds=120))

    def enqueue(envelope: dict, **options: object) -> int:
        if envelope["eventId"] == bad["eventId"]:
            raise RuntimeError("no")
        return 1

    monkeypatch.setattr(delivery, "deliveries_enqueue", enqueue)
    relay_run()

    assert sample("monopod_outbox_published_total") - published == 1
    assert sample("monopod_outbox_failed_total") - failed == 1
    assert sample("monopod_outbox_pending") == 1
    assert 120 <= sample("monopod_outbox_lag_seconds") < 125
    assert OutboxEvent.objects.get(event_id=good["eventId"]).sent_at is not None


def test_metrics_show_an_empty_outbox_as_zero_after_a_run(outbox, enqueued):
    relay_run()

    assert (sample("monopod_outbox_pending"), sample("monopod_outbox_lag_seconds")) == (0.0, 0.0)


def test_the_lag_gauge_keeps_growing_when_no_relay_runs(outbox, tenant, enqueued, monkeypatch):
    backlog_record(OutboxBacklog(pending=4, oldest_epoch=1_000.0))
    monkeypatch.setattr(time, "time", lambda: 1_600.0)

    assert (sample("monopod_outbox_pending"), sample("monopod_outbox_lag_seconds")) == (4.0, 600.0)


def test_an_unreachable_broker_stops_the_run_and_leaves_rows_untouched(outbox, tenant, enqueued):
    envelope = publish(MOVED, {"to": "shelf"})

    run = relay_run(broker_url="amqp://guest:guest@127.0.0.1:1//")

    row = OutboxEvent.objects.get(event_id=envelope["eventId"])
    assert (run.broker_down, run.published, enqueued) == (True, 0, [])
    assert (row.sent_at, row.attempts) == (None, 0)
    assert sample("monopod_outbox_pending") == 1


def test_ready_fails_naming_the_outbox_lag(outbox, tenant, settings):
    settings.OUTBOX_LAG_READY_SECONDS = 300
    envelope = publish(MOVED, {"to": "stuck"})
    client = Client(HTTP_HOST=tenant_domain_name("acme"))

    assert client.get("/health/ready").json()["checks"]["outbox"] == "ok"
    OutboxEvent.objects.filter(event_id=envelope["eventId"]).update(created_at=timezone.now() - timedelta(seconds=301))
    response = client.get("/health/ready")

    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["outbox"]
    assert body["checks"]["outbox"] == "RuntimeError: oldest pending event is 301s old (limit 300s)"


@pytest.mark.rabbitmq
def test_an_event_reaches_a_queue_bound_to_the_exchange_with_confirms(
    outbox, tenant, enqueued, broker_url, settings, monkeypatch
):
    waits: list[tuple[int, int]] = []
    original = broker._Confirms.wait

    def wait(self, timeout: float) -> None:
        unconfirmed = len(self._outstanding)
        original(self, timeout)
        waits.append((unconfirmed, len(self._outstanding)))

    monkeypatch.setattr(broker._Confirms, "wait", wait)
    settings.BROKER_URL = broker_url
    queue_name = f"test.relay.{uuid.uuid4().hex}"
    with Connection(broker_url) as conn:
        queue = Queue(queue_name, EVENTS_EXCHANGE, routing_key=MOVED, auto_delete=True, durable=False)
        queue(conn.default_channel).declare()
        try:
            envelope = publish(MOVED, {"to": "rabbit"})
            run = relay_run()
            message = queue(conn.default_channel).get(no_ack=True)
        finally:
            queue(conn.default_channel).delete()

    assert run.published == 1
    assert waits == [(1, 0)]
    assert message is not None
    assert message.delivery_info["exchange"] == "monopod.events"
    assert message.delivery_info["routing_key"] == MOVED
    assert message.content_type == "application/json"
    assert json.loads(message.body) == envelope


@pytest.mark.rabbitmq
def test_a_batch_the_broker_does_not_confirm_stays_pending_with_its_error(
    outbox, tenant, enqueued, broker_url, settings, monkeypatch
):
    settings.BROKER_URL = broker_url
    publish(MOVED, {"to": "a"})
    publish(MOVED, {"to": "b"})
    confirm = broker._Confirms.wait

    def refuse(self, timeout: float) -> None:
        raise broker.BrokerUnavailable("the broker refused 2 messages")

    monkeypatch.setattr(broker._Confirms, "wait", refuse)
    run = relay_run()

    assert (run.broker_down, run.published, run.failed) == (True, 0, 2)
    assert list(OutboxEvent.objects.order_by("id").values_list("sent_at", "attempts", "last_error")) == [
        (None, 1, "BrokerUnavailable: the broker refused 2 messages"),
        (None, 1, "BrokerUnavailable: the broker refused 2 messages"),
    ]
    monkeypatch.setattr(broker._Confirms, "wait", confirm)
    assert relay_run().published == 2


def test_relayed_events_past_their_retention_are_purged_and_pending_ones_stay(outbox, tenant, other_tenant, settings):
    """The outbox is shared: the purge takes every tenant's old relayed events, and nothing pending."""
    settings.OUTBOX_RETENTION_DAYS = 7
    now = timezone.now()
    ages = {"acme sent 8 days ago": 8, "acme sent 6 days ago": 6, "globex sent 30 days ago": 30}
    for label, days in ages.items():
        publisher = other_tenant if label.startswith("globex") else tenant
        with tenant_context(publisher):
            envelope = publish(MOVED, {"to": label})
        OutboxEvent.objects.filter(event_id=envelope["eventId"]).update(sent_at=now - timedelta(days=days))
    with tenant_context(other_tenant):
        pending = publish(MOVED, {"to": "globex pending, 40 days old"})
    OutboxEvent.objects.filter(event_id=pending["eventId"]).update(created_at=now - timedelta(days=40))

    assert tasks.outbox_purge_task() == 2

    kept = sorted(row.envelope["data"]["to"] for row in OutboxEvent.objects.all())
    assert kept == ["acme sent 6 days ago", "globex pending, 40 days old"]
    assert tasks.outbox_purge_task() == 0


def test_the_purge_is_registered_and_runs_daily(settings):
    from celery.schedules import crontab

    assert celery_app.tasks["events.outbox_purge"].run.__qualname__ == "outbox_purge_task"
    entry = settings.CELERY_BEAT_SCHEDULE["events-outbox-purge"]
    assert entry == {"task": "events.outbox_purge", "schedule": crontab(hour=3, minute=41)}
    assert settings.OUTBOX_RETENTION_DAYS == 7
