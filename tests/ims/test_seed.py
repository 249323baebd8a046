"""The demo inventory: what the seeder makes, and that running it again adds nothing."""

from __future__ import annotations

from decimal import Decimal

from apps.events.models import OutboxEvent
from apps.ims import selectors
from apps.ims.models import (
    Category,
    Product,
    PurchaseOrder,
    ReorderRule,
    StockLevel,
    StockMovement,
    Supplier,
    Warehouse,
)
from apps.ims.seed import seed_inventory
from monopod.seeding import registered_seeders


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (Category, Product, Warehouse, Supplier, ReorderRule, PurchaseOrder, StockLevel, StockMovement)
    }


def test_the_seeder_is_registered():
    assert "apps.ims.seed.seed_inventory" in registered_seeders()


def test_the_demo_inventory(tenant):
    seed_inventory(tenant=tenant)

    made = counts()
    assert {name: made[name] for name in ("Category", "Product", "Warehouse", "Supplier", "ReorderRule")} == {
        "Category": 5,
        "Product": 50,
        "Warehouse": 2,
        "Supplier": 3,
        "ReorderRule": 50,
    }
    assert (made["StockMovement"], made["StockLevel"]) == (207, 69)
    low = selectors.stock_levels(below_reorder_point=True)
    assert sorted((level.product.name, level.on_hand) for level in low) == [
        ("Bolt M8", Decimal("4.000")),
        ("Dust mask FFP2", Decimal("7.000")),
    ]
    assert OutboxEvent.objects.filter(tenant_schema="acme", event_type="ims.stock.low_threshold_reached").count() == 2
    [order] = PurchaseOrder.objects.all()
    assert (order.number, order.status, order.lines.count()) == ("PO-00001", "ordered", 2)
    assert not StockMovement.objects.filter(on_hand_after__lt=0).exists()
    assert selectors.stock_valuation_total() > 0


def test_seeding_twice_adds_nothing(tenant):
    seed_inventory(tenant=tenant)
    first = counts()
    events = OutboxEvent.objects.filter(tenant_schema="acme").count()

    seed_inventory(tenant=tenant)

    assert counts() == first
    assert OutboxEvent.objects.filter(tenant_schema="acme").count() == events
