"""Row locks of the inventory app, in one place so every writer takes them in the same order.

Order: a purchase order's row before any stock level; stock levels by (product id, warehouse id).
Two writers that follow it never wait on each other in a cycle.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import OuterRef, Subquery

from apps.ims.models import PurchaseOrder, ReorderRule, StockLevel


def _locked_levels(product_id: int, warehouse_ids: list[int]) -> dict[int, StockLevel]:
    rules = ReorderRule.objects.filter(product_id=OuterRef("product_id"), warehouse_id=OuterRef("warehouse_id"))
    # The reorder rule rides along in the same query, unlocked: the low-stock check needs it on every movement.
    levels = (
        StockLevel.objects.select_for_update()
        .filter(product_id=product_id, warehouse_id__in=warehouse_ids)
        .annotate(
            rule_point=Subquery(rules.values("reorder_point")[:1]),
            rule_quantity=Subquery(rules.values("reorder_quantity")[:1]),
        )
        .order_by("warehouse_id")
    )
    return {level.warehouse_id: level for level in levels}


def stock_levels_lock(*, product_id: int, warehouse_ids: Iterable[int]) -> dict[int, StockLevel]:
    """Lock (making them first if need be) the product's levels in the warehouses; by warehouse id.

    Each level carries ``rule_point`` and ``rule_quantity`` from its reorder rule (``None`` without one).
    """
    wanted = sorted(set(warehouse_ids))
    levels = _locked_levels(product_id, wanted)
    missing = [warehouse_id for warehouse_id in wanted if warehouse_id not in levels]
    if missing:
        # ON CONFLICT DO NOTHING: a concurrent first movement may make the row between our read and insert.
        StockLevel.objects.bulk_create(
            [StockLevel(product_id=product_id, warehouse_id=warehouse_id) for warehouse_id in missing],
            ignore_conflicts=True,
        )
        levels = _locked_levels(product_id, wanted)
    return levels


def purchase_order_lock(order_id: int) -> PurchaseOrder:
    """The purchase order's row, locked until the transaction ends, with its supplier and warehouse."""
    return (
        PurchaseOrder.objects.select_for_update(of=("self",)).select_related("supplier", "warehouse").get(pk=order_id)
    )
