"""Deliveries over the API: listed and filtered by whoever may view them, replayed by Admins only."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from django.core.cache import cache
from django_tenants.utils import tenant_context
from rest_framework.test import APIClient

from apps.audit.models import AuditEntry
from apps.events.deliveries import services
from apps.events.deliveries.models import Delivery
from apps.identity.roles import ADMIN, MANAGER, SALES_REP, VIEWER
from apps.identity.services import api_key_create
from tests.api_cases import ACME_HOST, GLOBEX_HOST, bearer_client, error_of, role_user

URL = "/api/v1/events/deliveries/"
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
EVENT_IDS = [uuid.UUID(int=n) for n in (1, 2, 3)]


@pytest.fixture(autouse=True)
def _fixed_clock_and_no_throttle_counts(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setattr(services.timezone, "now", lambda: NOW)
    cache.clear()  # throttle counters outlive each test's transaction
    yield
    cache.clear()


def envelope_of(event_id: uuid.UUID, event_type: str) -> dict[str, Any]:
    return {"eventId": str(event_id), "eventType": event_type, "tenantId": "acme", "data": {}}


@pytest.fixture
def deliveries(tenant) -> list[Delivery]:
    """A done, a dead and a pending delivery in acme, and no other (provisioning delivered tenant.created)."""
    Delivery.objects.all().delete()
    rows = [
        ("billing.notify", EVENT_IDS[0], "crm.contact.created", "done", 1, "", NOW),
        (
            "billing.notify",
            EVENT_IDS[1],
            "ims.stock.low_threshold_reached",
            "dead",
            8,
            "builtins.RuntimeError: 503",
            None,
        ),
        ("crm.sync", EVENT_IDS[2], "crm.contact.created", "pending", 2, "builtins.OSError: reset", None),
    ]
    return [
        Delivery.objects.create(
            subscriber=subscriber,
            event_id=event_id,
            event_type=event_type,
            envelope=envelope_of(event_id, event_type),
            status=status,
            attempts=attempts,
            last_error=last_error,
            next_attempt_at=NOW if status == "pending" else None,
            created_at=NOW,
            done_at=done_at,
        )
        for subscriber, event_id, event_type, status, attempts, last_error, done_at in rows
    ]


def as_json(delivery: Delivery) -> dict[str, Any]:
    return {
        "id": delivery.pk,
        "subscriber": delivery.subscriber,
        "event_id": str(delivery.event_id),
        "event_type": delivery.event_type,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "last_error": delivery.last_error,
        "next_attempt_at": "2026-03-01T12:00:00Z" if delivery.next_attempt_at else None,
        "created_at": "2026-03-01T12:00:00Z",
        "updated_at": "2026-03-01T12:00:00Z",
        "done_at": "2026-03-01T12:00:00Z" if delivery.done_at else None,
        "envelope": delivery.envelope,
    }


@pytest.fixture
def client(admin_user) -> APIClient:
    return bearer_client(admin_user)


def ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_the_list_shows_every_delivery_newest_first(client, deliveries):
    response = client.get(URL)

    assert response.status_code == 200
    assert response.json() == {
        "next": None,
        "previous": None,
        "results": [as_json(delivery) for delivery in reversed(deliveries)],
    }


@pytest.mark.parametrize(
    ("query", "indexes"),
    [
        ({"status": "dead"}, [1]),
        ({"status": "pending"}, [2]),
        ({"subscriber": "billing.notify"}, [1, 0]),
        ({"event_type": "crm.contact.created"}, [2, 0]),
        ({"status": "done", "subscriber": "crm.sync"}, []),
    ],
)
def test_the_list_filters_by_status_subscriber_and_event_type(client, deliveries, query, indexes):
    assert ids(client.get(URL, query)) == [deliveries[index].pk for index in indexes]


def test_an_unknown_status_is_a_400_naming_it(client, deliveries):
    response = client.get(URL, {"status": "lost"})

    assert response.status_code == 400
    assert [detail["field"] for detail in error_of(response)["details"]] == ["status"]


def test_the_detail_shows_one_delivery_with_its_envelope(client, deliveries):
    response = client.get(f"{URL}{deliveries[1].pk}/")

    assert response.status_code == 200
    assert response.json() == as_json(deliveries[1])


def test_writes_other_than_replay_are_not_routes(client, deliveries):
    detail = f"{URL}{deliveries[1].pk}/"

    statuses = (
        client.post(URL, {}, format="json").status_code,
        client.patch(detail, {"status": "done"}, format="json").status_code,
        client.delete(detail).status_code,
    )

    assert statuses == (405, 405, 405)
    assert Delivery.objects.filter(status="dead").count() == 1


def test_an_admin_replays_a_dead_delivery_which_is_queued_after_commit(
    client, deliveries, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{URL}{deliveries[1].pk}/replay/")

    assert response.status_code == 200
    assert response.json() == {**as_json(deliveries[1]), "status": "pending", "attempts": 0}
    assert queued == [
        {"args": ("billing.notify", deliveries[1].envelope), "countdown": None, "schema": "acme"},
    ]
    entry = AuditEntry.objects.get(object_type="event_deliveries.delivery", object_id=str(deliveries[1].pk))
    assert entry.action == "replay"


def test_a_done_delivery_is_not_replayed(client, deliveries, queued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{URL}{deliveries[0].pk}/replay/")

    assert response.status_code == 409
    assert error_of(response) == {
        "code": "CONFLICT",
        "message": f"Delivery {deliveries[0].pk} is done: it is not run again.",
        "details": [],
    }
    assert queued == []
    assert Delivery.objects.get(pk=deliveries[0].pk).status == "done"


@pytest.mark.parametrize(("role", "list_status", "replay_status"), [(MANAGER, 200, 403), (VIEWER, 200, 403)])
def test_only_admins_replay(deliveries, queued, role, list_status, replay_status):
    client = bearer_client(role_user(role, f"{role.lower()}-deliveries@acme.test"))

    listed = client.get(URL)
    replayed = client.post(f"{URL}{deliveries[1].pk}/replay/")

    assert (listed.status_code, replayed.status_code) == (list_status, replay_status)
    assert error_of(replayed)["code"] == "PERMISSION_DENIED"
    assert Delivery.objects.get(pk=deliveries[1].pk).status == "dead"
    assert queued == []


@pytest.mark.parametrize(
    ("role", "event_types"),
    [
        (VIEWER, ["crm.contact.created", "ims.stock.low_threshold_reached", "crm.contact.created"]),
        (MANAGER, ["crm.contact.created", "crm.contact.created"]),
        (SALES_REP, ["crm.contact.created", "crm.contact.created"]),
    ],
)
def test_deliveries_of_a_module_a_role_may_not_see_are_not_listed(deliveries, role, event_types):
    """Their envelopes carry the inventory's data, which the Manager and a SalesRep never see."""
    client = bearer_client(role_user(role, f"{role.lower()}-hidden@acme.test"))

    listed = client.get(URL)
    hidden = client.get(f"{URL}{deliveries[1].pk}/")

    assert [row["event_type"] for row in listed.json()["results"]] == event_types[::-1]
    expected = 200 if "ims.stock.low_threshold_reached" in event_types else 404
    assert hidden.status_code == expected


