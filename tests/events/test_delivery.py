"""Subscribers take effect once per event, in the event's tenant; failures back off and end as dead letters."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from apps.events.deliveries import services
from apps.events.deliveries.models import Delivery
from apps.events.deliveries.services import DeliveryNotReplayable, backoff_seconds, delivery_replay
from apps.events.deliveries.tasks import deliver, deliver_many, deliveries_sweep
from apps.events.delivery import DeliveryBatch, deliveries_enqueue
from apps.events.registry import subscriber, subscribers_for
from apps.events.webhooks.models import WebhookEndpoint
from tests.catalog.models import Product

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
FAILING = "tests.events.test_delivery.failing"
RECORDING = "tests.events.test_delivery.recording"
NOISY = "tests.events.test_delivery.noisy"
MINE = (RECORDING, FAILING)
# What the subscribers saw: (subscriber, schema, eventId); and whether the failing one fails now (for
# every event, or only for the event "only" names).
seen: list[tuple[str, str, str]] = []
failing_now: dict[str, Any] = {"fail": True, "only": None}


@subscriber("testing.delivery.*", name=RECORDING)
def recording(envelope: dict[str, Any]) -> None:
    seen.append((RECORDING, connection.schema_name, envelope["eventId"]))
    Product.objects.create(sku=f"R-{envelope['eventId'][:8]}", name="recorded", unit_price="1.00")


@subscriber("testing.delivery.failed", name=FAILING, max_attempts=3)
def failing(envelope: dict[str, Any]) -> None:
    seen.append((FAILING, connection.schema_name, envelope["eventId"]))
    Product.objects.create(sku=f"F-{envelope['eventId'][:8]}", name="half done", unit_price="1.00")
    if failing_now["fail"] and failing_now["only"] in (None, envelope["eventId"]):
        raise RuntimeError("the warehouse API answered 503")


@subscriber("testing.noisy.failed", name=NOISY, max_attempts=2)
def noisy(envelope: dict[str, Any]) -> None:
    raise ValueError("x" * 5000)


@pytest.fixture(autouse=True)
def _fresh(monkeypatch: pytest.MonkeyPatch) -> None:
    seen.clear()
    failing_now.update(fail=True, only=None)
    monkeypatch.setattr(services, "jitter", lambda low, high: high)
    monkeypatch.setattr(services.timezone, "now", lambda: NOW)


def envelope_of(event_type: str, tenant_id: str = "acme") -> dict[str, Any]:
    return {
        "eventId": str(uuid.uuid4()),
        "eventType": event_type,
        "timestamp": "2026-03-01T12:00:00.000000Z",
        "tenantId": tenant_id,
        "userId": None,
        "aggregate": None,
        "data": {"n": 1},
        "metadata": {"traceId": None, "source": "monopod.testing"},
    }


def run(name: str, envelope: dict[str, Any]) -> str:
    return str(deliver.apply(args=(name, envelope)).get())


def test_each_wanting_subscriber_gets_the_envelope_in_the_events_tenant(tenant, other_tenant):
    envelope = envelope_of("testing.delivery.made", tenant_id="globex")

    assert deliveries_enqueue(envelope) == len(subscribers_for("testing.delivery.made"))

    assert seen == [(RECORDING, "globex", envelope["eventId"])]
    assert connection.schema_name == "acme"
    assert not Delivery.objects.filter(event_id=envelope["eventId"]).exists()
    with tenant_context(other_tenant):
        delivery = Delivery.objects.get(subscriber=RECORDING)
        assert Product.objects.filter(name="recorded").count() == 1
    assert (delivery.subscriber, delivery.event_id, delivery.event_type) == (
        RECORDING,
        uuid.UUID(envelope["eventId"]),
        "testing.delivery.made",
    )
    assert (delivery.status, delivery.attempts, delivery.last_error, delivery.next_attempt_at, delivery.done_at) == (
        "done",
        1,
        "",
        None,
        NOW,
    )
    assert delivery.envelope == envelope


def test_enqueue_sends_one_task_per_wanting_subscriber_from_the_events_schema(tenant, queued):
    envelope = envelope_of("testing.delivery.failed", tenant_id="globex")

    assert deliveries_enqueue(envelope) == len(subscribers_for("testing.delivery.failed"))

    assert [task for task in queued if task["args"][0] in MINE] == [
        {"args": (RECORDING, [envelope]), "countdown": None, "schema": "globex"},
        {"args": (FAILING, [envelope]), "countdown": None, "schema": "globex"},
    ]


def test_a_batch_sends_one_task_per_tenant_and_subscriber_with_the_events_in_order(tenant, queued):
    first, second = envelope_of("testing.delivery.made"), envelope_of("testing.delivery.made")
    elsewhere = envelope_of("testing.delivery.made", tenant_id="globex")
    batch = DeliveryBatch()

    for envelope in (first, elsewhere, second):
        deliveries_enqueue(envelope, batch=batch)
    assert [task for task in queued if task["args"][0] in MINE] == []
    # realtime and recording in each tenant; no webhook endpoint of either wants the events
    assert batch.send() == 4

    assert [task for task in queued if task["args"][0] in MINE] == [
        {"args": (RECORDING, [first, second]), "countdown": None, "schema": "acme"},
        {"args": (RECORDING, [elsewhere]), "countdown": None, "schema": "globex"},
    ]


def test_a_batch_task_delivers_each_event_once_in_order(tenant):
    first, second = envelope_of("testing.delivery.made"), envelope_of("testing.delivery.made")

    assert deliver_many.apply(args=(RECORDING, [first, second, first])).get() == 3

    assert seen == [(RECORDING, "acme", first["eventId"]), (RECORDING, "acme", second["eventId"])]
    assert Product.objects.filter(name="recorded").count() == 2


def test_an_event_nobody_wants_queues_nothing(tenant, queued):
    assert deliveries_enqueue(envelope_of("testing.other.made")) == len(subscribers_for("testing.other.made"))
    assert [task for task in queued if task["args"][0] in MINE] == []


def test_a_failing_event_of_a_batch_rolls_back_its_own_writes_only(tenant, queued, django_capture_on_commit_callbacks):
    first, second, third = (envelope_of("testing.delivery.failed") for _ in range(3))
    failing_now["only"] = second["eventId"]

    with django_capture_on_commit_callbacks(execute=True):
        assert deliver_many.apply(args=(FAILING, [first, second, third])).get() == 2

    # The batch ran without savepoints until the second event failed, was rolled back whole, and ran
    # again event by event: the handler saw the first event twice, its writes stayed once.
    ran = [first, second, first, second, third]
    assert [event_id for _name, _schema, event_id in seen] == [envelope["eventId"] for envelope in ran]
    assert sorted(Product.objects.filter(name="half done").values_list("sku", flat=True)) == sorted(
        [f"F-{first['eventId'][:8]}", f"F-{third['eventId'][:8]}"]
    )
    assert dict(Delivery.objects.filter(subscriber=FAILING).values_list("event_id", "status")) == {
        uuid.UUID(first["eventId"]): "done",
        uuid.UUID(second["eventId"]): "pending",
        uuid.UUID(third["eventId"]): "done",
    }
    assert Delivery.objects.get(event_id=second["eventId"]).last_error == (
        "builtins.RuntimeError: the warehouse API answered 503"
    )
    assert queued == [{"args": (FAILING, second), "countdown": 2.0, "schema": "acme"}]


def test_a_task_run_twice_takes_effect_once(tenant):
    envelope = envelope_of("testing.delivery.made")

    assert (run(RECORDING, envelope), run(RECORDING, envelope)) == ("done", "done")

    assert seen == [(RECORDING, "acme", envelope["eventId"])]
    assert Product.objects.filter(name="recorded").count() == 1
    assert Delivery.objects.filter(subscriber=RECORDING).values_list("status", "attempts").get() == ("done", 1)


def test_the_relay_sending_again_has_no_second_effect(tenant):
    envelope = envelope_of("testing.delivery.made")

    deliveries_enqueue(envelope)
    deliveries_enqueue(dict(envelope))

    assert seen == [(RECORDING, "acme", envelope["eventId"])]
    assert Product.objects.filter(name="recorded").count() == 1


def test_a_failure_rolls_the_writes_back_counts_the_attempt_and_queues_a_retry_after_commit(
    tenant, queued, django_capture_on_commit_callbacks
):
    envelope = envelope_of("testing.delivery.failed")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert run(FAILING, envelope) == "pending"

    assert Product.objects.filter(name="half done").count() == 0
    delivery = Delivery.objects.get(subscriber=FAILING)
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at, delivery.done_at) == (
        "pending",
        1,
        NOW + timedelta(seconds=2),
        None,
    )
    assert delivery.last_error == "builtins.RuntimeError: the warehouse API answered 503"
    assert len(callbacks) == 1
    assert queued == [{"args": (FAILING, envelope), "countdown": 2.0, "schema": "acme"}]


def test_retries_back_off_exponentially_and_the_delivery_dies_after_max_attempts(
    tenant, queued, django_capture_on_commit_callbacks
):
    envelope = envelope_of("testing.delivery.failed")

    with django_capture_on_commit_callbacks(execute=True):
        outcomes = [run(FAILING, envelope) for _ in range(4)]

    assert outcomes == ["pending", "pending", "dead", "dead"]
    assert [call["countdown"] for call in queued] == [2.0, 4.0]
    assert len(seen) == 3  # the fourth run found it dead
    delivery = Delivery.objects.get(subscriber=FAILING)
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("dead", 3, None)
    assert delivery.last_error == "builtins.RuntimeError: the warehouse API answered 503"
    assert Product.objects.filter(name="half done").count() == 0


def test_backoff_doubles_from_two_seconds_up_to_ten_minutes_jittered_down_to_half(monkeypatch):
    assert [backoff_seconds(attempts) for attempts in (1, 2, 3, 9, 10, 30)] == [2.0, 4.0, 8.0, 512.0, 600.0, 600.0]
    monkeypatch.setattr(services, "jitter", lambda low, high: low)
    assert [backoff_seconds(attempts) for attempts in (1, 10)] == [1.0, 300.0]


def test_real_jitter_stays_within_half_and_full_delay(monkeypatch):
    monkeypatch.undo()
    delays = {backoff_seconds(4) for _ in range(50)}
    assert all(8.0 <= delay <= 16.0 for delay in delays)
    assert len(delays) > 1


def test_an_error_message_is_truncated(tenant, queued):
    run(NOISY, envelope_of("testing.noisy.failed"))

    last_error = Delivery.objects.get(subscriber=NOISY).last_error
    assert (len(last_error), last_error[:20], last_error[-2:]) == (2000, "builtins.ValueError:", "x…")


def test_an_unregistered_subscriber_fails_like_any_other(tenant, queued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert run("tests.gone", envelope_of("testing.delivery.made")) == "pending"

    delivery = Delivery.objects.get(subscriber="tests.gone")
    assert (delivery.attempts, delivery.last_error) == (1, "builtins.LookupError: No subscriber 'tests.gone'.")
    assert len(queued) == 1


def test_a_replayed_dead_delivery_runs_again_and_takes_effect(tenant, django_capture_on_commit_callbacks):
    envelope = envelope_of("testing.delivery.failed")
    for _ in range(3):
        run(FAILING, envelope)
    dead = Delivery.objects.get(subscriber=FAILING)
    assert dead.status == "dead"
    failing_now["fail"] = False

    with django_capture_on_commit_callbacks(execute=True):
        replayed = delivery_replay(delivery=dead)

    assert (replayed.status, replayed.attempts) == ("pending", 0)
    dead.refresh_from_db()
    assert (dead.status, dead.attempts, dead.done_at) == ("done", 1, NOW)
    assert dead.last_error == "builtins.RuntimeError: the warehouse API answered 503"
    assert Product.objects.filter(name="half done").count() == 1
    assert len(seen) == 4


def test_a_done_delivery_is_not_replayed(tenant, queued, django_capture_on_commit_callbacks):
    envelope = envelope_of("testing.delivery.made")
    run(RECORDING, envelope)
    done = Delivery.objects.get(subscriber=RECORDING)

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(DeliveryNotReplayable):
        delivery_replay(delivery=done)

    assert queued == []
    assert Delivery.objects.filter(subscriber=RECORDING).values_list("status", "attempts").get() == ("done", 1)


def test_the_sweep_queues_again_only_retries_overdue_by_five_minutes(
    tenant, other_tenant, queued, django_capture_on_commit_callbacks
):
    def pending(event_type: str, due: datetime, status: str = "pending") -> Delivery:
        envelope = envelope_of(event_type)
        return Delivery.objects.create(
            subscriber=FAILING,
            event_id=envelope["eventId"],
            event_type=event_type,
            envelope=envelope,
            status=status,
            attempts=2,
            next_attempt_at=due,
        )

    lost = pending("testing.delivery.failed", NOW - timedelta(minutes=6))
    pending("testing.delivery.late", NOW - timedelta(minutes=4))
    pending("testing.delivery.dead", NOW - timedelta(hours=1), status="dead")

    with django_capture_on_commit_callbacks(execute=True):
        assert deliver_sweep() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert deliver_sweep() == 0

    assert queued == [{"args": (FAILING, lost.envelope), "countdown": None, "schema": "acme"}]
    lost.refresh_from_db()
    assert (lost.status, lost.attempts, lost.next_attempt_at) == ("pending", 2, NOW)
    assert connection.schema_name == "acme"


def deliver_sweep() -> int:
    return int(deliveries_sweep.apply().get())


def test_the_webhooks_subscriber_gets_only_events_an_active_endpoint_of_the_tenant_wants(tenant, other_tenant, queued):
    WebhookEndpoint.objects.create(url="https://hooks.acme.test/in", patterns=["testing.delivery.made"], secret="s")
    WebhookEndpoint.objects.create(url="https://off.acme.test/in", patterns=["*.*.*"], secret="s", active=False)
    made, failed = envelope_of("testing.delivery.made"), envelope_of("testing.delivery.failed")
    elsewhere = envelope_of("testing.delivery.made", tenant_id="globex")  # globex has no endpoint
    batch = DeliveryBatch()

    for envelope in (made, failed, elsewhere):
        deliveries_enqueue(envelope, batch=batch)
    batch.send()

    webhooks = [task for task in queued if task["args"][0] == "webhooks"]
    assert webhooks == [{"args": ("webhooks", [made]), "countdown": None, "schema": "acme"}]


def test_a_whole_batch_inserts_new_deliveries_done_and_runs_pending_ones_once(tenant):
    new, retried, repeated = (envelope_of("testing.delivery.made") for _ in range(3))
    for envelope, status, attempts in ((retried, "pending", 2), (repeated, "done", 1)):
        Delivery.objects.create(
            subscriber=RECORDING,
            event_id=envelope["eventId"],
            event_type=envelope["eventType"],
            envelope=envelope,
            status=status,
            attempts=attempts,
        )

    assert deliver_many.apply(args=(RECORDING, [new, retried, repeated])).get() == 3

    assert [event_id for _name, _schema, event_id in seen] == [new["eventId"], retried["eventId"]]
    rows = Delivery.objects.filter(subscriber=RECORDING).values_list("event_id", "status", "attempts")
    assert sorted(rows) == sorted(
        [
            (uuid.UUID(new["eventId"]), "done", 1),
            (uuid.UUID(retried["eventId"]), "done", 3),
            (uuid.UUID(repeated["eventId"]), "done", 1),
        ]
    )
    assert Delivery.objects.get(event_id=new["eventId"]).done_at is not None
