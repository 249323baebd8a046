"""The inventory's web pages: products with stock, the stock form, purchase orders, low stock, import, export."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_tenants.utils import tenant_context

from apps.events.models import OutboxEvent
from apps.identity.roles import ADMIN, INVENTORY_MANAGER, MANAGER, SALES_REP
from apps.ims import services
from apps.ims.models import Product, StockLevel, StockMovement, Warehouse
from apps.tenants.provisioning import tenant_domain_name
from tests.api_cases import role_user
from tests.ims import test_api
from tests.ims.test_api import product, receive

D = Decimal
world = test_api.world
PRODUCTS = "/ims/products/"
STOCK = "/ims/stock/"
MOVE = "/ims/stock/move/"
ORDERS = "/ims/purchase-orders/"


def signed_in(tenant, user) -> Client:
    client = Client(HTTP_HOST=tenant_domain_name(tenant.schema_name))
    client.force_login(user)
    return client


@pytest.fixture
def admin_client(tenant, admin_user):
    return signed_in(tenant, admin_user)


@pytest.fixture
def viewer_client(tenant, viewer_user):
    return signed_in(tenant, viewer_user)


@pytest.fixture
def stocked(world):
    """Anvils in stock, hammers under their reorder point, nails out of stock."""
    services.reorder_rule_set(
        product=world.hammer, warehouse=world.main, reorder_point=D("5"), reorder_quantity=D("20")
    )
    receive(world.anvil, world.main, "10", cost="40")
    receive(world.anvil, world.east, "2", cost="40")
    receive(world.hammer, world.main, "3")
    return world


def cells(response) -> list[list[str]]:
    return [[cell.value for cell in row.cells] for row in response.context["rows"]]


# --- products


def test_the_product_list_shows_stock_with_badges(admin_client, stocked):
    response = admin_client.get(PRODUCTS)

    assert response.status_code == 200
    assert [row[0] for row in cells(response)] == ["ANV-1", "HAM-1", "NAI-1"]
    assert [row[5:8] for row in cells(response)] == [
        ["12.000", "12.000", '<span class="stock-badge stock-ok">In stock</span>'],
        ["3.000", "3.000", '<span class="stock-badge stock-low">Low stock</span>'],
        ["0", "0", '<span class="stock-badge stock-out">Out of stock</span>'],
    ]
    assert b'<span class="stock-badge stock-low">Low stock</span>' in response.content


def test_the_product_list_runs_a_fixed_number_of_queries(admin_client, stocked, django_assert_max_num_queries):
    for index in range(30):
        receive(product(f"Q-{index:02d}", "Many"), stocked.main, "1")
    admin_client.get(PRODUCTS)

    with django_assert_max_num_queries(12):
        assert admin_client.get(PRODUCTS, {"per_page": 100}).status_code == 200


def test_the_product_list_exports_csv_with_the_stock_labels(admin_client, stocked):
    response = admin_client.get(PRODUCTS, {"export": "csv"})

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode().removeprefix("\ufeff"))))
    assert rows[0] == ["SKU", "Name", "Category", "Unit", "Sale price", "On hand", "Available", "Stock", "Active"]
    assert rows[1:] == [
        ["ANV-1", "Anvil", "Tools", "unit", "0.00", "12.000", "12.000", "In stock", "true"],
        ["HAM-1", "Hammer", "Tools", "unit", "0.00", "3.000", "3.000", "Low stock", "true"],
        ["NAI-1", "Nails", "", "kg", "0.00", "0", "0", "Out of stock", "true"],
    ]


def test_the_product_detail_shows_stock_per_warehouse_and_movements(admin_client, stocked):
    response = admin_client.get(f"{PRODUCTS}{stocked.anvil.pk}/")

    assert response.status_code == 200
    stock, movements = response.context["sections"]
    assert [[cell.value for cell in row.cells][:4] for row in stock["rows"]] == [
        ["East", "2.000", "0.000", "2.000"],
        ["Main", "10.000", "0.000", "10.000"],
    ]
    assert [[cell.value for cell in row.cells][1:5] for row in movements["rows"]] == [
        ["Receipt", "EAST", "2.000", "2.000"],
        ["Receipt", "MAIN", "10.000", "10.000"],
    ]
    assert f'href="{MOVE}?product={stocked.anvil.pk}'.encode() in response.content


def test_another_tenants_product_is_a_404(admin_client, world, other_tenant):
    with tenant_context(other_tenant):
        theirs = product("GLX-1", "Globex gadget")

    assert admin_client.get(f"{PRODUCTS}{theirs.pk + 1000}/").status_code == 404
    assert not Product.objects.filter(sku="GLX-1").exists()


def test_adding_a_product_goes_through_the_service(admin_client, tenant):
    response = admin_client.post(
        f"{PRODUCTS}add/",
        {"sku": "NEW-1", "name": "New", "unit": "unit", "cost_price": "1", "sale_price": "2", "active": "on"},
    )

    created = Product.objects.get(sku="NEW-1")
    assert (response.status_code, response["Location"]) == (302, f"{PRODUCTS}{created.pk}/")
    assert list(
        OutboxEvent.objects.filter(event_type__startswith="ims.product.").values_list("event_type", flat=True)
    ) == ["ims.product.created"]


def test_a_bad_product_form_is_a_400_with_errors(admin_client, world):
    response = admin_client.post(
        f"{PRODUCTS}add/", {"sku": "ANV-1", "name": "", "unit": "unit", "cost_price": "0", "sale_price": "-1"}
    )

    assert response.status_code == 400
    assert sorted(response.context["form"].errors) == ["name", "sale_price", "sku"]


@pytest.mark.parametrize("role", [SALES_REP, MANAGER])
def test_other_roles_see_no_inventory_pages(tenant, world, role):
    client = signed_in(tenant, role_user(role, f"{role.lower()}@acme.test"))

    assert [client.get(url).status_code for url in (PRODUCTS, STOCK, ORDERS, MOVE)] == [403, 403, 403, 403]
    assert b"/ims/" not in client.get("/").content


def test_a_viewer_sees_products_but_not_the_stock_form(viewer_client, stocked):
    assert viewer_client.get(PRODUCTS).status_code == 200
    assert viewer_client.get(MOVE).status_code == 403
    assert b'href="/ims/stock/move/' not in viewer_client.get(f"{PRODUCTS}{stocked.anvil.pk}/").content


def test_visitors_are_sent_to_sign_in(tenant):
    response = Client(HTTP_HOST=tenant_domain_name(tenant.schema_name)).get(PRODUCTS)

    assert (response.status_code, response["Location"]) == (302, "/accounts/login/?next=/ims/products/")


# --- the stock form


def test_an_adjustment_from_the_form_posts_a_movement(admin_client, stocked):
    response = admin_client.post(
        MOVE,
        {
            "product": stocked.anvil.pk,
            "warehouse": stocked.main.pk,
            "kind": "adjustment",
            "quantity": "-2",
            "reason": "Count",
        },
    )

    assert (response.status_code, response["Location"]) == (302, f"{PRODUCTS}{stocked.anvil.pk}/")
    latest = StockMovement.objects.latest("pk")
    assert (latest.kind, latest.quantity, latest.reason, latest.actor.email) == (
        "adjustment",
        D("-2"),
        "Count",
        "owner@acme.test",
    )
    assert StockLevel.objects.get(product=stocked.anvil, warehouse=stocked.main).on_hand == D("8")


def test_the_form_refuses_taking_more_than_is_available(admin_client, stocked):
    response = admin_client.post(
        MOVE, {"product": stocked.hammer.pk, "warehouse": stocked.main.pk, "kind": "issue", "quantity": "4"}
    )

    assert response.status_code == 400
    assert response.context["form"].errors == {"quantity": ["Only 3.000 of HAM-1 is available in MAIN."]}
    assert StockLevel.objects.get(product=stocked.hammer, warehouse=stocked.main).on_hand == D("3")


def test_the_form_transfers_and_checks_its_fields(admin_client, stocked):
    missing = admin_client.post(
        MOVE, {"product": stocked.anvil.pk, "warehouse": stocked.main.pk, "kind": "transfer", "quantity": "1"}
    )
    moved = admin_client.post(
        MOVE,
        {
            "product": stocked.anvil.pk,
            "warehouse": stocked.main.pk,
            "kind": "transfer",
            "quantity": "4",
            "to_warehouse": stocked.east.pk,
        },
    )

    assert (missing.status_code, missing.context["form"].errors) == (
        400,
        {"to_warehouse": ["A transfer needs the warehouse to move to."]},
    )
    assert moved.status_code == 302
    levels = StockLevel.objects.filter(product=stocked.anvil).order_by("warehouse__code")
    assert [(level.warehouse.code, level.on_hand) for level in levels] == [("EAST", D("6")), ("MAIN", D("6"))]


def test_an_inventory_manager_may_adjust(tenant, stocked):
    client = signed_in(tenant, role_user(INVENTORY_MANAGER, "im@acme.test"))

    assert client.get(f"{MOVE}?product={stocked.anvil.pk}").status_code == 200
    response = client.post(
        MOVE, {"product": stocked.anvil.pk, "warehouse": stocked.main.pk, "kind": "receipt", "quantity": "1"}
    )
    assert response.status_code == 302


# --- stock levels and export


def test_stock_levels_export_as_csv(admin_client, stocked):
    response = admin_client.get(STOCK, {"export": "csv", "below_reorder_point": "false"})

    assert response["Content-Disposition"] == 'attachment; filename="stock-levels.csv"'
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode().removeprefix("\ufeff"))))
    assert rows == [
        ["SKU", "Product", "Warehouse", "On hand", "Reserved", "Available", "Reorder point", "Average cost", "Stock"],
        ["ANV-1", "Anvil", "EAST", "2.000", "0.000", "2.000", "", "40.0000", "In stock"],
        ["ANV-1", "Anvil", "MAIN", "10.000", "0.000", "10.000", "", "40.0000", "In stock"],
    ]


def test_stock_levels_list_filters_low_stock(admin_client, stocked):
    response = admin_client.get(STOCK, {"below_reorder_point": "true"})

    assert [row[:3] for row in cells(response)] == [["HAM-1", "Hammer", "MAIN"]]


# --- purchase orders


@pytest.fixture
def order(world):
    return services.purchase_order_create(
        supplier=world.supplier,
        warehouse=world.main,
        lines=[
            {"product": world.anvil, "quantity": D("10"), "unit_cost": D("40")},
            {"product": world.nails, "quantity": D("5"), "unit_cost": D("2")},
        ],
        actor=None,
    )


def test_purchase_orders_list_and_detail(admin_client, order):
    listed = admin_client.get(ORDERS)
    detail = admin_client.get(f"{ORDERS}{order.pk}/")

    assert cells(listed) == [["PO-00001", "Forge Ltd", "MAIN", "Draft", "—", "410.00"]]
    assert detail.status_code == 200
    assert (detail.context["may_order"], detail.context["may_cancel"], detail.context["may_receive"]) == (
        True,
        True,
        False,
    )
    assert b"<td data-total>410.00</td>" in detail.content


def test_ordering_then_receiving_through_the_pages(admin_client, world, order):
    ordered = admin_client.post(f"{ORDERS}{order.pk}/order/")
    form = admin_client.get(f"{ORDERS}{order.pk}/receive/")
    anvil_line, nails_line = order.lines.order_by("pk")
    received = admin_client.post(
        f"{ORDERS}{order.pk}/receive/", {f"line_{anvil_line.pk}": "6", f"line_{nails_line.pk}": ""}
    )

    assert (ordered.status_code, form.status_code, received.status_code) == (302, 200, 302)
    assert sorted(form.context["form"].fields) == [f"line_{anvil_line.pk}", f"line_{nails_line.pk}"]
    order.refresh_from_db()
    assert order.status == "partially_received"
    assert StockLevel.objects.get(product=world.anvil, warehouse=world.main).on_hand == D("6")


def test_receiving_more_than_outstanding_is_a_form_error(admin_client, order):
    services.purchase_order_order(order=order, actor=None)
    line = order.lines.order_by("pk").first()

    response = admin_client.post(f"{ORDERS}{order.pk}/receive/", {f"line_{line.pk}": "11"})

    assert response.status_code == 400
    assert response.context["form"].errors == {
        f"line_{line.pk}": ["Ensure this value is less than or equal to 10.000."]
    }
    assert StockMovement.objects.count() == 0


def test_a_refused_step_says_why(admin_client, order):
    services.purchase_order_cancel(order=order, actor=None)

    response = admin_client.post(f"{ORDERS}{order.pk}/order/", follow=True)

    assert [str(message) for message in response.context["messages"]] == [
        "Purchase order PO-00001 is cancelled and cannot be ordered."
    ]


def test_a_viewer_cannot_take_a_step(viewer_client, order):
    assert viewer_client.post(f"{ORDERS}{order.pk}/order/").status_code == 403
    assert viewer_client.get(f"{ORDERS}{order.pk}/receive/").status_code == 403


def test_an_unknown_step_is_a_404(admin_client, order):
    assert admin_client.post(f"{ORDERS}{order.pk}/explode/").status_code == 404


# --- dashboard card and navigation


def test_the_dashboard_lists_low_stock(admin_client, stocked):
    response = admin_client.get("/")

    assert b'data-card="ims-low-stock"' in response.content
    assert b'<tr data-sku="HAM-1">' in response.content
    assert b'data-sku="ANV-1"' not in response.content
    assert b'hx-trigger="ims-stock-changed throttle:2s"' in response.content


def test_the_low_stock_card_is_for_tenants_that_keep_stock(admin_client, tenant):
    assert b'data-card="ims-low-stock"' not in admin_client.get("/").content

    Warehouse.objects.create(code="MAIN", name="Main")

    response = admin_client.get("/")
    assert b'data-card="ims-low-stock"' in response.content
    assert b"Every product is above its reorder point." in response.content


def test_the_low_stock_card_refreshes_alone(admin_client, stocked, tenant):
    services.movement_post(product=stocked.anvil, warehouse=stocked.east, kind="issue", quantity=D("2"))
    services.reorder_rule_set(
        product=stocked.anvil, warehouse=stocked.east, reorder_point=D("1"), reorder_quantity=D("5")
    )

    response = admin_client.get("/ims/cards/low-stock/")

    assert response.status_code == 200
    assert b"<html" not in response.content
    assert response.content.count(b"<tr data-sku=") == 2
    assert Client(HTTP_HOST=tenant_domain_name(tenant.schema_name)).get("/ims/cards/low-stock/").status_code == 401


def test_the_navigation_has_the_inventory_entries(admin_client, tenant):
    labels = [entry.label for section in admin_client.get("/").context["shell_nav"] for entry in section.entries]

    assert [
        str(label)
        for label in labels
        if str(label) in {"Products", "Stock", "Purchase orders", "Suppliers", "Warehouses", "Categories"}
    ] == [
        "Products",
        "Stock",
        "Purchase orders",
        "Suppliers",
        "Warehouses",
        "Categories",
    ]


# --- import


def test_uploading_a_good_csv_imports_it(admin_client, tenant):
    upload = SimpleUploadedFile("products.csv", b"sku,name\nBLT-1,Bolt\nBLT-2,Bolt M10\n", content_type="text/csv")

    response = admin_client.post("/ims/products/import/", {"file": upload}, follow=True)

    assert response.redirect_chain == [(PRODUCTS, 302)]
    assert [str(message) for message in response.context["messages"]] == ["Imported 2 products: 2 created, 0 updated."]
    assert list(Product.objects.values_list("sku", flat=True)) == ["BLT-1", "BLT-2"]


def test_uploading_a_bad_csv_lists_the_lines_and_imports_nothing(admin_client, tenant):
    upload = SimpleUploadedFile("products.csv", b"sku,name,sale_price\nBLT-1,Bolt,1\nBLT-2,,1\nBLT-3,Bad,-1\n")

    response = admin_client.post("/ims/products/import/", {"file": upload})

    assert response.status_code == 400
    assert [str(error) for error in response.context["errors"]] == [
        "line 3: name: This field is required.",
        "line 4: sale_price: Ensure this value is greater than or equal to 0.",
    ]
    assert b'<li data-line="3">line 3: name: This field is required.</li>' in response.content
    assert Product.objects.count() == 0


def test_the_import_page_is_for_those_who_may_add_products(viewer_client, admin_client):
    assert admin_client.get("/ims/products/import/").status_code == 200
    assert viewer_client.get("/ims/products/import/").status_code == 403


def test_a_second_tenant_sees_none_of_the_pages_objects(tenant, world, order, other_tenant):
    with tenant_context(other_tenant):
        globex = signed_in(other_tenant, role_user(ADMIN, "owner@globex.test"))
        pages = [
            globex.get(f"{PRODUCTS}{world.anvil.pk}/"),
            globex.get(f"{ORDERS}{order.pk}/"),
            globex.get(f"{ORDERS}{order.pk}/receive/"),
        ]
        listed = globex.get(PRODUCTS)

    assert [page.status_code for page in pages] == [404, 404, 404]
    assert (listed.status_code, listed.context["rows"]) == (200, [])
    assert Warehouse.objects.count() == 2


def test_editing_a_product_publishes_what_changed(admin_client, world):
    form = {
        "sku": "ANV-1",
        "name": "Anvil XL",
        "unit": "unit",
        "category": "",
        "cost_price": "40.00",
        "sale_price": "0",
    }
    form["active"] = "on"

    response = admin_client.post(f"{PRODUCTS}{world.anvil.pk}/edit/", form)

    assert (response.status_code, response["Location"]) == (302, f"{PRODUCTS}{world.anvil.pk}/")
    event = OutboxEvent.objects.filter(event_type="ims.product.updated").get()
    assert event.envelope["data"]["changed"] == ["category", "name"]
