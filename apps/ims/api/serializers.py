"""The inventory's API representations; writes go through apps.ims.services, never serializer.save()."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from apps.ims.constants import PRODUCT_FIELDS
from apps.ims.models import (
    Category,
    Product,
    PurchaseOrder,
    PurchaseOrderLine,
    StockLevel,
    StockMovement,
    Supplier,
    Warehouse,
)
from monopod.api import ModelSerializer, StrictCharField, StrictDecimalField, StrictIntegerField

# The kinds a client posts; reservations and releases belong to orders, and a transfer's two rows
# (transfer_out, transfer_in) are written by the service from one request.
POSTED_KINDS = ("receipt", "issue", "transfer", "adjustment")


class CategorySerializer(ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "name", "parent", "description"]


class SupplierSerializer(ModelSerializer):
    class Meta:
        model = Supplier
        fields = ["id", "name", "email", "phone", "contact_name", "lead_time_days", "notes", "active"]


class WarehouseSerializer(ModelSerializer):
    class Meta:
        model = Warehouse
        fields = ["id", "code", "name", "address", "active"]


# Named apart from other apps' products (the framework's test catalog has one): schema components share one namespace.
@extend_schema_serializer(component_name="InventoryProduct")
class ProductSerializer(ModelSerializer):
    class Meta:
        model = Product
        fields = ["id", *PRODUCT_FIELDS, "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]


class StockLevelSerializer(ModelSerializer):
    """A product's stock in one warehouse: on hand, reserved for orders, and what is left to sell."""

    sku = serializers.CharField(source="product.sku", read_only=True)
    product_name = serializers.CharField(source="product.name", read_only=True)
    warehouse_code = serializers.CharField(source="warehouse.code", read_only=True)
    available = serializers.DecimalField(max_digits=14, decimal_places=3, read_only=True)
    reorder_point = serializers.DecimalField(max_digits=14, decimal_places=3, read_only=True, allow_null=True)

    class Meta:
        model = StockLevel
        fields = [
            "id",
            "product",
            "sku",
            "product_name",
            "warehouse",
            "warehouse_code",
            "on_hand",
            "reserved",
            "available",
            "reorder_point",
            "below_reorder_point",
            "average_cost",
            "updated_at",
        ]
        read_only_fields = fields


class StockMovementSerializer(ModelSerializer):
    """One immutable line of the stock ledger."""

    class Meta:
        model = StockMovement
        fields = [
            "id",
            "product",
            "warehouse",
            "kind",
            "quantity",
            "unit_cost",
            "reason",
            "reference",
            "transfer_group",
            "reverses",
            "on_hand_after",
            "reserved_after",
            "actor",
            "created_at",
        ]
        read_only_fields = fields


class MovementPostSerializer(serializers.Serializer[Any]):
    """What a client posts to move stock: one request, one or (for a transfer) two ledger rows."""

    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all())
    warehouse = serializers.PrimaryKeyRelatedField(queryset=Warehouse.objects.all())
    kind = serializers.ChoiceField(choices=POSTED_KINDS)
    quantity = StrictDecimalField(
        max_digits=14,
        decimal_places=3,
        help_text=_("Positive for receipts, issues and transfers; signed for adjustments."),
    )
    reason = StrictCharField(required=False, allow_blank=True, default="")
    reference = StrictCharField(required=False, allow_blank=True, default="", max_length=64)
    unit_cost = StrictDecimalField(
        max_digits=14, decimal_places=4, required=False, allow_null=True, default=None, min_value=Decimal(0)
    )
    to_warehouse = serializers.PrimaryKeyRelatedField(
        queryset=Warehouse.objects.all(), required=False, allow_null=True, default=None
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        kind, to_warehouse = attrs["kind"], attrs.get("to_warehouse")
        if kind == "transfer" and to_warehouse is None:
            raise serializers.ValidationError({"to_warehouse": [_("A transfer needs the warehouse to move to.")]})
        if kind == "transfer" and to_warehouse == attrs["warehouse"]:
            raise serializers.ValidationError({"to_warehouse": [_("Transfer to a different warehouse.")]})
        if kind != "transfer" and to_warehouse is not None:
            raise serializers.ValidationError({"to_warehouse": [_("Only a transfer goes to another warehouse.")]})
        if kind == "adjustment" and not attrs.get("reason", "").strip():
            raise serializers.ValidationError({"reason": [_("An adjustment needs a reason.")]})
        return attrs


class MovementReverseSerializer(serializers.Serializer[Any]):
    reason = StrictCharField(allow_blank=False)


class PurchaseOrderLineSerializer(ModelSerializer):
    quantity = StrictDecimalField(max_digits=14, decimal_places=3, min_value=Decimal("0.001"))
    unit_cost = StrictDecimalField(max_digits=14, decimal_places=4, min_value=Decimal(0))

    class Meta:
        model = PurchaseOrderLine
        fields = ["id", "product", "quantity", "unit_cost", "received_quantity"]
        read_only_fields = ["received_quantity"]


class PurchaseOrderSerializer(ModelSerializer):
    """A purchase order with its lines; its status changes only through the order, receive and cancel actions."""

    lines = PurchaseOrderLineSerializer(many=True, allow_empty=False)
    total = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)

    class Meta:
        model = PurchaseOrder
        fields = [
            "id",
            "number",
            "supplier",
            "warehouse",
            "status",
            "expected_date",
            "notes",
            "lines",
            "total",
            "ordered_at",
            "received_at",
            "closed_at",
            "cancelled_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "number",
            "status",
            "ordered_at",
            "received_at",
            "closed_at",
            "cancelled_at",
            "created_at",
            "updated_at",
        ]


class ReceiptLineSerializer(serializers.Serializer[Any]):
    line = StrictIntegerField(min_value=1)
    quantity = StrictDecimalField(max_digits=14, decimal_places=3, min_value=Decimal("0.001"))


class PurchaseOrderReceiveSerializer(serializers.Serializer[Any]):
    """Lines received now and how much of each; without ``lines``, everything still outstanding."""

    lines = ReceiptLineSerializer(many=True, required=False)


class ValuationRowSerializer(serializers.Serializer[Any]):
    warehouse = serializers.IntegerField()
    warehouse_code = serializers.CharField()
    product = serializers.IntegerField()
    sku = serializers.CharField()
    on_hand = serializers.DecimalField(max_digits=14, decimal_places=3)
    average_cost = serializers.DecimalField(max_digits=14, decimal_places=4)
    value = serializers.DecimalField(max_digits=14, decimal_places=2)


class ValuationSerializer(serializers.Serializer[Any]):
    total_value = serializers.DecimalField(max_digits=14, decimal_places=2)
    results = ValuationRowSerializer(many=True)
