"""The stock ledger: every movement kind, refusals, reversals, transfers, reservations and average cost."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from apps.ims import services
from apps.ims.exceptions import InsufficientStock, InvalidMovement
from apps.ims.models import Product, StockLevel, StockMovement
from tests.ims.factories import ProductFactory, WarehouseFactory

D = Decimal


@pytest.fixture
def product(tenant):
    return ProductFactory(sku="BOLT-M8", name="Bolt M8", cost_price=D("2.50"))


@pytest.fixture
def warehouse(tenant):
    return WarehouseFactory(code="main", name="Main")


@pytest.fixture
def annex(tenant):
    return WarehouseFactory(code="annex", name="Annex")


def raises(error, message):
    """``pytest.raises`` for exactly ``message``."""
    return pytest.raises(error, match=f"^{re.escape(message)}$")


def post(product, warehouse, kind, quantity, **kwargs):
    return services.movement_post(product=product, warehouse=warehouse, kind=kind, quantity=quantity, **kwargs)


def level(product, warehouse):
    return StockLevel.objects.get(product=product, warehouse=warehouse)


def test_a_receipt_adds_stock_at_its_unit_cost(product, warehouse, admin_user):
    [movement] = post(product, warehouse, "receipt", "10", unit_cost="4.00", actor=admin_user, reference="DN-1")

    stock = level(product, warehouse)
    assert (stock.on_hand, stock.reserved, stock.available, stock.average_cost) == (D("10"), D("0"), D("10"), D("4"))
    assert movement.kind == "receipt"
    assert movement.quantity == D("10.000")
    assert movement.unit_cost == D("4.0000")
    assert (movement.on_hand_after, movement.reserved_after) == (D("10.000"), D("0.000"))
    assert movement.reference == "DN-1"
    assert movement.actor == admin_user
    assert StockMovement.objects.count() == 1


def test_a_receipt_without_unit_cost_is_valued_at_the_products_cost_price(product, warehouse):
    [movement] = post(product, warehouse, "receipt", 4)

    assert movement.unit_cost == D("2.5000")
    assert level(product, warehouse).average_cost == D("2.5000")


def test_an_issue_takes_stock_out_at_the_average_cost(product, warehouse):
    post(product, warehouse, "receipt", 10, unit_cost="4")

    [movement] = post(product, warehouse, "issue", "3")

    assert movement.quantity == D("-3.000")
    assert movement.unit_cost == D("4.0000")
    assert movement.on_hand_after == D("7.000")
    assert level(product, warehouse).on_hand == D("7.000")


def test_an_issue_beyond_available_stock_is_refused_and_writes_nothing(product, warehouse):
    post(product, warehouse, "receipt", 5, unit_cost="1")

    with raises(InsufficientStock, "Only 5.000 of BOLT-M8 is available in main."):
        post(product, warehouse, "issue", "5.001")

    assert level(product, warehouse).on_hand == D("5.000")
    assert StockMovement.objects.count() == 1


def test_an_issue_from_no_stock_at_all_is_refused(product, warehouse):
    with pytest.raises(InsufficientStock):
        post(product, warehouse, "issue", 1)

    assert StockMovement.objects.count() == 0


def test_a_product_allowing_negative_stock_may_go_below_zero(warehouse, tenant):
    product = ProductFactory(sku="BACKORDER", allow_negative_stock=True)

    [movement] = post(product, warehouse, "issue", 5)

    assert movement.on_hand_after == D("-5.000")
    assert level(product, warehouse).available == D("-5.000")


def test_an_adjustment_is_signed_and_needs_a_reason(product, warehouse):
    post(product, warehouse, "receipt", 10, unit_cost="3")

    [down] = post(product, warehouse, "adjustment", "-2.5", reason="Damaged in transit")
    [up] = post(product, warehouse, "adjustment", "1", reason="Found on shelf")

    assert (down.quantity, down.on_hand_after, down.reason) == (D("-2.500"), D("7.500"), "Damaged in transit")
    assert (up.quantity, up.on_hand_after, up.unit_cost) == (D("1.000"), D("8.500"), D("3.0000"))
    assert level(product, warehouse).average_cost == D("3.0000")
    with raises(InvalidMovement, "An adjustment needs a reason."):
        post(product, warehouse, "adjustment", 1, reason="  ")


def test_a_negative_adjustment_beyond_available_stock_is_refused(product, warehouse):
    post(product, warehouse, "receipt", 2, unit_cost="3")

    with pytest.raises(InsufficientStock):
        post(product, warehouse, "adjustment", -3, reason="Count")

    assert level(product, warehouse).on_hand == D("2.000")


@pytest.mark.parametrize(
    ("kind", "quantity", "message"),
    [
        ("receipt", 0, "Quantity cannot be zero."),
        ("adjustment", "0.000", "Quantity cannot be zero."),
        ("receipt", -5, "Quantity must be positive; the kind says which way stock moves."),
        ("issue", -1, "Quantity must be positive; the kind says which way stock moves."),
        ("reservation", -1, "Quantity must be positive; the kind says which way stock moves."),
        ("receipt", "1.0005", "Quantity has more than three decimals."),
        ("receipt", "ten", "Quantity must be a number."),
        ("receipt", "NaN", "Quantity must be a number."),
        ("receipt", "1e12", "Quantity is too large."),
        ("transfer_in", 1, "Unknown movement kind transfer_in."),
        ("transfer_out", 1, "Unknown movement kind transfer_out."),
        ("theft", 1, "Unknown movement kind theft."),
    ],
)
def test_malformed_movements_are_refused(product, warehouse, kind, quantity, message):
    with pytest.raises(InvalidMovement) as refused:
        post(product, warehouse, kind, quantity, reason="why")

    assert str(refused.value) == message
    assert StockMovement.objects.count() == 0
    assert StockLevel.objects.count() == 0


def test_a_negative_unit_cost_is_refused(product, warehouse):
    with raises(InvalidMovement, "Unit cost must be zero or more."):
        post(product, warehouse, "receipt", 1, unit_cost="-1")


def test_quantities_keep_three_decimals(warehouse, tenant):
    flour = ProductFactory(sku="FLOUR", unit="kg")

    post(flour, warehouse, "receipt", "12.250", unit_cost="0.8")
    post(flour, warehouse, "issue", "0.125")

    assert level(flour, warehouse).on_hand == D("12.125")


def test_a_transfer_writes_a_pair_at_the_sources_average_cost(product, warehouse, annex):
    post(product, warehouse, "receipt", 10, unit_cost="4")
    post(product, annex, "receipt", 10, unit_cost="10")

    out, into = post(product, warehouse, "transfer", 4, to_warehouse=annex, reference="TR-7")

    assert (out.kind, out.warehouse, out.quantity, out.on_hand_after) == ("transfer_out", warehouse, D("-4"), D("6"))
    assert (into.kind, into.warehouse, into.quantity, into.on_hand_after) == ("transfer_in", annex, D("4"), D("14"))
    assert out.transfer_group == into.transfer_group is not None
    assert out.unit_cost == into.unit_cost == D("4.0000")
    assert level(product, warehouse).average_cost == D("4.0000")
    # (10 x 10 + 4 x 4) / 14
    assert level(product, annex).average_cost == D("8.2857")
    assert (out.reference, into.reference) == ("TR-7", "TR-7")


def test_a_transfer_into_an_empty_warehouse_makes_its_level(product, warehouse, annex):
    post(product, warehouse, "receipt", 3, unit_cost="4")

    post(product, warehouse, "transfer", 3, to_warehouse=annex)

    assert level(product, warehouse).on_hand == D("0")
    assert level(product, annex).on_hand == D("3")
    assert level(product, annex).average_cost == D("4.0000")


def test_a_transfer_beyond_available_stock_writes_neither_row(product, warehouse, annex):
    post(product, warehouse, "receipt", 3, unit_cost="4")

    with pytest.raises(InsufficientStock):
        post(product, warehouse, "transfer", 4, to_warehouse=annex)

    assert StockMovement.objects.count() == 1
    assert not StockLevel.objects.filter(warehouse=annex, on_hand__gt=0).exists()


@pytest.mark.parametrize(
    ("kind", "to", "message"),
    [
        ("transfer", None, "A transfer needs a destination warehouse."),
        ("transfer", "same", "A transfer needs two different warehouses."),
        ("receipt", "other", "Only a transfer has a destination warehouse."),
    ],
)
def test_transfers_need_two_different_warehouses(product, warehouse, annex, kind, to, message):
    destination = {"same": warehouse, "other": annex, None: None}[to]

    with pytest.raises(InvalidMovement) as refused:
        post(product, warehouse, kind, 1, to_warehouse=destination)

    assert str(refused.value) == message


def test_a_reservation_holds_stock_without_moving_it(product, warehouse):
    post(product, warehouse, "receipt", 10, unit_cost="1")

    [reservation] = post(product, warehouse, "reservation", 4, reference="SO-1")

    stock = level(product, warehouse)
    assert (stock.on_hand, stock.reserved, stock.available) == (D("10"), D("4"), D("6"))
    assert (reservation.quantity, reservation.on_hand_after, reservation.reserved_after) == (D("4"), D("10"), D("4"))
    assert reservation.unit_cost is None
    with raises(InsufficientStock, "Only 6.000 of BOLT-M8 is available in main."):
        post(product, warehouse, "issue", 7)
    with pytest.raises(InsufficientStock):
        post(product, warehouse, "reservation", 7)


def test_a_release_gives_reserved_stock_back(product, warehouse):
    post(product, warehouse, "receipt", 10, unit_cost="1")
    post(product, warehouse, "reservation", 4)

    [release] = post(product, warehouse, "release", 3)

    assert (release.quantity, release.reserved_after) == (D("-3"), D("1"))
    assert level(product, warehouse).available == D("9")
    with raises(InvalidMovement, "Only 1.000 of BOLT-M8 is reserved in main."):
        post(product, warehouse, "release", 2)


def test_reservations_have_no_unit_cost(product, warehouse):
    post(product, warehouse, "receipt", 10, unit_cost="1")

    with raises(InvalidMovement, "Reservations and releases have no unit cost."):
        post(product, warehouse, "reservation", 1, unit_cost="1")


def test_receipts_move_the_weighted_average_cost(product, warehouse):
    post(product, warehouse, "receipt", 10, unit_cost="4")
    post(product, warehouse, "receipt", 30, unit_cost="6")
    assert level(product, warehouse).average_cost == D("5.5000")

    post(product, warehouse, "issue", 40)
    assert level(product, warehouse).average_cost == D("5.5000")

    # Empty stock keeps no average: the next receipt sets it.
    post(product, warehouse, "receipt", 1, unit_cost="9")
    assert level(product, warehouse).average_cost == D("9.0000")


def test_a_reversal_posts_the_opposite_movement(product, warehouse, admin_user):
    post(product, warehouse, "receipt", 10, unit_cost="4")
    [wrong] = post(product, warehouse, "receipt", 10, unit_cost="8")

    [reversal] = services.movement_reverse(movement=wrong, actor=admin_user, reason="Keyed twice")

    assert (reversal.kind, reversal.quantity, reversal.reverses) == ("receipt", D("-10"), wrong)
    assert (reversal.reason, reversal.unit_cost, reversal.on_hand_after) == ("Keyed twice", D("8"), D("10"))
    stock = level(product, warehouse)
    assert (stock.on_hand, stock.average_cost) == (D("10"), D("4.0000"))
    assert StockMovement.objects.count() == 3


def test_a_movement_is_reversed_once_and_a_reversal_never(product, warehouse):
    [receipt] = post(product, warehouse, "receipt", 10, unit_cost="4")
    [reversal] = services.movement_reverse(movement=receipt, actor=None, reason="Wrong product")

    with raises(InvalidMovement, "This movement has already been reversed."):
        services.movement_reverse(movement=receipt, actor=None, reason="Again")
    with raises(InvalidMovement, "A reversal is not reversed; post a new movement instead."):
        services.movement_reverse(movement=reversal, actor=None, reason="Undo")
    with raises(InvalidMovement, "A reversal needs a reason."):
        services.movement_reverse(movement=receipt, actor=None, reason="")

    assert StockMovement.objects.count() == 2


def test_a_reversal_that_would_take_stock_below_zero_is_refused(product, warehouse):
    [receipt] = post(product, warehouse, "receipt", 10, unit_cost="4")
    post(product, warehouse, "issue", 8)

    with pytest.raises(InsufficientStock):
        services.movement_reverse(movement=receipt, actor=None, reason="Never arrived")

    assert level(product, warehouse).on_hand == D("2")


def test_reversing_either_row_of_a_transfer_reverses_both(product, warehouse, annex):
    post(product, warehouse, "receipt", 10, unit_cost="4")
    out, into = post(product, warehouse, "transfer", 4, to_warehouse=annex)

    back_out, back_in = services.movement_reverse(movement=into, actor=None, reason="Wrong van")

    assert (back_out.kind, back_out.quantity, back_out.reverses) == ("transfer_out", D("4"), out)
    assert (back_in.kind, back_in.quantity, back_in.reverses) == ("transfer_in", D("-4"), into)
    assert back_out.transfer_group == back_in.transfer_group != out.transfer_group
    assert (level(product, warehouse).on_hand, level(product, annex).on_hand) == (D("10"), D("0"))


def test_reversing_a_reservation_releases_it(product, warehouse):
    post(product, warehouse, "receipt", 10, unit_cost="4")
    [reservation] = post(product, warehouse, "reservation", 4)

    [reversal] = services.movement_reverse(movement=reservation, actor=None, reason="Order cancelled")

    assert (reversal.kind, reversal.quantity, reversal.reserved_after) == ("reservation", D("-4"), D("0"))


def test_a_product_needs_only_sku_and_name(tenant, admin_user):
    product = services.product_create(actor=admin_user, sku="NEW-1", name="New thing")

    assert (product.unit, product.cost_price, product.active, product.allow_negative_stock) == (
        "unit",
        D("0"),
        True,
        False,
    )


def test_a_duplicate_sku_is_refused_with_a_validation_error(product, admin_user):
    with pytest.raises(ValidationError) as refused:
        services.product_create(actor=admin_user, sku="BOLT-M8", name="Again")

    assert list(refused.value.message_dict) == ["sku"]


def test_a_product_update_changes_only_what_it_names(product, admin_user):
    services.product_update(product=product, actor=admin_user, name="Bolt M8 zinc", sale_price=D("0.90"))

    product.refresh_from_db()
    assert (product.name, product.sale_price, product.sku) == ("Bolt M8 zinc", D("0.90"), "BOLT-M8")


def test_each_tenant_has_its_own_ledger(product, warehouse, other_tenant):
    post(product, warehouse, "receipt", 10, unit_cost="4")

    connection.set_tenant(other_tenant)
    assert StockMovement.objects.count() == 0
    assert StockLevel.objects.count() == 0
    # The same SKU and warehouse code are free in another tenant.
    theirs = ProductFactory(sku="BOLT-M8")
    their_warehouse = WarehouseFactory(code="main")
    post(theirs, their_warehouse, "receipt", 3, unit_cost="1")
    assert level(theirs, their_warehouse).on_hand == D("3")
    assert Product.objects.count() == 1
