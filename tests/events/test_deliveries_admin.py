"""Deliveries in the tenant's admin: filtered lists, read-only rows, and the Replay action for Admins."""

from __future__ import annotations

import pytest

from apps.events.deliveries.models import Delivery

CHANGELIST = "/admin/event_deliveries/delivery/"


@pytest.fixture
def dead_and_done(tenant) -> list[Delivery]:
    Delivery.objects.all().delete()  # provisioning's own deliveries of tenants.tenant.created
    return [
        Delivery.objects.create(
            subscriber="crm.sync",
            event_id=f"00000000-0000-0000-0000-00000000000{n}",
            event_type="crm.contact.created",
            envelope={"eventId": f"00000000-0000-0000-0000-00000000000{n}", "eventType": "crm.contact.created"},
            status=status,
            attempts=attempts,
        )
        for n, status, attempts in ((1, "dead", 8), (2, "done", 1))
    ]


def test_the_list_filters_dead_deliveries(tenant_client, admin_user, dead_and_done):
    tenant_client.force_login(admin_user)

    response = tenant_client.get(CHANGELIST, {"status__exact": "dead"})

    assert response.status_code == 200
    assert [delivery.pk for delivery in response.context["cl"].result_list] == [dead_and_done[0].pk]


def test_replay_queues_the_dead_and_leaves_the_done(
    tenant_client, admin_user, dead_and_done, queued, django_capture_on_commit_callbacks
):
    tenant_client.force_login(admin_user)

    with django_capture_on_commit_callbacks(execute=True):
        response = tenant_client.post(
            CHANGELIST, {"action": "replay", "_selected_action": [delivery.pk for delivery in dead_and_done]}
        )

    assert response.status_code == 302
    assert [(delivery.status, delivery.attempts) for delivery in Delivery.objects.order_by("pk")] == [
        ("pending", 0),
        ("done", 1),
    ]
    assert queued == [{"args": ("crm.sync", dead_and_done[0].envelope), "countdown": None, "schema": "acme"}]


def test_rows_cannot_be_added_changed_or_deleted(tenant_client, admin_user, dead_and_done):
    tenant_client.force_login(admin_user)

    assert tenant_client.get(f"{CHANGELIST}add/").status_code == 403
    assert tenant_client.post(f"{CHANGELIST}{dead_and_done[0].pk}/delete/", {"post": "yes"}).status_code == 403
    assert tenant_client.get(f"{CHANGELIST}{dead_and_done[0].pk}/change/").context["has_change_permission"] is False


def test_staff_managers_see_deliveries_but_cannot_replay(tenant_client, manager_user, dead_and_done, queued):
    manager_user.is_staff = True
    manager_user.save()
    tenant_client.force_login(manager_user)

    listed = tenant_client.get(CHANGELIST)
    replayed = tenant_client.post(CHANGELIST, {"action": "replay", "_selected_action": [dead_and_done[0].pk]})

    assert listed.status_code == 200
    assert listed.context["action_form"] is None  # no action they may take
    assert replayed.status_code == 200  # the list again, the action unknown to them
    assert Delivery.objects.get(pk=dead_and_done[0].pk).status == "dead"
    assert queued == []


def test_a_staff_manager_sees_no_delivery_of_the_inventory(tenant_client, manager_user, dead_and_done):
    stock = Delivery.objects.create(
        subscriber="crm.sync",
        event_id="00000000-0000-0000-0000-000000000009",
        event_type="ims.stock.moved",
        envelope={"eventId": "00000000-0000-0000-0000-000000000009", "eventType": "ims.stock.moved"},
        status="dead",
        attempts=8,
    )
    manager_user.is_staff = True
    manager_user.save(update_fields=["is_staff"])
    tenant_client.force_login(manager_user)

    listed = tenant_client.get(CHANGELIST)

    assert listed.status_code == 200
    assert sorted(delivery.pk for delivery in listed.context["cl"].result_list) == [d.pk for d in dead_and_done]
    assert tenant_client.get(f"{CHANGELIST}{stock.pk}/change/").status_code == 302  # "does not exist": back
