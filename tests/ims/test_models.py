"""Model guarantees: the ledger is immutable in Python and in SQL; constraints the database holds."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.utils import InternalError, ProgrammingError

from apps.audit.models import AuditEntry
from apps.ims import services
from apps.ims.models import ImmutableMovement, StockLevel, StockMovement
from tests.ims.factories import ProductFactory, WarehouseFactory

D = Decimal


@pytest.fixture
def movement(tenant):
    product, warehouse = ProductFactory(sku="TAPE"), WarehouseFactory(code="main")
    [receipt] = services.movement_post(product=product, warehouse=warehouse, kind="receipt", quantity=5, unit_cost=1)
    return receipt


def test_a_movement_is_never_saved_again(movement):
    movement.reason = "edited"

    with pytest.raises(ImmutableMovement, match="never changed"):
        movement.save()

    assert StockMovement.objects.get(pk=movement.pk).reason == ""


def test_a_movement_is_never_deleted(movement):
    with pytest.raises(ImmutableMovement, match="never deleted"):
        movement.delete()
    with pytest.raises(ImmutableMovement, match="never deleted"):
        StockMovement.objects.all().delete()
    with pytest.raises(ImmutableMovement, match="never changed"):
        StockMovement.objects.update(reason="bulk")

    assert StockMovement.objects.count() == 1


@pytest.mark.parametrize(
    ("statement", "operation"),
    [
        ("UPDATE ims_stockmovement SET quantity = 500", "UPDATE"),
        ("DELETE FROM ims_stockmovement", "DELETE"),
    ],
)
def test_the_database_refuses_changing_or_deleting_movements(movement, statement, operation):
    refused = pytest.raises((InternalError, ProgrammingError), match=f"stock movements are append-only \\({operation}")
    with refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)

    assert StockMovement.objects.get(pk=movement.pk).quantity == D("5")


def test_a_movement_is_recorded_on_the_audit_trail(movement):
    entry = AuditEntry.objects.get(object_type="ims.stockmovement", object_id=str(movement.pk))

    assert entry.action == "create"
    assert entry.changes["quantity"] == [None, "5.000"]
    assert entry.changes["kind"] == [None, "receipt"]


def test_the_database_refuses_a_negative_reservation(movement):
    with pytest.raises(IntegrityError, match="ims_stock_level_reserved_not_negative"), transaction.atomic():
        StockLevel.objects.filter(product=movement.product).update(reserved=-1)


def test_the_database_refuses_a_zero_movement(movement):
    with pytest.raises(IntegrityError, match="ims_movement_quantity_not_zero"), transaction.atomic():
        StockMovement.objects.create(
            product=movement.product,
            warehouse=movement.warehouse,
            kind="receipt",
            quantity=0,
            on_hand_after=5,
            reserved_after=0,
        )


def test_a_sku_is_unique(tenant):
    ProductFactory(sku="ONE")
    with pytest.raises(IntegrityError), transaction.atomic():
        ProductFactory._meta.model.objects.create(sku="ONE", name="Again")


def test_a_level_knows_what_is_available(movement):
    services.movement_post(product=movement.product, warehouse=movement.warehouse, kind="reservation", quantity=2)

    level = StockLevel.objects.get()
    assert (level.on_hand, level.reserved, level.available) == (D("5"), D("2"), D("3"))
    assert str(level) == f"{movement.product_id}@{movement.warehouse_id}: 5.000"
