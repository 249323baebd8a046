"""Test harness: two tenants built once per session, clients scoped to a tenant, role users.

The tenant schema is migrated once, into a template schema, and every tenant of the session is a clone
of it (django-tenants' clone_schema), so adding a test never costs a schema migration. Each test runs
in a transaction that is rolled back.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context
from psycopg import sql
from rest_framework.test import APIClient

from apps.identity.models import User
from apps.identity.roles import ADMIN, MANAGER, VIEWER, ensure_roles
from apps.tenants.models import Tenant
from apps.tenants.services import public_tenant_ensure, tenant_create, tenant_domain_name
from tests.identity.factories import UserFactory
from tests.services import *  # noqa: F403 - service fixtures (redis_url, broker_url)

TEMPLATE_SCHEMA = "tenant_template"
TENANT_SLUG = "acme"
OTHER_TENANT_SLUG = "globex"


def build_template_schema() -> None:
    """Migrate the tenant apps once into the template every test tenant is cloned from."""
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(TEMPLATE_SCHEMA)).as_string())
    call_command("migrate_schemas", tenant=True, schema_name=TEMPLATE_SCHEMA, interactive=False, verbosity=0)
    with schema_context(TEMPLATE_SCHEMA):
        ensure_roles()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> None:
    from django.conf import settings

    settings.TENANT_BASE_SCHEMA = TEMPLATE_SCHEMA
    settings.TENANT_CREATION_FAKES_MIGRATIONS = True
    with django_db_blocker.unblock():
        public_tenant_ensure()
        build_template_schema()
        tenant_create(slug=TENANT_SLUG, name="Acme Ltd", region="eu")
        tenant_create(slug=OTHER_TENANT_SLUG, name="Globex Corp", region="usa")
        connection.set_schema_to_public()


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
