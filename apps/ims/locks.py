"""Row locks of the inventory app, in one place so every writer takes them in the same order.

Order: a purchase order's row, then stock levels by (product id, warehouse id), then the audit
trail's per-tenant lock, which the first audited write of a transaction takes (apps.audit.services).
So a service locks every level it will change before its first audited write (a movement, a purchase
order line, a reorder rule): two writers that follow the order never wait on each other in a cycle.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

from apps.ims.models import PurchaseOrder, StockLevel

# Raw SQL: this runs on every movement, and compiling the ORM's version (a subquery for the rule) cost
# more than the rest of the movement's Python. The reorder rule rides along unlocked (the low-stock
# check needs it); only the level row is locked. Each level also reserves the id of the movement that
# will be written against it, so the movement and its audit entry go to the database together
# (apps.ims.services); an id left unused is a gap in the ledger's ids, as a rollback leaves.
# The next id of the ledger's sequence.
MOVEMENT_ID_NEXT = "nextval(pg_get_serial_sequence('ims_stockmovement', 'id'))"
_LOCK_SQL = f"""
    SELECT sl.id, sl.warehouse_id, sl.on_hand, sl.reserved, sl.average_cost, sl.below_reorder_point,
           sl.updated_at, rr.reorder_point, rr.reorder_quantity, {MOVEMENT_ID_NEXT}
    FROM ims_stocklevel AS sl
    LEFT JOIN ims_reorderrule AS rr ON rr.product_id = sl.product_id AND rr.warehouse_id = sl.warehouse_id
    WHERE sl.product_id = %s AND sl.warehouse_id = ANY(%s)
    ORDER BY sl.warehouse_id
    FOR UPDATE OF sl
"""  # noqa: S608 - a constant expression


def _locked_levels(product_id: int, warehouse_ids: list[int]) -> dict[int, StockLevel]:
    with connection.cursor() as cursor:
        cursor.execute(_LOCK_SQL, [product_id, warehouse_ids])
        rows = cursor.fetchall()
    levels = {}
    for pk, warehouse_id, on_hand, reserved, average_cost, below, updated_at, point, quantity, movement_id in rows:
        level = StockLevel(
            id=pk,
            product_id=product_id,
            warehouse_id=warehouse_id,
            on_hand=on_hand,
            reserved=reserved,
            average_cost=average_cost,
            below_reorder_point=below,
            updated_at=updated_at,
        )
        level._state.adding = False
        level.rule_point, level.rule_quantity = point, quantity  # type: ignore[attr-defined]
        level.reserved_movement_id = movement_id  # type: ignore[attr-defined]
        levels[warehouse_id] = level
    return levels


def stock_levels_lock(*, product_id: int, warehouse_ids: Iterable[int]) -> dict[int, StockLevel]:
    """Lock (making them first if need be) the product's levels in the warehouses; by warehouse id.

    Each level carries ``rule_point`` and ``rule_quantity`` from its reorder rule (``None`` without one),
    and ``reserved_movement_id``, the id its next movement takes.
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
