"""The inventory's filters, shared by its API and its web pages."""

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


class CategoryFilterSet(FilterSet):
    class Meta:
        model = Category
        fields = {"parent": ["exact", "isnull"]}


class SupplierFilterSet(FilterSet):
    class Meta:
        model = Supplier
        fields = {"active": ["exact"], "lead_time_days": ["lte"]}


class WarehouseFilterSet(FilterSet):
    class Meta:
        model = Warehouse
        fields = {"code": ["exact"], "active": ["exact"]}


class ProductFilterSet(FilterSet):
    class Meta:
        model = Product
        fields = {
            "sku": ["exact"],
            "category": ["exact"],
            "unit": ["exact"],
            "active": ["exact"],
            "sale_price": ["gte", "lte"],
        }


class StockLevelFilterSet(FilterSet):
    class Meta:
        model = StockLevel
        fields = {"product": ["exact"], "warehouse": ["exact"], "below_reorder_point": ["exact"]}


class StockMovementFilterSet(FilterSet):
    class Meta:
        model = StockMovement
        fields = {
            "product": ["exact"],
            "warehouse": ["exact"],
            "kind": ["exact"],
            "reference": ["exact"],
            "created_at": ["gte", "lte"],
        }


class PurchaseOrderFilterSet(FilterSet):
    class Meta:
        model = PurchaseOrder
        fields = {"status": ["exact"], "supplier": ["exact"], "warehouse": ["exact"]}
