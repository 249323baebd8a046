"""Queries per request of a resource's list (a page of 50) and detail, by each API credential.

The resource is the catalog (tests/catalog), which declares itself as a domain module would; the same
endpoints are what the list/detail benchmark (tests/bench/bench_api.py) loads. Each count is of a
request after a first one, so the host lookup (cached per process) and content types are warm, as
they are for a server that has been serving.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from apps.identity.services import api_key_create
from apps.identity.tokens import TenantRefreshToken
from tests.catalog.models import Product

ACME_HOST = "acme.localhost"
PRODUCTS_URL = "/api/v1/catalog/products/"
PRODUCT_COUNT = 60  # more than a page, so the page is full and the count is not the page's length

resource = pytest.mark.urls("tests.catalog.urls")


@pytest.fixture(autouse=True)
def _fresh_throttle_history():
    # Throttle counters live in the cache, which outlives each test's database transaction.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def products(tenant) -> list[Product]:
    return Product.objects.bulk_create(
        Product(sku=f"SKU-{n:04d}", name=f"Product {n}", unit_price=Decimal("9.50"), quantity=n)
        for n in range(PRODUCT_COUNT)
    )


@pytest.fixture
def jwt_client(tenant, viewer_user) -> APIClient:
    """A member who may view products, with a bearer token."""
    access = TenantRefreshToken.for_user(viewer_user).access_token
    return APIClient(HTTP_HOST=ACME_HOST, HTTP_AUTHORIZATION=f"Bearer {access}")


@pytest.fixture
def api_key_client(tenant, viewer_user) -> APIClient:
    """An integration with a key scoped to read the catalog, acting as a member who may view products."""
    _key, raw_key = api_key_create(name="catalog reader", scopes=["catalog:read"], user=viewer_user)
    return APIClient(HTTP_HOST=ACME_HOST, HTTP_AUTHORIZATION=f"Api-Key {raw_key}")


def detail_url(product: Product) -> str:
    return f"{PRODUCTS_URL}{product.pk}/"


@resource
def test_list_with_a_token_costs_two_queries(jwt_client, products, django_assert_num_queries):
    jwt_client.get(PRODUCTS_URL)
    # The count and the page. The connection is on the tenant's schema already (no SET search_path:
    # monopod/db/backends/postgresql); the token's user and the user's permissions come from the cache
    # (apps.identity.caching).
    with django_assert_num_queries(2):
        response = jwt_client.get(PRODUCTS_URL)

    assert response.status_code == 200
    assert response.json()["count"] == PRODUCT_COUNT
    assert len(response.json()["results"]) == 50


@resource
def test_detail_with_a_token_costs_one_query(jwt_client, products, django_assert_num_queries):
    jwt_client.get(detail_url(products[0]))
    # The object: as many as a plain view reading the row.
    with django_assert_num_queries(1):
        response = jwt_client.get(detail_url(products[0]))

    assert response.status_code == 200
    assert response.json()["sku"] == "SKU-0000"


@resource
def test_list_with_an_api_key_costs_three_queries(api_key_client, products, django_assert_num_queries):
    api_key_client.get(PRODUCTS_URL)
    # The key with its user (one join; its last use was recorded within the minute, so no update); then
    # count and page. The user's permissions come from the cache.
    with django_assert_num_queries(3):
        response = api_key_client.get(PRODUCTS_URL)

    assert response.status_code == 200
    assert len(response.json()["results"]) == 50


@resource
def test_detail_with_an_api_key_costs_two_queries(api_key_client, products, django_assert_num_queries):
    api_key_client.get(detail_url(products[0]))
    # The key with its user; then the object.
    with django_assert_num_queries(2):
        response = api_key_client.get(detail_url(products[0]))

    assert response.status_code == 200
    assert response.json()["sku"] == "SKU-0000"
