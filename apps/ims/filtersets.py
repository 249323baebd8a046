"""The inventory's filters, shared by its API and its web pages.

Relations filter by id as plain integers (as apps.events.webhooks does): an id that names nothing in
this tenant lists nothing, rather than being a 400 that would tell one id from another.
"""

from __future__ import annotations

from apps.ims.models import (
    Category,
    Product,
    PurchaseOrder,
    StockLevel,
    StockMovement,
    Supplier,
    Warehouse,
)
from monopod.api import FilterSet
from monopod.api.filters import IntegerFilter


class CategoryFilterSet(FilterSet):
    parent = IntegerFilter(field_name="parent")

    class Meta:
        model = Category
        fields = {"parent": ["isnull"]}


class SupplierFilterSet(FilterSet):
    class Meta:
        model = Supplier
        fields = {"active": ["exact"], "lead_time_days": ["lte"]}


class WarehouseFilterSet(FilterSet):
    class Meta:
        model = Warehouse
        fields = {"code": ["exact"], "active": ["exact"]}


class ProductFilterSet(FilterSet):
    category = IntegerFilter(field_name="category")

    class Meta:
        model = Product
        fields = {
            "sku": ["exact"],
            "unit": ["exact"],
            "active": ["exact"],
            "sale_price": ["gte", "lte"],
        }


class StockLevelFilterSet(FilterSet):
    product = IntegerFilter(field_name="product")
    warehouse = IntegerFilter(field_name="warehouse")

    class Meta:
        model = StockLevel
        fields = {"below_reorder_point": ["exact"]}


class StockMovementFilterSet(FilterSet):
    product = IntegerFilter(field_name="product")
    warehouse = IntegerFilter(field_name="warehouse")

    class Meta:
        model = StockMovement
        fields = {
            "kind": ["exact"],
            "reference": ["exact"],
            "transfer_group": ["exact"],
            "created_at": ["gte", "lte"],
        }


class PurchaseOrderFilterSet(FilterSet):
    supplier = IntegerFilter(field_name="supplier")
    warehouse = IntegerFilter(field_name="warehouse")

    class Meta:
        model = PurchaseOrder
        fields = {"status": ["exact"]}
