"""/api/v1/audit/entries/: Admins only, API keys with ``audit:read``, filters, one tenant's trail."""

from __future__ import annotations

from datetime import timedelta, timezone

import pytest
from django.db import connection
from rest_framework.test import APIClient

from apps.audit.models import AuditEntry
from apps.audit.services import audit_record
from apps.identity.services import api_key_create

URL = "/api/v1/audit/entries/"


@pytest.fixture
def marked(tenant) -> AuditEntry:
    entry = audit_record(action="test.marked", object_type="test.thing", object_id="42")
    assert entry is not None
    return entry


def test_admin_lists_entries_newest_first(api_client, marked):
    response = api_client.get(URL)
    assert response.status_code == 200
    results = response.json()["results"]
    assert results[0]["seq"] == AuditEntry.objects.order_by("-seq")[0].seq
    assert [row["seq"] for row in results] == sorted((row["seq"] for row in results), reverse=True)


def test_filters_by_object_and_action(api_client, marked):
    response = api_client.get(URL, {"object_type": "test.thing", "object_id": "42", "action": "test.marked"})
    assert response.status_code == 200
    (row,) = response.json()["results"]
    assert (row["seq"], row["hash"], row["previous_hash"]) == (marked.seq, marked.hash, marked.previous_hash)


def test_filters_by_period(api_client, marked):
    since = marked.occurred_at.isoformat()
    assert [row["seq"] for row in api_client.get(URL, {"action": "test.marked", "since": since}).json()["results"]] == [
        marked.seq
    ]
    assert api_client.get(URL, {"action": "test.marked", "until": since}).json()["results"] == []


def test_a_period_in_any_offset_python_parses_is_compared_in_utc(api_client, marked):
    # PostgreSQL takes offsets up to ±15:59 only; the filter converts to UTC first.
    local = marked.occurred_at.astimezone(timezone(timedelta(hours=23, minutes=22))).isoformat()

    response = api_client.get(URL, {"action": "test.marked", "since": local})

    assert [row["seq"] for row in response.json()["results"]] == [marked.seq]


def test_a_period_outside_the_calendar_once_in_utc_is_a_400(api_client, marked):
    response = api_client.get(URL, {"since": "0001-01-01T00:00:00+10:00"})

    assert response.status_code == 400
    assert response.json()["error"]["details"] == [
        {"field": "since", "message": "Enter a time between years 1 and 9999.", "code": "invalid"}
    ]


@pytest.mark.parametrize("who", ["manager_user", "viewer_user"])
def test_members_who_are_not_admins_are_refused(tenant, who, request):
    client = APIClient(HTTP_HOST="acme.localhost")
    client.force_login(request.getfixturevalue(who))
    assert client.get(URL).status_code == 403


def test_anonymous_is_refused(tenant):
    assert APIClient(HTTP_HOST="acme.localhost").get(URL).status_code == 401


def test_api_key_needs_the_audit_read_scope(tenant, admin_user, marked):
    _key, scoped = api_key_create(name="siem", scopes=["audit:read"], user=admin_user)
    _key, unscoped = api_key_create(name="erp", scopes=["ims:read"], user=admin_user)
    client = APIClient(HTTP_HOST="acme.localhost")
    assert client.get(URL, {"action": "test.marked"}, HTTP_AUTHORIZATION=f"Api-Key {unscoped}").status_code == 403
    response = client.get(URL, {"action": "test.marked"}, HTTP_AUTHORIZATION=f"Api-Key {scoped}")
    assert response.status_code == 200
    assert [row["seq"] for row in response.json()["results"]] == [marked.seq]


def test_entries_are_read_only(api_client, marked):
    assert api_client.post(URL, {}, format="json").status_code == 405
    assert api_client.delete(f"{URL}{marked.seq}/").status_code == 405


def test_an_entry_of_one_tenant_is_invisible_on_another(tenant, other_tenant, admin_user):
    connection.set_tenant(other_tenant)
    globex_entry = audit_record(action="test.globex_only", object_type="test.thing", object_id="7")
    assert globex_entry is not None
    connection.set_tenant(tenant)
    client = APIClient(HTTP_HOST="acme.localhost")
    client.force_login(admin_user)
    assert client.get(URL, {"action": "test.globex_only"}).json()["results"] == []
