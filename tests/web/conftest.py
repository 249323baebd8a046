"""Web UI tests run on the tenant URLs with the catalog's pages added."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import clear_url_caches, set_urlconf

from apps.identity.models import User
from tests.catalog.models import Product


@pytest.fixture(autouse=True)
def _catalog_urls(settings: Any) -> Iterator[None]:
    settings.ROOT_URLCONF = "tests.catalog.urls"
    clear_url_caches()
    set_urlconf(None)
    yield
    clear_url_caches()
    set_urlconf(None)


@pytest.fixture
def products(tenant: Any) -> list[Product]:
    return [
        Product.objects.create(sku="ANV-1", name="Anvil", unit_price=Decimal("99.00"), quantity=4),
        Product.objects.create(sku="HAM-1", name="Hammer", unit_price=Decimal("5.50"), active=False),
        Product.objects.create(sku="INS-1", name="Installation", category="service", unit_price=Decimal("250")),
    ]


def signed_in(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


@pytest.fixture
def admin_client(tenant_client: Client, admin_user: User) -> Client:
    return signed_in(tenant_client, admin_user)


@pytest.fixture
def viewer_client(tenant_client: Client, viewer_user: User) -> Client:
    return signed_in(tenant_client, viewer_user)
