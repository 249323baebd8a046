"""Optimistic concurrency (ETag, If-Match, If-None-Match) and Idempotency-Key, on the catalog resource."""

from __future__ import annotations

import re
import threading
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import include, path
from django.utils import timezone
from django_tenants.utils import tenant_context
from rest_framework import routers
from rest_framework.test import APIClient

from apps.audit.models import AuditEntry
from apps.identity.roles import ADMIN, ensure_roles
from monopod.idempotency.models import IdempotencyRecord
from monopod.idempotency.services import _claim
from monopod.idempotency.tasks import idempotency_purge
from monopod.urls_tenant import urlpatterns as tenant_urlpatterns
from tests.catalog.api import ProductViewSet
from tests.catalog.models import Product
from tests.identity.factories import UserFactory

PRODUCTS = "/api/v1/catalog/products/"
STRICT = "/api/v1/strict/products/"
ETAG = re.compile(r'"[0-9a-f]{32}"')
NEW_PRODUCT = {"sku": "NEW-1", "name": "Newcomer", "unit_price": "12.50", "quantity": 3}


class StrictProductViewSet(ProductViewSet):
    """Changes only with If-Match; creates only with an Idempotency-Key (as stock and money will)."""

    require_if_match = True
    require_idempotency_key = True


router = routers.SimpleRouter()
router.register("products", ProductViewSet, basename="catalog-product")
strict_router = routers.SimpleRouter()
strict_router.register("products", StrictProductViewSet, basename="strict-product")
urlpatterns = [
    path("api/v1/catalog/", include(router.urls)),
    path("api/v1/strict/", include(strict_router.urls)),
    *tenant_urlpatterns,
]

pytestmark = pytest.mark.urls(__name__)


@pytest.fixture
def product(tenant) -> Product:
    return Product.objects.create(sku="ANV-1", name="Anvil", unit_price=Decimal("99.00"), quantity=4)


def detail(product: Product, base: str = PRODUCTS) -> str:
    return f"{base}{product.pk}/"


def error_code(response) -> str:
    return response.json()["error"]["code"]


# --- ETag and conditional requests


def test_detail_answers_a_strong_etag_that_changes_with_the_object(api_client, product):
    first = api_client.get(detail(product))
    again = api_client.get(detail(product))
    changed = api_client.patch(detail(product), {"quantity": 5}, format="json")
    after = api_client.get(detail(product))

    assert ETAG.fullmatch(first["ETag"])
    assert again["ETag"] == first["ETag"]
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]
    assert after["ETag"] == changed["ETag"]


def test_create_answers_the_new_objects_etag(api_client, tenant):
    created = api_client.post(PRODUCTS, NEW_PRODUCT, format="json")
    fetched = api_client.get(f"{PRODUCTS}{created.json()['id']}/")

    assert created.status_code == 201
    assert created["ETag"] == fetched["ETag"]


def test_if_none_match_answers_304_while_the_copy_is_current(api_client, product):
    etag = api_client.get(detail(product))["ETag"]

    current = api_client.get(detail(product), HTTP_IF_NONE_MATCH=etag)
    weak = api_client.get(detail(product), HTTP_IF_NONE_MATCH=f"W/{etag}")
    stale = api_client.get(detail(product), HTTP_IF_NONE_MATCH='"0123456789abcdef0123456789abcdef"')

    assert (current.status_code, current.content, current["ETag"]) == (304, b"", etag)
    assert weak.status_code == 304
    assert stale.status_code == 200
    assert stale.json()["sku"] == "ANV-1"


def test_a_write_with_the_current_etag_goes_through(api_client, product):
    etag = api_client.get(detail(product))["ETag"]

    response = api_client.patch(detail(product), {"name": "Big anvil"}, format="json", HTTP_IF_MATCH=etag)

    assert response.status_code == 200
    product.refresh_from_db()
    assert product.name == "Big anvil"


def test_a_write_with_a_stale_etag_is_refused_and_changes_nothing(api_client, product):
    stale = api_client.get(detail(product))["ETag"]
    api_client.patch(detail(product), {"quantity": 10}, format="json")  # someone else's change

    patched = api_client.patch(detail(product), {"quantity": 1}, format="json", HTTP_IF_MATCH=stale)
    put = api_client.put(
        detail(product),
        {"sku": "ANV-1", "name": "Anvil", "unit_price": "1.00", "quantity": 1},
        format="json",
        HTTP_IF_MATCH=stale,
    )
    deleted = api_client.delete(detail(product), HTTP_IF_MATCH=stale)

    assert patched.status_code == put.status_code == deleted.status_code == 412
    body = patched.json()["error"]
    assert (body["code"], body["message"], body["details"]) == (
        "PRECONDITION_FAILED",
        "The resource has changed since it was read; fetch it again and retry.",
        [],
    )
    product.refresh_from_db()
    assert (product.quantity, product.unit_price) == (10, Decimal("99.00"))


