"""Reads: stock on a past date from the ledger, valuation at weighted average cost, filtered levels."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from apps.ims import selectors, services
from tests.ims.factories import ProductFactory, ReorderRuleFactory, WarehouseFactory

D = Decimal


@pytest.fixture
def product(tenant):
    return ProductFactory(sku="PAINT", unit="l")


@pytest.fixture
def warehouse(tenant):
    return WarehouseFactory(code="main")


@pytest.fixture
def annex(tenant):
    return WarehouseFactory(code="annex")


def post(product, warehouse, kind, quantity, **kwargs):
    [movement, *_] = services.movement_post(
        product=product, warehouse=warehouse, kind=kind, quantity=quantity, **kwargs
    )
    return movement


def test_stock_on_date_reads_the_level_after_the_last_movement_before_it(product, warehouse, annex):
    before_anything = timezone.now()
    first = post(product, warehouse, "receipt", 10, unit_cost="3")
    post(product, warehouse, "reservation", 4)
    after_reservation = timezone.now()
    post(product, warehouse, "issue", "2.5")
    after_issue = timezone.now()
    post(product, warehouse, "transfer", 1, to_warehouse=annex)

    def on(at, where=warehouse):
        return selectors.stock_on_date(product=product, warehouse=where, at=at)

    assert on(before_anything) == D("0")
    assert on(first.created_at) == D("10.000")
    # A reservation does not change on-hand stock.
    assert on(after_reservation) == D("10.000")
    assert on(after_issue) == D("7.500")
    assert on(timezone.now()) == D("6.500")
    assert on(timezone.now(), annex) == D("1.000")
    assert on(timezone.now() + timedelta(days=365)) == D("6.500")


def test_stock_on_date_of_another_product_or_tenant_is_zero(product, warehouse, other_tenant):
    post(product, warehouse, "receipt", 10, unit_cost="3")

    assert selectors.stock_on_date(product=ProductFactory(sku="OTHER"), warehouse=warehouse, at=timezone.now()) == 0
    connection.set_tenant(other_tenant)
    assert selectors.stock_on_date(product=product.pk, warehouse=warehouse.pk, at=timezone.now()) == D("0")


def test_valuation_is_on_hand_times_weighted_average_cost(product, warehouse, annex):
    glue = ProductFactory(sku="GLUE")
    post(product, warehouse, "receipt", 10, unit_cost="4")
    post(product, warehouse, "receipt", 5, unit_cost="7")  # average (40 + 35) / 15 = 5
    post(product, warehouse, "issue", 3)
    post(glue, warehouse, "receipt", "2.5", unit_cost="1.333")
    post(glue, annex, "receipt", 1, unit_cost="2")
    post(glue, annex, "issue", 1)  # nothing left in the annex: not valued

    rows = selectors.stock_valuation()

    assert [
        (row["warehouse"].code, row["product"].sku, row["on_hand"], row["average_cost"], row["value"]) for row in rows
    ] == [
        ("main", "GLUE", D("2.500"), D("1.3330"), D("3.33")),
        ("main", "PAINT", D("12.000"), D("5.0000"), D("60.00")),
    ]
    assert [row["product"].sku for row in selectors.stock_valuation(warehouse=annex)] == []
    assert selectors.stock_valuation_total() == D("63.33")
    assert selectors.stock_valuation_total(warehouse=warehouse) == D("63.33")


def test_stock_levels_filter_and_carry_the_reorder_point(product, warehouse, annex, django_assert_num_queries):
    ReorderRuleFactory(product=product, warehouse=warehouse, reorder_point=D("5"), reorder_quantity=D("10"))
    post(product, warehouse, "receipt", 4, unit_cost="1")
    post(product, annex, "receipt", 9, unit_cost="1")
    post(product, annex, "reservation", 2)

    with django_assert_num_queries(1):
        levels = list(selectors.stock_levels())
        shown = [
            (level.warehouse.code, level.product.sku, level.available_quantity, level.reorder_point) for level in levels
        ]

    assert shown == [("annex", "PAINT", D("7.000"), None), ("main", "PAINT", D("4.000"), D("5.000"))]
    assert [level.warehouse.code for level in selectors.stock_levels(below_reorder_point=True)] == ["main"]
    assert [level.warehouse.code for level in selectors.stock_levels(warehouse=annex)] == ["annex"]
    assert selectors.stock_levels(product=ProductFactory(sku="NONE")).count() == 0


def test_the_ledger_of_a_product_is_newest_first(product, warehouse):
    first = post(product, warehouse, "receipt", 4, unit_cost="1")
    second = post(product, warehouse, "issue", 1)

    assert list(selectors.stock_movements(product=product)) == [second, first]
    assert list(selectors.stock_movements(warehouse=WarehouseFactory(code="empty"))) == []
