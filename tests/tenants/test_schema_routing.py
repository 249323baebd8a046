"""The connection's schema: one SET per schema change, right after rollbacks, cached host lookups."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test import Client
from django_tenants.utils import schema_context

from apps.identity.models import User
from apps.tenants.models import Tenant
from apps.tenants.services import tenant_suspend
from monopod.tenancy import tenant_cache


def search_path() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW search_path")
        return cursor.fetchone()[0]


def founders() -> list[str]:
    return list(User.objects.filter(email__startswith="founder@").values_list("email", flat=True))


def test_schema_is_right_after_a_rolled_back_savepoint(tenant, other_tenant):
    assert founders() == ["founder@acme.test"]

    seen_inside: list[str] = []

    def switch_then_fail() -> None:
        with transaction.atomic():
            connection.set_tenant(other_tenant)
            seen_inside.extend(founders())
            raise RuntimeError("roll the savepoint back, and its SET search_path with it")

    with pytest.raises(RuntimeError):
        switch_then_fail()

    assert seen_inside == ["founder@globex.test"]

    # The connection still says globex; the rolled-back SET must not leave us reading acme.
    assert connection.schema_name == "globex"
    assert founders() == ["founder@globex.test"]
    assert search_path().startswith('"globex"') or search_path().startswith("globex")


def test_one_set_per_schema_change_not_per_query(tenant, django_assert_num_queries):
    connection.set_tenant(tenant)

    with django_assert_num_queries(4) as captured:
        User.objects.count()
        User.objects.count()
        User.objects.exists()

    statements = [query["sql"] for query in captured.captured_queries]
    assert sum(sql.startswith("SET search_path") for sql in statements) == 1


def test_host_lookups_are_cached_until_the_tenant_changes(
    tenant, django_assert_num_queries, django_capture_on_commit_callbacks
):
    tenant_cache.clear()
    client = Client(HTTP_HOST="acme.localhost")
    client.get("/")

    with django_assert_num_queries(0):
        assert client.get("/", HTTP_ACCEPT="text/html").status_code == 200

    connection.set_schema_to_public()
    with django_capture_on_commit_callbacks(execute=True):
        tenant_suspend(tenant=tenant)

    assert client.get("/").status_code == 403


def test_cache_entries_expire(tenant, settings, monkeypatch):
    import monopod.tenancy as tenancy

    tenant_cache.clear()
    tenant_cache.put("acme.localhost", tenant)
    now = tenancy.time.monotonic()
    monkeypatch.setattr(tenancy.time, "monotonic", lambda: now + settings.TENANT_CACHE_SECONDS + 1)

    assert tenant_cache.get("acme.localhost") is None


def test_schema_context_restores_previous_schema_exactly(tenant):
    with schema_context("globex"):
        assert founders() == ["founder@globex.test"]

    assert founders() == ["founder@acme.test"]


def test_tasks_look_their_tenant_up_once_until_the_tenant_changes(
    tenant, monkeypatch, django_capture_on_commit_callbacks
):
    """tenant-schemas-celery finds each task's tenant by its schema; MonoPodTask keeps the answer as the
    host lookups are kept, and a suspension is seen by the next task of this process."""
    from monopod.celery import MonoPodTask

    lookups: list[str] = []
    original = Tenant.objects.get

    def counting_get(*args, **kwargs):
        lookups.append(kwargs.get("schema_name", ""))
        return original(*args, **kwargs)

    monkeypatch.setattr(Tenant.objects, "get", counting_get)
    first = MonoPodTask.get_tenant_for_schema("acme")
    second = MonoPodTask.get_tenant_for_schema("acme")
    assert lookups == ["acme"]
    assert second is first

    with django_capture_on_commit_callbacks(execute=True):
        tenant_suspend(tenant=tenant)
    after = MonoPodTask.get_tenant_for_schema("acme")

    assert lookups == ["acme", "acme"]
    assert after.is_serving() is False