def test_if_match_takes_any_of_a_list_or_a_star_but_never_a_weak_tag(api_client, product):
    etag = api_client.get(detail(product))["ETag"]

    weak = api_client.patch(detail(product), {"quantity": 1}, format="json", HTTP_IF_MATCH=f"W/{etag}")
    listed = api_client.patch(detail(product), {"quantity": 2}, format="json", HTTP_IF_MATCH=f'"other", {etag}')
    star = api_client.patch(detail(product), {"quantity": 3}, format="json", HTTP_IF_MATCH="*")

    assert (weak.status_code, listed.status_code, star.status_code) == (412, 200, 200)
    product.refresh_from_db()
    assert product.quantity == 3


def test_delete_with_the_current_etag_deletes(api_client, product):
    etag = api_client.get(detail(product))["ETag"]

    response = api_client.delete(detail(product), HTTP_IF_MATCH=etag)

    assert response.status_code == 204
    assert not Product.objects.filter(pk=product.pk).exists()


def test_the_object_is_locked_while_if_match_is_checked(api_client, product):
    etag = api_client.get(detail(product))["ETag"]

    with CaptureQueriesContext(connection) as queries:
        api_client.patch(detail(product), {"quantity": 7}, format="json", HTTP_IF_MATCH=etag)

    selects = [query["sql"] for query in queries if '"catalog_product"' in query["sql"] and "SELECT" in query["sql"]]
    assert selects[0].endswith('FOR UPDATE OF "catalog_product"')


def test_a_resource_may_require_if_match(api_client, product):
    missing = api_client.patch(detail(product, STRICT), {"quantity": 1}, format="json")
    etag = api_client.get(detail(product, STRICT))["ETag"]
    given = api_client.patch(detail(product, STRICT), {"quantity": 1}, format="json", HTTP_IF_MATCH=etag)

    assert (missing.status_code, error_code(missing)) == (428, "PRECONDITION_REQUIRED")
    assert given.status_code == 200


# --- Idempotency-Key


def test_a_repeated_key_replays_the_first_response_without_acting_again(api_client, tenant):
    first = api_client.post(PRODUCTS, NEW_PRODUCT, format="json", HTTP_IDEMPOTENCY_KEY="order-7")
    repeat = api_client.post(PRODUCTS, NEW_PRODUCT, format="json", HTTP_IDEMPOTENCY_KEY="order-7")

    assert (first.status_code, repeat.status_code) == (201, 201)
    assert repeat.json() == first.json()
    assert repeat["ETag"] == first["ETag"]
    assert repeat["Idempotent-Replayed"] == "true"
    assert not first.has_header("Idempotent-Replayed")
    assert Product.objects.filter(sku="NEW-1").count() == 1
    created = AuditEntry.objects.filter(object_type="catalog.product", object_id=str(first.json()["id"]))
    assert list(created.values_list("action", flat=True)) == ["create"]


def test_a_key_reused_for_another_request_is_refused(api_client, tenant):
    api_client.post(PRODUCTS, NEW_PRODUCT, format="json", HTTP_IDEMPOTENCY_KEY="order-7")

    other_body = api_client.post(
        PRODUCTS, {**NEW_PRODUCT, "sku": "NEW-2"}, format="json", HTTP_IDEMPOTENCY_KEY="order-7"
    )

    assert (other_body.status_code, error_code(other_body)) == (422, "IDEMPOTENCY_KEY_REUSED")
    assert list(Product.objects.values_list("sku", flat=True)) == ["NEW-1"]


def test_a_failed_request_leaves_its_key_free_for_the_corrected_one(api_client, tenant):
    invalid = api_client.post(
        PRODUCTS, {**NEW_PRODUCT, "unit_price": "-1"}, format="json", HTTP_IDEMPOTENCY_KEY="order-8"
    )
    corrected = api_client.post(PRODUCTS, NEW_PRODUCT, format="json", HTTP_IDEMPOTENCY_KEY="order-8")

    assert (invalid.status_code, corrected.status_code) == (400, 201)
    assert IdempotencyRecord.objects.get(key="order-8").status_code == 201


def test_keys_belong_to_their_principal(api_client, tenant):
    colleague = UserFactory(email="colleague@acme.test")
    colleague.groups.add(*ensure_roles().filter(name=ADMIN))
    other_client = APIClient(HTTP_HOST="acme.localhost")
    other_client.force_login(colleague)

    mine = api_client.post(PRODUCTS, NEW_PRODUCT, format="json", HTTP_IDEMPOTENCY_KEY="shared-key")
    theirs = other_client.post(
        PRODUCTS, {**NEW_PRODUCT, "sku": "NEW-2"}, format="json", HTTP_IDEMPOTENCY_KEY="shared-key"
    )

    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert not theirs.has_header("Idempotent-Replayed")
    assert sorted(Product.objects.values_list("sku", flat=True)) == ["NEW-1", "NEW-2"]


