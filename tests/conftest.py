"""Test harness: two tenants built once per session, clients scoped to a tenant, role users.

The tenant schema is migrated once, into the template schema, and every tenant of the session is made
by the provisioning service as a clone of it, so adding a test never costs a schema migration. Each
tenant has its founder (``founder@<slug>.test``). Each test runs in a transaction that is rolled back.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from celery import _state as celery_state
from django.db import connection
from django.test import Client
from django_guid import clear_guid
from rest_framework.test import APIClient

from apps.identity.models import User
from apps.identity.roles import ADMIN, MANAGER, VIEWER, ensure_roles
from apps.tenants import schemas
from apps.tenants.models import Tenant
from apps.tenants.provisioning import tenant_domain_name, tenant_provision
from apps.tenants.services import public_tenant_ensure
from monopod.tenancy import tenant_caches_clear
from tests.browser import browser, live_port, live_url  # noqa: F401 - fixtures for browser tests
from tests.identity.factories import UserFactory
from tests.services import *  # noqa: F403 - service fixtures (redis_url, broker_url)
from tests.tenants.committed import committed  # noqa: F401 - fixture for tests that run other processes

TENANT_SLUG = "acme"
OTHER_TENANT_SLUG = "globex"
FOUNDER_PASSWORD = "founder-password-1234"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> None:
    # pytest-django makes the test database only when a collected test asks for the database; a fixture
    # reaching it otherwise would write to the developer's own. Never let that happen.
    database = str(connection.settings_dict["NAME"])
    if not database.startswith("test_"):
        pytest.fail(f"refusing to set up tenants in {database!r}: not a test database", pytrace=False)
    with django_db_blocker.unblock():
        public_tenant_ensure()
        schemas.template_ensure()
        for slug, name, region in ((TENANT_SLUG, "Acme Ltd", "eu"), (OTHER_TENANT_SLUG, "Globex Corp", "usa")):
            tenant_provision(
                slug=slug, name=name, region=region, admin_email=f"founder@{slug}.test", admin_password=FOUNDER_PASSWORD
            )
        connection.set_schema_to_public()


@pytest.fixture(autouse=True)
def _no_request_id_from_an_earlier_test() -> None:
    # The request id lives in a context variable that a request made in the test's own thread (the
    # test client, Schemathesis' WSGI calls) leaves set after it ends.
    clear_guid()


@pytest.fixture(autouse=True)
def _celery_joins_allowed() -> Iterator[None]:
    """Celery's ``apply_async`` denies joining results through a process-wide flag that it saves and
    restores around each call; threads applying eager tasks at once (the concurrency tests) can leave
    it set, and every later ``.get()`` then fails with "Never call result.get() within a task"."""
    yield
    celery_state._set_task_join_will_block(False)


@pytest.fixture(autouse=True)
def _fresh_tenant_cache() -> Iterator[None]:
    """Host lookups cached by one test (whose writes are rolled back) must not answer the next."""
    tenant_caches_clear()
    yield
    tenant_caches_clear()


@pytest.fixture
def tenant(db: None) -> Iterator[Tenant]:
    """The tenant under test; the connection points at its schema for the whole test."""
    acme = Tenant.objects.get(schema_name=TENANT_SLUG)
    connection.set_tenant(acme)
    yield acme
    connection.set_schema_to_public()


@pytest.fixture
def other_tenant(db: None) -> Tenant:
    """A second tenant, for isolation tests; the connection is not switched to it."""
    return Tenant.objects.get(schema_name=OTHER_TENANT_SLUG)


def _role_user(role: str, email: str) -> User:
    user = UserFactory(email=email, is_staff=role == ADMIN)
    user.groups.add(*ensure_roles().filter(name=role))
    return user


@pytest.fixture
def admin_user(tenant: Tenant) -> User:
    """The tenant's owner: Admin role, staff."""
    return _role_user(ADMIN, "owner@acme.test")


@pytest.fixture
def manager_user(tenant: Tenant) -> User:
    return _role_user(MANAGER, "manager@acme.test")


@pytest.fixture
def viewer_user(tenant: Tenant) -> User:
    """A member who may only look."""
    return _role_user(VIEWER, "viewer@acme.test")


@pytest.fixture
def tenant_client(tenant: Tenant) -> Client:
    """A browser-like client on the tenant's host name."""
    return Client(HTTP_HOST=tenant_domain_name(tenant.schema_name))


@pytest.fixture
def api_client(tenant: Tenant, admin_user: User) -> APIClient:
    """An API client on the tenant's host, signed in as its admin."""
    client = APIClient(HTTP_HOST=tenant_domain_name(tenant.schema_name))
    client.force_login(admin_user)
    return client


@pytest.fixture
def public_client(db: None) -> Client:
    """A client on the public site's host."""
    return Client(HTTP_HOST="localhost")
