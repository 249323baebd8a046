"""Reads of the inventory app: stock levels, stock on a past date, valuation, open purchase orders."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, ExpressionWrapper, F, OuterRef, QuerySet, Subquery

from apps.ims.models import (
    CENT,
    OPEN_STATUSES,
    ZERO,
    Product,
    PurchaseOrder,
    ReorderRule,
    StockLevel,
    StockMovement,
    Supplier,
    Warehouse,
)


def stock_levels(
    *,
    product: Product | int | None = None,
    warehouse: Warehouse | int | None = None,
    below_reorder_point: bool | None = None,
) -> QuerySet[StockLevel]:
    """Stock levels with their product, category and warehouse, ``available`` and ``reorder_point`` annotated."""
    rules = ReorderRule.objects.filter(product_id=OuterRef("product_id"), warehouse_id=OuterRef("warehouse_id"))
    levels = (
        StockLevel.objects.select_related("product", "product__category", "warehouse")
        .annotate(
            available_quantity=ExpressionWrapper(
                F("on_hand") - F("reserved"), output_field=DecimalField(max_digits=14, decimal_places=3)
            ),
            reorder_point=Subquery(rules.values("reorder_point")[:1]),
        )
        .order_by("product__sku", "warehouse__code")
    )
    if product is not None:
        levels = levels.filter(product=product)
    if warehouse is not None:
        levels = levels.filter(warehouse=warehouse)
    if below_reorder_point is not None:
        levels = levels.filter(below_reorder_point=below_reorder_point)
    return levels


def stock_movements(
    *, product: Product | int | None = None, warehouse: Warehouse | int | None = None
) -> QuerySet[StockMovement]:
    """The ledger, newest first, with product, warehouse and actor."""
    movements = StockMovement.objects.select_related("product", "warehouse", "actor").order_by("-created_at", "-id")
    if product is not None:
        movements = movements.filter(product=product)
    if warehouse is not None:
        movements = movements.filter(warehouse=warehouse)
    return movements


def stock_on_date(*, product: Product | int, warehouse: Warehouse | int, at: datetime) -> Decimal:
    """On-hand quantity of the product in the warehouse at ``at``, read from the ledger (0 before any movement)."""
    last = (
        StockMovement.objects.filter(product=product, warehouse=warehouse, created_at__lte=at)
        .order_by("-created_at", "-id")
        .values_list("on_hand_after", flat=True)
        .first()
    )
    return last if last is not None else ZERO


def stock_valuation(*, warehouse: Warehouse | int | None = None) -> list[dict[str, Any]]:
    """Per warehouse and product with stock: on hand, weighted average cost and value (to the cent)."""
    levels = (
        StockLevel.objects.select_related("product", "warehouse")
        .exclude(on_hand=0)
        .order_by("warehouse__code", "product__sku")
    )
    if warehouse is not None:
        levels = levels.filter(warehouse=warehouse)
    return [
        {
            "warehouse": level.warehouse,
            "product": level.product,
            "on_hand": level.on_hand,
            "average_cost": level.average_cost,
            "value": (level.on_hand * level.average_cost).quantize(CENT),
        }
        for level in levels
    ]


def stock_valuation_total(*, warehouse: Warehouse | int | None = None) -> Decimal:
    """The value of all stock (of one warehouse), the sum of ``stock_valuation``'s values."""
    return sum((row["value"] for row in stock_valuation(warehouse=warehouse)), ZERO)


def purchase_orders(*, supplier: Supplier | int | None = None, open_only: bool = False) -> QuerySet[PurchaseOrder]:
    """Purchase orders with supplier, warehouse and lines (for ``total``), newest number first."""
    orders = PurchaseOrder.objects.select_related("supplier", "warehouse").prefetch_related("lines__product")
    if supplier is not None:
        orders = orders.filter(supplier=supplier)
    if open_only:
        orders = orders.filter(status__in=OPEN_STATUSES)
    return orders.order_by("-number")


def supplier_open_purchase_orders(*, supplier: Supplier | int) -> QuerySet[PurchaseOrder]:
    """A supplier's purchase orders still to be ordered or received."""
    return purchase_orders(supplier=supplier, open_only=True)
