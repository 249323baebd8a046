"""The request's user and permissions come from the cache, and every change to them is seen at once."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from apps.identity import caching
from apps.identity.models import User
from apps.identity.roles import MANAGER, VIEWER, role_group
from tests.api_cases import bearer_client


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def fresh(user: User) -> User:
    """The user as the next request sees it: from the cache, permissions not yet read in this process."""
    found = caching.user_get(user.pk)
    assert found is not None
    return found


def test_a_second_request_reads_neither_the_user_nor_the_permissions(viewer_user):
    assert fresh(viewer_user).has_perm("auth.view_group")

    with CaptureQueriesContext(connection) as queries:
        user = fresh(viewer_user)
        allowed = (user.has_perm("auth.view_group"), user.has_perm("auth.add_group"))

    assert allowed == (True, False)
    assert len(queries) == 0


def test_the_cached_user_never_carries_or_overwrites_the_password(viewer_user):
    password = User.objects.values_list("password", flat=True).get(pk=viewer_user.pk)
    fresh(viewer_user)

    cached = fresh(viewer_user)
    deferred = cached.get_deferred_fields()
    cached.full_name = "Vera Viewer"
    cached.save()

    assert deferred == {"password"}
    assert "password" not in str(cache.get(caching._user_key(viewer_user.pk)))
    assert User.objects.values_list("full_name", "password").get(pk=viewer_user.pk) == ("Vera Viewer", password)


def test_joining_a_role_is_seen_at_once(viewer_user):
    assert not fresh(viewer_user).has_perm("catalog.add_product")

    viewer_user.groups.add(role_group(MANAGER))

    assert fresh(viewer_user).has_perm("catalog.add_product")


def test_leaving_a_role_is_seen_at_once(manager_user):
    assert fresh(manager_user).has_perm("catalog.add_product")

    manager_user.groups.remove(role_group(MANAGER))

    assert not fresh(manager_user).has_perm("catalog.add_product")


def test_a_roles_permissions_changing_is_seen_by_all_its_members(viewer_user):
    assert fresh(viewer_user).has_perm("catalog.view_product")

    role_group(VIEWER).permissions.remove(
        Permission.objects.get(codename="view_product", content_type__app_label="catalog")
    )

    assert not fresh(viewer_user).has_perm("catalog.view_product")


def test_a_role_deleted_is_seen_by_its_members(viewer_user):
    assert fresh(viewer_user).has_perm("catalog.view_product")

    Group.objects.filter(name=VIEWER).delete()

    assert not fresh(viewer_user).has_perm("catalog.view_product")


def test_a_deactivated_user_is_refused_on_the_next_request(tenant, viewer_user):
    client = bearer_client(viewer_user)
    assert client.get("/api/v1/auth/me/").status_code == 200

    viewer_user.is_active = False
    viewer_user.save()
    response = client.get("/api/v1/auth/me/")

    assert response.status_code == 401
    assert response.json()["error"]["details"][0]["code"] == "user_inactive"


def test_a_deleted_user_is_refused_on_the_next_request(tenant, viewer_user):
    client = bearer_client(viewer_user)
    assert client.get("/api/v1/auth/me/").status_code == 200

    viewer_user.delete()
    response = client.get("/api/v1/auth/me/")

    assert response.status_code == 401
    assert response.json()["error"]["details"][0]["code"] == "user_not_found"


def test_changes_invalidate_again_on_commit(viewer_user, django_capture_on_commit_callbacks):
    fresh(viewer_user).has_perm("catalog.view_product")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        caching.permissions_changed()
    during = cache.get(caching.GENERATION_KEY)

    for callback in callbacks:
        callback()

    assert len(callbacks) == 1
    assert cache.get(caching.GENERATION_KEY) not in (None, during)


def test_each_tenant_has_its_own_cache_entries(tenant, other_tenant):
    acme_founder = User.objects.get(email="founder@acme.test")
    assert caching.user_get(acme_founder.pk).email == "founder@acme.test"

    with tenant_context(other_tenant):
        globex_user = caching.user_get(acme_founder.pk)

    assert globex_user.email == "founder@globex.test"
