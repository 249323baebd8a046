"""The inventory's API: thin viewsets that parse, call apps.ims services or selectors, and answer."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any, cast

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from apps.ims import selectors, services
from apps.ims.api.serializers import (
    CategorySerializer,
    MovementPostSerializer,
    MovementReverseSerializer,
    ProductSerializer,
    PurchaseOrderReceiveSerializer,
    PurchaseOrderSerializer,
    StockLevelSerializer,
    StockMovementSerializer,
    SupplierSerializer,
    ValuationSerializer,
    WarehouseSerializer,
)
from apps.ims.exceptions import InsufficientStock, StockError, TransitionNotAllowed
from apps.ims.filtersets import (
    CategoryFilterSet,
    ProductFilterSet,
    PurchaseOrderFilterSet,
    StockLevelFilterSet,
    StockMovementFilterSet,
    SupplierFilterSet,
    WarehouseFilterSet,
)
from apps.ims.models import (
    Category,
    Product,
    PurchaseOrder,
    StockLevel,
    StockMovement,
    Supplier,
    Warehouse,
)
from monopod.api import Conflict, CursorPagination, TenantModelViewSet
from monopod.api.filters import refuse_unknown_parameters

READ_ONLY = ["get", "head", "options"]


def stock_error(exc: StockError) -> exceptions.APIException:
    """Not enough stock, or a step the order's status refuses, is a 409; any other refusal is bad input (400)."""
    if isinstance(exc, InsufficientStock | TransitionNotAllowed):
        return Conflict(str(exc))
    return exceptions.ValidationError(str(exc), code=exc.code)


@contextmanager
def model_validation_as_400() -> Iterator[None]:
    """A model's own validation (``full_clean`` in a service) answers the envelope's 400, naming fields."""
    try:
        yield
    except DjangoValidationError as exc:
        detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        raise exceptions.ValidationError(detail) from None


class ProtectedDeleteMixin:
    """A delete that other records still refer to (movements, orders) is a 409 saying so, not a 500."""

    def perform_destroy(self, instance: models.Model) -> None:
        try:
            instance.delete()
        except models.ProtectedError as exc:
            using = sorted({str(obj) for obj in exc.protected_objects})[:5]
            raise Conflict(_("Still in use by %(objects)s.") % {"objects": ", ".join(using)}) from None


class CategoryViewSet(ProtectedDeleteMixin, TenantModelViewSet):
    """Product categories, optionally nested under a parent."""

    queryset = Category.objects.all()
    serializer_class = CategorySerializer
    filterset_class = CategoryFilterSet
    search_fields = ["name"]
    ordering_fields = ["name"]
    api_scope = "ims"


class SupplierViewSet(ProtectedDeleteMixin, TenantModelViewSet):
    """Suppliers, with their contact and lead time."""

    queryset = Supplier.objects.all()
    serializer_class = SupplierSerializer
    filterset_class = SupplierFilterSet
    search_fields = ["name", "contact_name", "email"]
    ordering_fields = ["name", "lead_time_days"]
    api_scope = "ims"


class WarehouseViewSet(ProtectedDeleteMixin, TenantModelViewSet):
    """Warehouses stock is kept in."""

    queryset = Warehouse.objects.all()
    serializer_class = WarehouseSerializer
    filterset_class = WarehouseFilterSet
    search_fields = ["code", "name"]
    ordering_fields = ["code", "name"]
    api_scope = "ims"


class ProductViewSet(ProtectedDeleteMixin, TenantModelViewSet):
    """Products; a new one needs only ``sku`` and ``name``."""

    queryset = Product.objects.all()
    serializer_class = ProductSerializer
    filterset_class = ProductFilterSet
    search_fields = ["sku", "name", "barcode"]
    ordering_fields = ["sku", "name", "sale_price", "cost_price", "created_at"]
    api_scope = "ims"

    def perform_create(self, serializer: serializers.BaseSerializer[Any]) -> None:
        with model_validation_as_400():
            serializer.instance = services.product_create(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer: serializers.BaseSerializer[Any]) -> None:
        with model_validation_as_400():
            serializer.instance = services.product_update(
                product=cast(Product, serializer.instance), actor=self.request.user, **serializer.validated_data
            )


class StockLevelViewSet(TenantModelViewSet):
    """Stock levels per product and warehouse (read-only: stock changes by posting movements)."""

    queryset = selectors.stock_levels()
    serializer_class = StockLevelSerializer
    filterset_class = StockLevelFilterSet
    search_fields = ["product__sku", "product__name"]
    ordering_fields = ["on_hand", "reserved", "updated_at"]
    http_method_names = READ_ONLY
    api_scope = "ims"


class MovementPagination(CursorPagination):
    ordering = "-pk"


