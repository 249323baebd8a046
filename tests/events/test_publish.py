"""publish(): validated against the registry, written to the outbox in the business transaction."""

from __future__ import annotations

import re
import uuid
from datetime import date

import pytest
from django.db import connection, transaction
from django_tenants.utils import tenant_context

from apps.events import services
from apps.events.models import OutboxEvent
from apps.events.registry import InvalidEventData, UnknownEventType, event_type
from apps.events.services import TransactionRequired, publish
from monopod.observability import trace_id_var, user_var
from tests.tenants.test_provisioning import provision

TESTED = event_type(
    "testing.widget.moved",
    description="A widget moved (test only).",
    schema={
        "type": "object",
        "properties": {"to": {"type": "string"}, "count": {"type": "integer", "minimum": 0}},
        "required": ["to"],
        "additionalProperties": False,
    },
)


def test_the_event_is_written_to_the_shared_outbox_with_its_envelope(tenant, viewer_user):
    token = trace_id_var.set("4bf92f3577b34da6a3ce929d0e0e4736")
    try:
        envelope = publish("testing.widget.moved", {"to": "shelf"}, actor=viewer_user)
    finally:
        trace_id_var.reset(token)

    row = OutboxEvent.objects.get(event_id=envelope["eventId"])
    assert (row.event_type, row.tenant_schema, row.sent_at, row.sequence) == (
        "testing.widget.moved",
        "acme",
        None,
        None,
    )
    assert row.envelope == envelope
    assert uuid.UUID(envelope["eventId"]).version == 4
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", envelope["timestamp"])
    assert {key: value for key, value in envelope.items() if key not in ("eventId", "timestamp")} == {
        "eventType": "testing.widget.moved",
        "tenantId": "acme",
        "userId": str(viewer_user.pk),
        "aggregate": None,
        "data": {"to": "shelf"},
        "metadata": {"traceId": "4bf92f3577b34da6a3ce929d0e0e4736", "source": "monopod.testing"},
    }
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM public.events_outboxevent WHERE event_id = %s", [envelope["eventId"]])
        assert cursor.fetchone() == (1,)


def test_the_actor_defaults_to_the_requests_user(tenant):
    token = user_var.set("42")
    try:
        envelope = publish("testing.widget.moved", {"to": "bin"})
    finally:
        user_var.reset(token)

    assert envelope["userId"] == "42"


def test_each_aggregate_numbers_its_events_per_tenant(tenant, other_tenant):
    numbers = [publish("testing.widget.moved", {"to": "a"}, aggregate=("testing.widget", 7))["aggregate"] for _ in "ab"]
    other = publish("testing.widget.moved", {"to": "a"}, aggregate=("testing.widget", 8))["aggregate"]
    with tenant_context(other_tenant):
        globex = publish("testing.widget.moved", {"to": "a"}, aggregate=("testing.widget", 7))["aggregate"]

    assert numbers == [
        {"type": "testing.widget", "id": "7", "sequence": 1},
        {"type": "testing.widget", "id": "7", "sequence": 2},
    ]
    assert (other["sequence"], globex["sequence"]) == (1, 1)


def test_a_rolled_back_transaction_publishes_nothing(tenant):
    before = OutboxEvent.objects.count()

    def change() -> None:
        with transaction.atomic():
            publish("testing.widget.moved", {"to": "nowhere"})
            raise RuntimeError("change failed")

    with pytest.raises(RuntimeError, match="change failed"):
        change()

    assert OutboxEvent.objects.count() == before


def test_nothing_is_published_after_commit_only(tenant, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        publish("testing.widget.moved", {"to": "shelf"})

    assert [callback.__qualname__ for callback in callbacks] == ["relay_wake"]


def test_publishing_outside_a_transaction_is_refused(tenant, monkeypatch):
    monkeypatch.setattr(services, "_in_transaction", lambda: False)  # tests run inside a transaction

    with pytest.raises(TransactionRequired, match="inside the transaction"):
        publish("testing.widget.moved", {"to": "shelf"})


def test_unknown_types_and_invalid_data_are_refused(tenant):
    before = OutboxEvent.objects.count()

    with pytest.raises(UnknownEventType, match=r"Unknown event type 'testing\.widget\.vanished'"):
        publish("testing.widget.vanished", {})
    with pytest.raises(InvalidEventData, match=r"testing\.widget\.moved: count: -1 is less than the minimum of 0"):
        publish("testing.widget.moved", {"to": "x", "count": -1})
    with pytest.raises(InvalidEventData, match=r"testing\.widget\.moved: data: 'to' is a required property"):
        publish("testing.widget.moved", {})
    # A value JSON has no type for is refused like any other wrong type.
    with pytest.raises(InvalidEventData, match=r"testing\.widget\.moved: to: datetime.date\(2026, 11, 24\) is not"):
        publish("testing.widget.moved", {"to": date(2026, 11, 24)})

    assert OutboxEvent.objects.count() == before


@pytest.mark.parametrize("name", ["ims.stock", "Ims.stock.moved", "ims.stock.moved.again", "ims..moved"])
def test_event_type_names_follow_module_entity_action(name):
    with pytest.raises(ValueError, match="is not named"):
        event_type(name, description="", schema={"type": "object"})


def test_a_new_tenant_announces_itself_in_its_own_schema(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        provision("eventful")

    row = OutboxEvent.objects.get(event_type="tenants.tenant.created", tenant_schema="eventful")
    assert row.envelope["data"] == {
        "slug": "eventful",
        "name": "Initech",
        "region": "gulf",
        "plan": "free",
        "language": "ar",
        "timeZone": "Asia/Dubai",
        "currency": "AED",
    }
    assert (row.aggregate_type, row.sequence) == ("tenants.tenant", 1)


def test_a_prepared_event_is_written_when_its_writer_sends_it_with_its_own_statement(tenant, monkeypatch):
    prepared = services.event_prepare("testing.widget.moved", {"to": "bin"}, aggregate=("testing.widget", "7"))
    assert not OutboxEvent.objects.filter(event_id=prepared.envelope["eventId"]).exists()

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1;{prepared.sql}", prepared.params)

    row = OutboxEvent.objects.get(event_id=prepared.envelope["eventId"])
    assert (row.aggregate_type, row.aggregate_id, row.sequence) == ("testing.widget", "7", 1)
    assert row.envelope["aggregate"] == {"type": "testing.widget", "id": "7", "sequence": 1}
    assert row.envelope["data"] == {"to": "bin"}
    monkeypatch.setattr(services, "_in_transaction", lambda: False)
    with pytest.raises(TransactionRequired):
        services.event_prepare("testing.widget.moved", {"to": "bin"})
