"""Fixtures of the features tests: flags declared for one test, resolvers, a member of the second tenant."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django_tenants.utils import tenant_context

from apps.features.flags import Flag, flag_register, flag_unregister
from apps.features.regions import region_get
from apps.features.resolver import FeatureResolver
from apps.identity.models import User
from apps.identity.roles import ADMIN, ensure_roles
from apps.tenants.models import Tenant
from apps.tenants.provisioning import tenant_domain_name
from tests.identity.factories import UserFactory


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    """Cached overrides and consents of one test (whose rows are rolled back) must not answer the next."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def declare() -> Iterator[Callable[..., Flag]]:
    """Declare a flag for this test only."""
    declared: list[str] = []

    def make(name: str, **values: object) -> Flag:
        flag = flag_register(Flag(name=name, description=f"The {name} feature.", **values))  # type: ignore[arg-type]
        declared.append(name)
        return flag

    yield make
    for name in declared:
        flag_unregister(name)


def resolver_for(tenant: Tenant) -> FeatureResolver:
    return FeatureResolver(tenant=tenant, region=region_get(tenant.region))


def member_of(tenant: Tenant, *, role: str, email: str) -> User:
    """A member of ``tenant`` with ``role``; the connection is left on the tenant it was on."""
    previous = connection.tenant
    connection.set_tenant(tenant)
    try:
        user = UserFactory(email=email, is_staff=role == ADMIN)
        user.groups.add(*ensure_roles().filter(name=role))
    finally:
        connection.set_tenant(previous)
    return user


@pytest.fixture
def other_admin(tenant: Tenant, other_tenant: Tenant) -> User:
    return member_of(other_tenant, role=ADMIN, email="owner@globex.test")


@pytest.fixture
def other_client(other_tenant: Tenant, other_admin: User) -> Client:
    """A browser-like client on the second tenant's host, signed in as its Admin."""
    client = Client(HTTP_HOST=tenant_domain_name(other_tenant.schema_name))
    with tenant_context(other_tenant):
        client.force_login(other_admin)
    return client