class StockMovementViewSet(TenantModelViewSet):
    """The stock ledger: list it, and post receipts, issues, transfers and adjustments (never edited)."""

    queryset = StockMovement.objects.all()
    serializer_class = StockMovementSerializer
    filterset_class = StockMovementFilterSet
    pagination_class = MovementPagination
    http_method_names = ["get", "post", "head", "options"]
    require_idempotency_key = True
    api_scope = "ims"

    @extend_schema(request=MovementPostSerializer, responses={201: StockMovementSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Post a movement; a transfer answers its outgoing row (the incoming one shares its transfer_group)."""
        payload = MovementPostSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        fields = dict(payload.validated_data)
        try:
            rows = services.movement_post(actor=request.user, **fields)
        except StockError as exc:
            raise stock_error(exc) from None
        response = Response(StockMovementSerializer(rows[0]).data, status=status.HTTP_201_CREATED)
        self._tag(response)
        return response

    @extend_schema(request=MovementReverseSerializer, responses={201: StockMovementSerializer})
    @action(detail=True, methods=["post"])
    def reverse(self, request: Request, pk: str) -> Response:
        """Correct a movement by posting its opposite; the original stays in the ledger."""
        movement = self.get_object()
        payload = MovementReverseSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            rows = services.movement_reverse(movement=movement, actor=request.user, **payload.validated_data)
        except StockError as exc:
            raise stock_error(exc) from None
        return Response(StockMovementSerializer(rows[0]).data, status=status.HTTP_201_CREATED)


class PurchaseOrderViewSet(TenantModelViewSet):
    """Purchase orders: created as drafts, then ordered, received (in parts) or cancelled by actions."""

    # The lines are prefetched: a page of orders and their totals costs two queries, whatever its size.
    queryset = PurchaseOrder.objects.prefetch_related("lines")
    serializer_class = PurchaseOrderSerializer
    filterset_class = PurchaseOrderFilterSet
    search_fields = ["number", "notes"]
    ordering_fields = ["number", "expected_date", "created_at"]
    http_method_names = ["get", "post", "head", "options"]
    require_idempotency_key = True
    api_scope = "ims"

    def perform_create(self, serializer: serializers.BaseSerializer[Any]) -> None:
        fields = dict(serializer.validated_data)
        lines = [dict(line) for line in fields.pop("lines")]
        try:
            order = services.purchase_order_create(actor=self.request.user, lines=lines, **fields)
        except StockError as exc:
            raise stock_error(exc) from None
        serializer.instance = self.get_queryset().get(pk=order.pk)

    def _transition(self, name: str, **arguments: Any) -> Response:
        order = self.get_object()
        try:
            getattr(services, f"purchase_order_{name}")(order=order, actor=self.request.user, **arguments)
        except StockError as exc:
            raise stock_error(exc) from None
        return Response(self.get_serializer(self.get_queryset().get(pk=order.pk)).data)

    @extend_schema(request=None, responses=PurchaseOrderSerializer)
    @action(detail=True, methods=["post"])
    def order(self, request: Request, pk: str) -> Response:
        """Send a draft to the supplier: draft → ordered."""
        return self._transition("order")

    @extend_schema(request=PurchaseOrderReceiveSerializer, responses=PurchaseOrderSerializer)
    @action(detail=True, methods=["post"])
    def receive(self, request: Request, pk: str) -> Response:
        """Receive goods into the order's warehouse; without ``lines``, everything still outstanding."""
        order = self.get_object()
        payload = PurchaseOrderReceiveSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        outstanding = {line.pk: line.outstanding for line in order.lines.all()}
        asked = payload.validated_data.get("lines")
        if asked is None:
            receipts = {pk: quantity for pk, quantity in outstanding.items() if quantity > 0}
        else:
            receipts = {}
            for index, item in enumerate(asked):
                if item["line"] not in outstanding:
                    message = _("Line %(line)s is not on this order.") % {"line": item["line"]}
                    raise exceptions.ValidationError({"lines": [{} for _ in range(index)] + [{"line": [message]}]})
                receipts[item["line"]] = receipts.get(item["line"], Decimal(0)) + item["quantity"]
        return self._transition("receive", receipts=receipts)

    @extend_schema(request=None, responses=PurchaseOrderSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        """Cancel an order nothing has been received on yet."""
        return self._transition("cancel")

    @extend_schema(request=None, responses=PurchaseOrderSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str) -> Response:
        """Close a received (or partly received) order: nothing more is expected."""
        return self._transition("close")


class ValuationViewSet(TenantModelViewSet):
    """What the stock is worth at weighted average cost, per product and warehouse."""

    queryset = StockLevel.objects.all()
    serializer_class = ValuationSerializer
    pagination_class = None
    http_method_names = READ_ONLY
    api_scope = "ims"

    @extend_schema(
        parameters=[OpenApiParameter("warehouse", OpenApiTypes.INT, description=_("Only this warehouse."))],
        responses=ValuationSerializer,
    )
    def summary(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Each product's value in each warehouse, and the total (one object: not a paged list)."""
        refuse_unknown_parameters(request, {"warehouse", "format"})
        warehouse = None
        if "warehouse" in request.query_params:
            # As the list filters do: an id that names no warehouse here values nothing.
            field = serializers.IntegerField()
            try:
                warehouse = field.to_internal_value(request.query_params["warehouse"])
            except serializers.ValidationError as exc:
                raise serializers.ValidationError({"warehouse": exc.detail}) from None
        rows = [
            {
                "warehouse": row["warehouse"].pk,
                "warehouse_code": row["warehouse"].code,
                "product": row["product"].pk,
                "sku": row["product"].sku,
                "on_hand": row["on_hand"],
                "average_cost": row["average_cost"],
                "value": Decimal(row["value"]).quantize(Decimal("0.01")),
            }
            for row in selectors.stock_valuation(warehouse=warehouse)
        ]
        total = sum((row["value"] for row in rows), Decimal(0))
        return Response(ValuationSerializer({"total_value": total, "results": rows}).data)
