"""Table columns: values as pages show them and as CSV exports them."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from monopod.web.tables import Column, Table, neutralised
from tests.catalog.models import Product


class ProductTable(Table):
    sku = Column("SKU", linkify=True, sortable=True)
    category = Column("Category", sortable="category")
    active = Column("Active")
    updated_at = Column("Updated")


def product(**fields: object) -> Product:
    defaults: dict[str, object] = {"sku": "ANV-1", "name": "Anvil", "unit_price": Decimal("9.50"), "active": True}
    return Product(**{**defaults, **fields})


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+44 20", "'+44 20"),
        ("-x", "'-x"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("plain = text", "plain = text"),
        ("", ""),
    ],
)
def test_text_that_a_spreadsheet_would_run_is_neutralised(value, expected):
    assert neutralised(value) == expected


def test_columns_keep_their_declaration_order_and_the_sort_allow_list():
    assert [c.name for c in ProductTable.columns] == ["sku", "category", "active", "updated_at"]
    assert ProductTable.sort_fields() == {"sku": "sku", "category": "category"}
    assert ProductTable.parse_sort("-sku") == ("-sku", "-sku")
    assert ProductTable.parse_sort("active") is None


def test_shown_values_use_labels_yes_no_and_a_dash_for_empty():
    item = product(category="service", description="")

    assert Column(accessor="category").shown(item) == "Service"
    assert Column(accessor="active").shown(item) == "Yes"
    assert Column(accessor="description").shown(item) == "—"


def test_times_are_shown_in_the_current_time_zone():
    item = product(updated_at=datetime(2026, 1, 31, 22, 30, tzinfo=UTC))

    with timezone.override("Asia/Dubai"), translation.override("en"):
        assert Column(accessor="updated_at").shown(item) == "Feb. 1, 2026, 2:30 a.m."


def test_exported_values_are_plain():
    item = product(active=False, quantity=-3)

    assert Column(accessor="active").exported(item) == "false"
    assert Column(accessor="quantity").exported(item) == "-3"
    assert Column(accessor="unit_price").exported(item) == "9.50"
    assert Column(accessor="description").exported(item) == ""