def test_api_keys_need_the_events_scopes(admin_user, deliveries, queued):
    _key, reader = api_key_create(name="reader", scopes=["events:read"], user=admin_user)
    _key, writer = api_key_create(name="writer", scopes=["events:write"], user=admin_user)
    client = APIClient(HTTP_HOST=ACME_HOST)
    replay = f"{URL}{deliveries[1].pk}/replay/"

    def status(key: str, method: str) -> int:
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
        return (client.get(URL) if method == "get" else client.post(replay)).status_code

    assert (status(reader, "get"), status(reader, "post")) == (200, 403)
    assert (status(writer, "get"), status(writer, "post")) == (403, 200)


def test_anonymous_requests_are_refused(deliveries):
    anonymous = APIClient(HTTP_HOST=ACME_HOST)

    responses = (anonymous.get(URL), anonymous.post(f"{URL}{deliveries[1].pk}/replay/"))

    assert [response.status_code for response in responses] == [401, 401]


def test_another_tenant_sees_and_replays_none_of_them(deliveries, other_tenant, queued):
    with tenant_context(other_tenant):
        Delivery.objects.all().delete()
        globex = bearer_client(role_user(ADMIN, "owner-deliveries@globex.test"), GLOBEX_HOST)

        listed = globex.get(URL)
        fetched = globex.get(f"{URL}{deliveries[1].pk}/")
        replayed = globex.post(f"{URL}{deliveries[1].pk}/replay/")

    assert (listed.status_code, listed.json()["results"]) == (200, [])
    assert (fetched.status_code, replayed.status_code) == (404, 404)
    assert Delivery.objects.get(pk=deliveries[1].pk).status == "dead"
    assert queued == []
