"""Inventory events: exact payloads, and the low-stock event once per crossing of the reorder point."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection

from apps.events.models import OutboxEvent
from apps.events.registry import event_types
from apps.ims import services
from apps.ims.exceptions import InsufficientStock
from apps.ims.models import StockLevel
from tests.ims.factories import ProductFactory, ReorderRuleFactory, SupplierFactory, WarehouseFactory

D = Decimal
LOW = "ims.stock.low_threshold_reached"


def published(event_type):
    rows = OutboxEvent.objects.filter(tenant_schema=connection.schema_name, event_type=event_type).order_by("id")
    return [row.envelope["data"] for row in rows]


@pytest.fixture
def product(tenant):
    return ProductFactory(sku="GLOVE-L", name="Gloves L")


@pytest.fixture
def warehouse(tenant):
    return WarehouseFactory(code="main")


@pytest.fixture
def rule(product, warehouse):
    return ReorderRuleFactory(product=product, warehouse=warehouse, reorder_point=D("10"), reorder_quantity=D("40"))


def post(product, warehouse, kind, quantity, **kwargs):
    return services.movement_post(product=product, warehouse=warehouse, kind=kind, quantity=quantity, **kwargs)


def test_every_inventory_event_type_is_registered():
    assert sorted(t.name for t in event_types() if t.module == "ims") == [
        "ims.product.created",
        "ims.product.updated",
        "ims.purchase_order.cancelled",
        "ims.purchase_order.created",
        "ims.purchase_order.ordered",
        "ims.purchase_order.received",
        "ims.stock.low_threshold_reached",
        "ims.stock.moved",
    ]


def test_stock_moved_carries_the_movement_and_the_level_after_it(product, warehouse, admin_user):
    [movement] = post(product, warehouse, "receipt", "12.5", unit_cost="2", reference="DN-9", actor=admin_user)

    assert published("ims.stock.moved") == [
        {
            "movement": movement.pk,
            "product": product.pk,
            "sku": "GLOVE-L",
            "warehouse": warehouse.pk,
            "warehouse_code": "main",
            "kind": "receipt",
            "quantity": "12.500",
            "on_hand": "12.500",
            "reserved": "0.000",
            "available": "12.500",
            "reference": "DN-9",
            "reverses": None,
        }
    ]
    envelope = OutboxEvent.objects.get(event_type="ims.stock.moved", tenant_schema="acme").envelope
    assert envelope["userId"] == str(admin_user.pk)
    assert envelope["aggregate"]["type"] == "ims.stocklevel"


def test_a_transfer_publishes_one_stock_moved_per_warehouse(product, warehouse):
    annex = WarehouseFactory(code="annex")
    post(product, warehouse, "receipt", 5, unit_cost="1")

    post(product, warehouse, "transfer", 2, to_warehouse=annex)

    moved = published("ims.stock.moved")
    assert [(data["kind"], data["warehouse_code"], data["on_hand"]) for data in moved] == [
        ("receipt", "main", "5.000"),
        ("transfer_out", "main", "3.000"),
        ("transfer_in", "annex", "2.000"),
    ]


def test_a_refused_movement_publishes_nothing(product, warehouse):
    with pytest.raises(InsufficientStock):
        post(product, warehouse, "issue", 1)

    assert published("ims.stock.moved") == []


def test_falling_to_the_reorder_point_publishes_low_stock_once(product, warehouse, rule):
    post(product, warehouse, "receipt", 30, unit_cost="1")
    post(product, warehouse, "issue", 15)
    assert published(LOW) == []

    post(product, warehouse, "issue", 5)  # available 10: at the point
    post(product, warehouse, "issue", 3)  # still under: no second event
    post(product, warehouse, "reservation", 2)

    assert published(LOW) == [
        {
            "product": product.pk,
            "sku": "GLOVE-L",
            "warehouse": warehouse.pk,
            "warehouse_code": "main",
            "available": "10.000",
            "reorder_point": "10.000",
            "suggested_quantity": "40.000",
        }
    ]
    assert StockLevel.objects.get(product=product).below_reorder_point is True


def test_low_stock_is_published_again_after_recovery_and_a_new_crossing(product, warehouse, rule):
    post(product, warehouse, "receipt", 12, unit_cost="1")
    post(product, warehouse, "issue", 4)  # 8: first crossing
    post(product, warehouse, "receipt", 2)  # 10: still at the point, no recovery
    assert StockLevel.objects.get(product=product).below_reorder_point is True
    post(product, warehouse, "receipt", 50)  # 60: recovered
    assert StockLevel.objects.get(product=product).below_reorder_point is False

    post(product, warehouse, "issue", 59)  # 1: second crossing

    assert [(data["available"], data["suggested_quantity"]) for data in published(LOW)] == [
        ("8.000", "40.000"),
        ("1.000", "40.000"),
    ]


def test_suggested_quantity_covers_a_fall_deeper_than_the_reorder_quantity(product, warehouse):
    ReorderRuleFactory(product=product, warehouse=warehouse, reorder_point=D("100"), reorder_quantity=D("20"))
    post(product, warehouse, "receipt", 150, unit_cost="1")

    post(product, warehouse, "issue", 140)

    assert published(LOW)[0]["suggested_quantity"] == "90.000"


def test_a_reservation_can_cross_the_reorder_point(product, warehouse, rule):
    post(product, warehouse, "receipt", 20, unit_cost="1")

    post(product, warehouse, "reservation", 15)

    assert [data["available"] for data in published(LOW)] == ["5.000"]


def test_without_a_reorder_rule_stock_is_never_low(product, warehouse):
    post(product, warehouse, "receipt", 1, unit_cost="1")
    post(product, warehouse, "issue", 1)

    assert published(LOW) == []
    assert StockLevel.objects.get(product=product).below_reorder_point is False


def test_a_reorder_rule_set_over_current_stock_makes_it_low_at_once(product, warehouse):
    post(product, warehouse, "receipt", 5, unit_cost="1")

    services.reorder_rule_set(product=product, warehouse=warehouse, reorder_point=8, reorder_quantity=20)
    services.reorder_rule_set(product=product, warehouse=warehouse, reorder_point=9, reorder_quantity=20)

    assert [data["available"] for data in published(LOW)] == ["5.000"]
    assert StockLevel.objects.get(product=product).below_reorder_point is True


def test_low_stock_in_one_tenant_is_not_published_in_another(product, warehouse, rule, other_tenant):
    post(product, warehouse, "receipt", 1, unit_cost="1")

    assert OutboxEvent.objects.filter(event_type=LOW, tenant_schema="globex").count() == 0
    assert OutboxEvent.objects.filter(event_type=LOW, tenant_schema="acme").count() == 1


def test_product_created_and_updated(tenant, admin_user):
    product = services.product_create(actor=admin_user, sku="CAP", name="Cap")
    services.product_update(product=product, actor=admin_user, name="Cap, red", active=False)
    services.product_update(product=product, actor=admin_user, name="Cap, red")  # nothing changes

    assert published("ims.product.created") == [{"product": product.pk, "sku": "CAP", "name": "Cap", "active": True}]
    assert published("ims.product.updated") == [
        {"product": product.pk, "sku": "CAP", "name": "Cap, red", "active": False, "changed": ["active", "name"]}
    ]


def test_purchase_order_events(product, warehouse):
    supplier = SupplierFactory()
    order = services.purchase_order_create(
        supplier=supplier,
        warehouse=warehouse,
        lines=[{"product": product, "quantity": 10, "unit_cost": "1.5"}],
        actor=None,
    )
    services.purchase_order_order(order=order, actor=None)
    line = order.lines.get()
    services.purchase_order_receive(order=order, receipts={line.pk: 4}, actor=None)
    other = services.purchase_order_create(
        supplier=supplier, warehouse=warehouse, lines=[{"product": product, "quantity": 1}], actor=None
    )
    services.purchase_order_cancel(order=other, actor=None)

    base = {"purchase_order": order.pk, "number": "PO-00001", "supplier": supplier.pk, "warehouse": warehouse.pk}
    assert published("ims.purchase_order.created")[0] == {**base, "status": "draft", "total": "15.00"}
    assert published("ims.purchase_order.ordered") == [{**base, "status": "ordered", "total": "15.00"}]
    assert published("ims.purchase_order.received") == [
        {
            **base,
            "status": "partially_received",
            "total": "15.00",
            "lines": [{"line": line.pk, "product": product.pk, "quantity": "4.000"}],
        }
    ]
    assert published("ims.purchase_order.cancelled") == [
        {
            "purchase_order": other.pk,
            "number": "PO-00002",
            "supplier": supplier.pk,
            "warehouse": warehouse.pk,
            "status": "cancelled",
            "total": "10.00",
        }
    ]
