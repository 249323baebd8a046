"""Events of the inventory app: names, schemas and the payload builders the services publish with.

Quantities and money travel as decimal strings (``"12.500"``), never floats; ids as integers.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from apps.events.registry import event_type

if TYPE_CHECKING:
    from apps.ims.models import Product, PurchaseOrder, StockLevel, StockMovement

DECIMAL = {"type": "string", "pattern": r"^-?\d+(\.\d+)?$"}
NULLABLE_INT = {"type": ["integer", "null"]}


def _object(properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": sorted(properties), "additionalProperties": False}


PRODUCT = {
    "product": {"type": "integer"},
    "sku": {"type": "string"},
    "name": {"type": "string"},
    "active": {"type": "boolean"},
}
PURCHASE_ORDER = {
    "purchase_order": {"type": "integer"},
    "number": {"type": "string"},
    "supplier": {"type": "integer"},
    "warehouse": {"type": "integer"},
    "status": {"type": "string"},
    "total": DECIMAL,
}

PRODUCT_CREATED = event_type(
    "ims.product.created", description="A product was added to the catalogue.", schema=_object(PRODUCT)
)
PRODUCT_UPDATED = event_type(
    "ims.product.updated",
    description="A product's fields changed; `changed` names them.",
    schema=_object({**PRODUCT, "changed": {"type": "array", "items": {"type": "string"}}}),
)
STOCK_MOVED = event_type(
    "ims.stock.moved",
    description="A stock movement was posted (a transfer publishes one per warehouse); the level after it.",
    schema=_object(
        {
            "movement": {"type": "integer"},
            "product": {"type": "integer"},
            "sku": {"type": "string"},
            "warehouse": {"type": "integer"},
            "warehouse_code": {"type": "string"},
            "kind": {"type": "string"},
            "quantity": DECIMAL,
            "on_hand": DECIMAL,
            "reserved": DECIMAL,
            "available": DECIMAL,
            "reference": {"type": "string"},
            "reverses": NULLABLE_INT,
        }
    ),
)
STOCK_LOW = event_type(
    "ims.stock.low_threshold_reached",
    description=(
        "Available stock of a product in a warehouse fell to or below its reorder point. Published once per "
        "crossing: again only after available has risen above the point and fallen back."
    ),
    schema=_object(
        {
            "product": {"type": "integer"},
            "sku": {"type": "string"},
            "warehouse": {"type": "integer"},
            "warehouse_code": {"type": "string"},
            "available": DECIMAL,
            "reorder_point": DECIMAL,
            "suggested_quantity": DECIMAL,
        }
    ),
)
PURCHASE_ORDER_CREATED = event_type(
    "ims.purchase_order.created", description="A purchase order was drafted.", schema=_object(PURCHASE_ORDER)
)
PURCHASE_ORDER_ORDERED = event_type(
    "ims.purchase_order.ordered",
    description="A purchase order was sent to its supplier.",
    schema=_object(PURCHASE_ORDER),
)
PURCHASE_ORDER_RECEIVED = event_type(
    "ims.purchase_order.received",
    description="Goods of a purchase order arrived; `status` says whether all of them have.",
    schema=_object(
        {
            **PURCHASE_ORDER,
            "lines": {
                "type": "array",
                "items": _object({"line": {"type": "integer"}, "product": {"type": "integer"}, "quantity": DECIMAL}),
            },
        }
    ),
)
PURCHASE_ORDER_CANCELLED = event_type(
    "ims.purchase_order.cancelled", description="A purchase order was cancelled.", schema=_object(PURCHASE_ORDER)
)


def _decimal(value: Decimal) -> str:
    return str(value)


def product_data(product: Product) -> dict[str, Any]:
    return {"product": product.pk, "sku": product.sku, "name": product.name, "active": product.active}


def stock_moved_data(movement: StockMovement, level: StockLevel) -> dict[str, Any]:
    return {
        "movement": movement.pk,
        "product": movement.product_id,
        "sku": movement.product.sku,
        "warehouse": movement.warehouse_id,
        "warehouse_code": movement.warehouse.code,
        "kind": movement.kind,
        "quantity": _decimal(movement.quantity),
        "on_hand": _decimal(level.on_hand),
        "reserved": _decimal(level.reserved),
        "available": _decimal(level.available),
        "reference": movement.reference,
        "reverses": movement.reverses_id,
    }


def stock_low_data(level: StockLevel, *, reorder_point: Decimal, suggested: Decimal) -> dict[str, Any]:
    return {
        "product": level.product_id,
        "sku": level.product.sku,
        "warehouse": level.warehouse_id,
        "warehouse_code": level.warehouse.code,
        "available": _decimal(level.available),
        "reorder_point": _decimal(reorder_point),
        "suggested_quantity": _decimal(suggested),
    }


def purchase_order_data(order: PurchaseOrder) -> dict[str, Any]:
    return {
        "purchase_order": order.pk,
        "number": order.number,
        "supplier": order.supplier_id,
        "warehouse": order.warehouse_id,
        "status": order.status,
        "total": _decimal(order.total),
    }
