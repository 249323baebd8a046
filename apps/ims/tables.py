"""The inventory's tables, shared by its list pages, detail sections and CSV exports."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import models
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from monopod.web.tables import Column, Table

ZERO = Decimal(0)


def stock_status(*, available: Decimal | None, below_reorder_point: bool) -> tuple[str, str]:
    """The badge of a stock figure: ``(css modifier, label)``; out of stock before low stock."""
    if available is None or available <= ZERO:
        return "out", str(_("Out of stock"))
    if below_reorder_point:
        return "low", str(_("Low stock"))
    return "ok", str(_("In stock"))


class StockBadgeColumn(Column):
    """Available quantity with a badge (in stock, low, out); CSV gets the label alone."""

    def __init__(self, label: Any = None, *, available: str, low: str, **kwargs: Any) -> None:
        super().__init__(label, **kwargs)
        self.available_attribute = available
        self.low_attribute = low

    def status(self, obj: models.Model) -> tuple[str, str]:
        return stock_status(
            available=getattr(obj, self.available_attribute, None),
            below_reorder_point=bool(getattr(obj, self.low_attribute, False)),
        )

    def shown(self, obj: models.Model) -> str:
        modifier, label = self.status(obj)
        badge: SafeString = format_html('<span class="stock-badge stock-{}">{}</span>', modifier, label)
        return badge

    def exported(self, obj: models.Model) -> str:
        return self.status(obj)[1]


class ProductTable(Table):
    sku = Column(_("SKU"), linkify=True, sortable=True)
    name = Column(_("Name"), sortable=True)
    category = Column(_("Category"), accessor="category.name", sortable="category__name")
    unit = Column(_("Unit"))
    sale_price = Column(_("Sale price"), sortable=True)
    stock_on_hand = Column(_("On hand"), sortable=True)
    stock_available = Column(_("Available"), sortable=True)
    stock = StockBadgeColumn(_("Stock"), available="stock_available", low="stock_low")
    active = Column(_("Active"))


class StockLevelTable(Table):
    sku = Column(_("SKU"), accessor="product.sku", sortable="product__sku")
    product = Column(_("Product"), accessor="product.name", sortable="product__name")
    warehouse = Column(_("Warehouse"), accessor="warehouse.code", sortable="warehouse__code")
    on_hand = Column(_("On hand"), sortable=True)
    reserved = Column(_("Reserved"), sortable=True)
    available = Column(_("Available"))
    reorder_point = Column(_("Reorder point"))
    average_cost = Column(_("Average cost"))
    stock = StockBadgeColumn(_("Stock"), available="available", low="below_reorder_point")


class ProductStockTable(Table):
    """A product's stock per warehouse, on its detail page."""

    warehouse = Column(_("Warehouse"), accessor="warehouse.name")
    on_hand = Column(_("On hand"))
    reserved = Column(_("Reserved"))
    available = Column(_("Available"))
    reorder_point = Column(_("Reorder point"))
    stock = StockBadgeColumn(_("Stock"), available="available", low="below_reorder_point")


class MovementTable(Table):
    created_at = Column(_("When"))
    kind = Column(_("Kind"))
    warehouse = Column(_("Warehouse"), accessor="warehouse.code")
    quantity = Column(_("Quantity"))
    on_hand_after = Column(_("On hand after"))
    reason = Column(_("Reason"))
    reference = Column(_("Reference"))
    actor = Column(_("By"), accessor="actor.email")


class PurchaseOrderTable(Table):
    number = Column(_("Number"), linkify=True, sortable=True)
    supplier = Column(_("Supplier"), accessor="supplier.name", sortable="supplier__name")
    warehouse = Column(_("Warehouse"), accessor="warehouse.code", sortable="warehouse__code")
    status = Column(_("Status"), sortable=True)
    expected_date = Column(_("Expected"), sortable=True)
    total = Column(_("Total"))


class WarehouseTable(Table):
    code = Column(_("Code"), linkify=True, sortable=True)
    name = Column(_("Name"), sortable=True)
    active = Column(_("Active"))


class SupplierTable(Table):
    name = Column(_("Name"), linkify=True, sortable=True)
    contact_name = Column(_("Contact"))
    email = Column(_("Email"))
    lead_time_days = Column(_("Lead time (days)"), sortable=True)
    active = Column(_("Active"))


class CategoryTable(Table):
    name = Column(_("Name"), linkify=True, sortable=True)
    parent = Column(_("Parent"), accessor="parent.name")
    description = Column(_("Description"))