def test_an_expired_key_acts_again(api_client, tenant):
    api_client.post(PRODUCTS, NEW_PRODUCT, format="json", HTTP_IDEMPOTENCY_KEY="order-9")
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(hours=25))
    Product.objects.all().delete()

    again = api_client.post(PRODUCTS, NEW_PRODUCT, format="json", HTTP_IDEMPOTENCY_KEY="order-9")

    assert again.status_code == 201
    assert not again.has_header("Idempotent-Replayed")
    assert Product.objects.count() == 1


@pytest.mark.parametrize("key", ["", "has space", "é", "k" * 256])
def test_a_malformed_key_is_a_400(api_client, tenant, key):
    response = api_client.post(PRODUCTS, NEW_PRODUCT, format="json", HTTP_IDEMPOTENCY_KEY=key)

    assert (response.status_code, error_code(response)) == (400, "IDEMPOTENCY_KEY_INVALID")
    assert Product.objects.count() == 0


def test_a_resource_may_require_a_key(api_client, tenant):
    missing = api_client.post(STRICT, NEW_PRODUCT, format="json")
    given = api_client.post(STRICT, NEW_PRODUCT, format="json", HTTP_IDEMPOTENCY_KEY="k-1")

    assert (missing.status_code, error_code(missing)) == (400, "IDEMPOTENCY_KEY_INVALID")
    assert missing.json()["error"]["message"] == "This request needs an Idempotency-Key header."
    assert given.status_code == 201


def test_a_key_on_one_tenant_means_nothing_on_another(api_client, tenant, other_tenant):
    acme = api_client.post(PRODUCTS, NEW_PRODUCT, format="json", HTTP_IDEMPOTENCY_KEY="order-7")
    with tenant_context(other_tenant):
        globex_admin = UserFactory(email="owner@globex.test")
        globex_admin.groups.add(*ensure_roles().filter(name=ADMIN))
        globex_client = APIClient(HTTP_HOST="globex.localhost")
        globex_client.force_login(globex_admin)  # the session lives in globex's schema

    globex = globex_client.post(PRODUCTS, NEW_PRODUCT, format="json", HTTP_IDEMPOTENCY_KEY="order-7")

    assert (acme.status_code, globex.status_code) == (201, 201)
    assert not globex.has_header("Idempotent-Replayed")
    with tenant_context(other_tenant):
        assert list(Product.objects.values_list("sku", flat=True)) == ["NEW-1"]
        assert IdempotencyRecord.objects.count() == 1


def test_the_purge_deletes_expired_keys_in_every_tenant(tenant, other_tenant):
    old = timezone.now() - timedelta(hours=25)
    for each in (tenant, other_tenant):
        with tenant_context(each):
            IdempotencyRecord.objects.create(principal="user:1", key="old", fingerprint="f", status_code=201)
            IdempotencyRecord.objects.filter(key="old").update(created_at=old)
            IdempotencyRecord.objects.create(principal="user:1", key="fresh", fingerprint="f", status_code=201)

    deleted = idempotency_purge()

    assert deleted == 2
    for each in (tenant, other_tenant):
        with tenant_context(each):
            assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["fresh"]


def waiting_on_a_lock(conn, timeout: float = 10.0) -> int:
    """How many sessions of the test database wait on a lock, once one does (or the timeout passes)."""
    deadline = time.monotonic() + timeout
    while True:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
        ).fetchone()
        if row[0] or time.monotonic() > deadline:
            return row[0]
        time.sleep(0.02)


def test_a_copy_sent_while_the_first_runs_waits_and_replays_it(committed, other_tenant):
    conn, _made = committed
    claimed, finish = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def first() -> None:
        try:
            connection.set_tenant(other_tenant)
            with transaction.atomic():
                record = _claim("user:1", "race", "same-request")
                claimed.set()
                finish.wait(10)
                record.status_code = 201
                record.response_body = {"id": 1}
                record.save()
        finally:
            connection.close()

    def second() -> None:
        try:
            connection.set_tenant(other_tenant)
            claimed.wait(10)
            with transaction.atomic():
                record = _claim("user:1", "race", "same-request")
                outcome["replayed"] = (record.status_code, record.response_body)
        except Exception as exc:  # noqa: BLE001 - asserted on below
            outcome["error"] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    try:
        for thread in threads:
            thread.start()
        claimed.wait(10)
        locked = waiting_on_a_lock(conn)
        finish.set()
        for thread in threads:
            thread.join(20)
        assert outcome == {"replayed": (201, {"id": 1})}
        assert locked == 1
    finally:
        finish.set()
        conn.execute("DELETE FROM globex.idempotency_idempotencyrecord WHERE key = 'race'")
