"""An object's history, from the audit trail: the web UI's page and the admin's History tab."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from apps.audit.models import AuditEntry
from apps.identity.roles import VIEWER
from tests.api_cases import bearer_client, role_user
from tests.catalog.models import Product
from tests.identity.factories import UserFactory

pytestmark = pytest.mark.urls("tests.catalog.urls")
PRODUCTS = "/api/v1/catalog/products/"


@pytest.fixture
def product(tenant, admin_user) -> Product:
    """A product made and then changed through the API by acme's admin."""
    client = bearer_client(admin_user)
    created = client.post(PRODUCTS, {"sku": "ANV-1", "name": "Anvil", "unit_price": "99.00"}, format="json")
    client.patch(f"{PRODUCTS}{created.json()['id']}/", {"quantity": 9, "name": "Big anvil"}, format="json")
    return Product.objects.get(pk=created.json()["id"])


def history_url(product: Product) -> str:
    return f"/audit/history/catalog.product/{product.pk}/"


def browser_of(user) -> Client:
    client = Client(HTTP_HOST="acme.localhost")
    client.force_login(user)
    return client


def text(html: str) -> str:
    return " ".join(" ".join(part.split(">")[-1] for part in html.split("<")).split())


def rows(response) -> list[str]:
    """The history table's rows as "who | what | changes" text, without markup: newest first."""
    body = response.content.decode().split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    table = []
    for row in body.split("<tr>")[1:]:
        who, what, changes, _where = (text(cell.split("</td>")[0]) for cell in row.split("<td>")[1:])
        table.append(f"{who} | {what} | {changes}")
    return table


def without_timestamps(row: str) -> str:
    return re.sub(r" updated_at : \S+ → \S+| created_at : — → \S+", "", row)


def test_the_admin_history_tab_shows_api_changes_from_the_trail(product, admin_user):
    response = browser_of(admin_user).get(f"/admin/catalog/product/{product.pk}/history/")

    assert response.status_code == 200
    assert [without_timestamps(row) for row in rows(response)] == [
        "owner@acme.test | update | name : Anvil → Big anvil quantity : 0 → 9",
        "owner@acme.test | create | active : — → True category : — → hardware description : — → — id : — → "
        f"{product.pk} name : — → Anvil quantity : — → 0 sku : — → ANV-1 unit_price : — → 99.00",
    ]
    assert "127.0.0.1" in response.content.decode()


def test_the_admin_history_tab_of_a_missing_object_redirects(tenant, admin_user):
    response = browser_of(admin_user).get("/admin/catalog/product/999999/history/")

    assert (response.status_code, response["Location"]) == (302, "/admin/")


def test_the_web_history_page_shows_the_same_entries_to_a_member_who_may_view(product):
    viewer = role_user(VIEWER, "viewer-history@acme.test")

    response = browser_of(viewer).get(history_url(product))

    assert response.status_code == 200
    assert "History: ANV-1 Big anvil" in response.content.decode()
    assert (
        without_timestamps(rows(response)[0]) == "owner@acme.test | update | name : Anvil → Big anvil quantity : 0 → 9"
    )
    assert len(rows(response)) == 2


def test_a_deleted_objects_history_stays_readable(product, admin_user):
    bearer_client(admin_user).delete(f"{PRODUCTS}{product.pk}/")

    response = browser_of(admin_user).get(history_url(product))

    assert response.status_code == 200
    page = response.content.decode()
    assert f"History: Product {product.pk}" in page
    assert "Product · deleted" in page
    assert [row.split(" | ")[1] for row in rows(response)] == ["delete", "update", "create"]


def test_the_history_pages_by_fifty(product, admin_user):
    client = bearer_client(admin_user)
    for quantity in range(10, 60):
        client.patch(f"{PRODUCTS}{product.pk}/", {"quantity": quantity}, format="json")
    browser = browser_of(admin_user)

    first, second = browser.get(history_url(product)), browser.get(history_url(product), {"page": 2})

    assert (len(rows(first)), len(rows(second))) == (50, 2)
    assert "52 entries" in first.content.decode()
    assert rows(second)[-1].split(" | ")[1] == "create"


def test_members_without_the_view_permission_are_refused(product):
    response = browser_of(UserFactory(email="no-role@acme.test")).get(history_url(product))

    assert response.status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(product):
    response = Client(HTTP_HOST="acme.localhost").get(history_url(product))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/audit/history/")


@pytest.mark.parametrize("object_type", ["nope.nothing", "catalog", "audit.auditentry"])
def test_unknown_kinds_and_the_trail_itself_are_404(tenant, admin_user, object_type):
    assert browser_of(admin_user).get(f"/audit/history/{object_type}/1/").status_code == 404


def test_another_tenants_history_of_the_same_id_is_its_own(product, other_tenant):
    with tenant_context(other_tenant):
        Product.objects.create(pk=product.pk, sku="GLB-1", name="Globex gear", unit_price=Decimal("1"))
        globex_viewer = role_user(VIEWER, "viewer@globex.test")
        browser = Client(HTTP_HOST="globex.localhost")
        browser.force_login(globex_viewer)

    response = browser.get(history_url(product))

    assert response.status_code == 200
    assert "History: GLB-1 Globex gear" in response.content.decode()
    assert [row.split(" | ")[1] for row in rows(response)] == ["create"]
    assert "Anvil" not in response.content.decode()
    with tenant_context(other_tenant):
        assert AuditEntry.objects.filter(object_type="catalog.product", changes__name=[None, "Anvil"]).count() == 0
