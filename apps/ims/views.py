"""The inventory's web pages: generic views configured per model, and forms that call the services."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django.contrib import messages
from django.db.models import DecimalField, Exists, F, OuterRef, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.ims import selectors, services
from apps.ims.constants import PRODUCT_FIELDS
from apps.ims.exceptions import InsufficientStock, StockError, TransitionNotAllowed
from apps.ims.filtersets import (
    CategoryFilterSet,
    ProductFilterSet,
    PurchaseOrderFilterSet,
    StockLevelFilterSet,
    SupplierFilterSet,
    WarehouseFilterSet,
)
from apps.ims.forms import ProductForm, ProductImportForm, ReceiveForm, StockMovementForm
from apps.ims.imports import COLUMNS, REQUIRED_COLUMNS, ProductImportError, products_import
from apps.ims.models import (
    Category,
    Product,
    PurchaseOrder,
    StockLevel,
    StockMovement,
    Supplier,
    Warehouse,
)
from apps.ims.tables import (
    CategoryTable,
    MovementTable,
    ProductStockTable,
    ProductTable,
    PurchaseOrderTable,
    StockLevelTable,
    SupplierTable,
    WarehouseTable,
)
from monopod.web.views import (
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    ObjectView,
    RelatedSection,
    object_url,
)

QUANTITY = DecimalField(max_digits=14, decimal_places=3)
LOW_STOCK_CARD_ROWS = 10
MOVEMENT_HISTORY_ROWS = 50


def products_with_stock() -> QuerySet[Product]:
    """Products with their stock summed over warehouses, and whether any warehouse is under its reorder point."""
    low = StockLevel.objects.filter(product=OuterRef("pk"), below_reorder_point=True)
    return (
        Product.objects.select_related("category")
        .annotate(
            stock_on_hand=Coalesce(Sum("levels__on_hand"), Value(Decimal(0)), output_field=QUANTITY),
            stock_available=Coalesce(
                Sum(F("levels__on_hand") - F("levels__reserved")), Value(Decimal(0)), output_field=QUANTITY
            ),
            stock_low=Exists(low),
        )
        .order_by("sku")
    )


def low_stock_levels() -> QuerySet[StockLevel]:
    """Levels whose available stock has crossed their reorder point, the emptiest first."""
    levels = selectors.stock_levels(below_reorder_point=True)
    return levels.order_by("available_quantity", "product__sku")  # type: ignore[misc]  # an annotation


def keeps_stock(request: HttpRequest) -> bool:
    """Whether the tenant keeps stock at all: the low-stock card is for tenants with a warehouse."""
    return Warehouse.objects.exists()


def low_stock_card_context(request: HttpRequest) -> dict[str, Any]:
    """What the dashboard's low-stock card shows."""
    levels = low_stock_levels()
    return {"levels": list(levels[:LOW_STOCK_CARD_ROWS]), "count": levels.count()}


# --- products


class ProductListView(ObjectListView):
    queryset = products_with_stock()
    filterset_class = ProductFilterSet
    table = ProductTable
    search_fields = ("sku", "name", "barcode")
    template_name = "ims/product_list.html"


class ProductDetailView(ObjectDetailView):
    queryset = Product.objects.select_related("category")
    fields = [*PRODUCT_FIELDS, "updated_at"]
    related = [
        RelatedSection(
            _("Stock per warehouse"),
            queryset=lambda product: selectors.stock_levels().filter(product=product).order_by("warehouse__code"),
            table=ProductStockTable,
        ),
        RelatedSection(
            _("Movements"),
            queryset=lambda product: (
                StockMovement.objects.filter(product=product)
                .select_related("warehouse", "actor")
                .order_by("-created_at", "-id")
            ),
            table=MovementTable,
            limit=MOVEMENT_HISTORY_ROWS,
        ),
    ]
    template_name = "ims/product_detail.html"


class ProductEditView(ObjectEditView):
    """Add or edit a product through the product services (audited, and its event published)."""

    queryset = Product.objects.all()
    form_class = ProductForm

    def post(self, request: HttpRequest, pk: Any = None) -> HttpResponse:
        instance = None if self.adding else self.get_object()
        form = ProductForm(request.POST, instance=instance)
        if not form.is_valid():
            return self.render(form, instance, status=400)
        fields = {name: form.cleaned_data[name] for name in ProductForm.Meta.fields}
        if instance is None:
            product = services.product_create(actor=request.user, **fields)
            messages.success(request, _("Created %(object)s.") % {"object": product})
        else:
            current = cast(Product, self.get_object())  # unchanged by the form's validation
            product = services.product_update(product=current, actor=request.user, **fields)
            messages.success(request, _("Saved %(object)s.") % {"object": product})
        return HttpResponseRedirect(self.return_url(object_url(Product, "detail", product)))


class ProductDeleteView(ObjectDeleteView):
    queryset = Product.objects.all()


# --- reference data: categories, suppliers, warehouses


class CategoryListView(ObjectListView):
    queryset = Category.objects.select_related("parent")
    filterset_class = CategoryFilterSet
    table = CategoryTable
    search_fields = ("name",)


class CategoryDetailView(ObjectDetailView):
    queryset = Category.objects.all()
    related = [
        RelatedSection(
            _("Products"), queryset=lambda category: products_with_stock().filter(category=category), table=ProductTable
        )
    ]


class CategoryEditView(ObjectEditView):
    queryset = Category.objects.all()
    fields = ["name", "parent", "description"]


class CategoryDeleteView(ObjectDeleteView):
    queryset = Category.objects.all()


class SupplierListView(ObjectListView):
    queryset = Supplier.objects.all()
    filterset_class = SupplierFilterSet
    table = SupplierTable
    search_fields = ("name", "contact_name", "email")


class SupplierDetailView(ObjectDetailView):
    queryset = Supplier.objects.all()
    related = [
        RelatedSection(
            _("Purchase orders"),
            queryset=lambda supplier: (
                PurchaseOrder.objects.filter(supplier=supplier)
                .select_related("supplier", "warehouse")
                .prefetch_related("lines")
            ),
            table=PurchaseOrderTable,
        )
    ]


class SupplierEditView(ObjectEditView):
    queryset = Supplier.objects.all()
    fields = ["name", "contact_name", "email", "phone", "lead_time_days", "notes", "active"]


class SupplierDeleteView(ObjectDeleteView):
    queryset = Supplier.objects.all()


class WarehouseListView(ObjectListView):
    queryset = Warehouse.objects.all()
    filterset_class = WarehouseFilterSet
    table = WarehouseTable
    search_fields = ("code", "name")


class WarehouseDetailView(ObjectDetailView):
    queryset = Warehouse.objects.all()
    related = [
        RelatedSection(
            _("Stock"),
            queryset=lambda warehouse: selectors.stock_levels().filter(warehouse=warehouse).order_by("product__sku"),
            table=StockLevelTable,
            limit=100,
        )
    ]


class WarehouseEditView(ObjectEditView):
    queryset = Warehouse.objects.all()
    fields = ["code", "name", "address", "active"]


class WarehouseDeleteView(ObjectDeleteView):
    queryset = Warehouse.objects.all()


# --- stock


class StockLevelListView(ObjectListView):
    """Stock per product and warehouse; ``?export=csv`` downloads every filtered row."""

    queryset = selectors.stock_levels().order_by("product__sku", "warehouse__code")
    filterset_class = StockLevelFilterSet
    table = StockLevelTable
    search_fields = ("product__sku", "product__name")
    bulk_delete = False


class StockMovementView(ObjectView):
    """Adjust, receive, issue or transfer stock: one form, posted through ``movement_post``."""

    queryset = StockMovement.objects.all()
    action = "add"
    template_name = "ims/stock_movement_form.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        initial = {key: request.GET[key] for key in ("product", "warehouse", "kind") if request.GET.get(key)}
        return self.render(StockMovementForm(initial=initial))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = StockMovementForm(request.POST)
        if not form.is_valid():
            return self.render(form, status=400)
        data = form.cleaned_data
        try:
            services.movement_post(
                product=data["product"],
                warehouse=data["warehouse"],
                kind=data["kind"],
                quantity=data["quantity"],
                reason=data["reason"],
                to_warehouse=data["to_warehouse"],
                actor=request.user,
            )
        except StockError as exc:
            form.add_error("quantity" if isinstance(exc, InsufficientStock) else None, str(exc))
            return self.render(form, status=400)
        messages.success(
            request,
            _("Stock of %(product)s in %(warehouse)s updated.")
            % {"product": data["product"], "warehouse": data["warehouse"]},
        )
        return HttpResponseRedirect(self.return_url(object_url(Product, "detail", data["product"])))

    def render(self, form: StockMovementForm, status: int = 200) -> HttpResponse:
        asked = self.request.POST.get("return_url") or self.request.GET.get("return_url") or ""
        context = {
            **self.base_context(),
            "form": form,
            "return_url": asked,
            "cancel_url": self.return_url(reverse("ims:product_list")),
        }
        return TemplateResponse(self.request, self.template_name, context, status=status)


def low_stock_card(request: HttpRequest) -> HttpResponse:
    """The low-stock card alone, for the dashboard to refresh when stock moves."""
    if not request.user.is_authenticated:
        return HttpResponse(status=401)
    if not request.user.has_perm("ims.view_stocklevel"):
        return HttpResponse(status=403)
    context = {"card_context": low_stock_card_context(request)}
    return TemplateResponse(request, "ims/_low_stock_card.html", context)


# --- purchase orders


class PurchaseOrderListView(ObjectListView):
    queryset = PurchaseOrder.objects.select_related("supplier", "warehouse").prefetch_related("lines")
    filterset_class = PurchaseOrderFilterSet
    table = PurchaseOrderTable
    search_fields = ("number", "notes")
    bulk_delete = False


class PurchaseOrderDetailView(ObjectDetailView):
    """An order, its lines, and the buttons of the steps its status allows."""

    queryset = PurchaseOrder.objects.select_related("supplier", "warehouse").prefetch_related("lines__product")
    fields = [
        "number",
        "supplier",
        "warehouse",
        "status",
        "expected_date",
        "notes",
        "ordered_at",
        "received_at",
        "closed_at",
        "cancelled_at",
    ]
    template_name = "ims/purchase_order_detail.html"

    def get(self, request: HttpRequest, pk: Any) -> HttpResponse:
        # ObjectDetailView answers a TemplateResponse: its context is still open to additions.
        response = cast(TemplateResponse, super().get(request, pk))
        context = cast(dict[str, Any], response.context_data)
        order: PurchaseOrder = context["object"]
        may_act = request.user.has_perm("ims.change_purchaseorder")
        context.update(
            {
                "lines": order.lines.all(),
                "may_order": may_act and order.can_order(),
                "may_receive": may_act and order.can_receive(),
                "may_cancel": may_act and order.can_cancel(),
                "may_close": may_act and order.can_close(),
            }
        )
        return response


PURCHASE_ORDER_STEPS = {
    "order": (services.purchase_order_order, _("%(order)s ordered.")),
    "cancel": (services.purchase_order_cancel, _("%(order)s cancelled.")),
    "close": (services.purchase_order_close, _("%(order)s closed.")),
}


class PurchaseOrderStepView(ObjectView):
    """Order, cancel or close a purchase order (POST only); a refused step says why."""

    queryset = PurchaseOrder.objects.all()
    action = "change"

    def post(self, request: HttpRequest, pk: int, step: str) -> HttpResponse:
        if step not in PURCHASE_ORDER_STEPS:
            return HttpResponse(status=404)
        order = get_object_or_404(self.queryset, pk=pk)
        service, done = PURCHASE_ORDER_STEPS[step]
        try:
            service(order=order, actor=request.user)
        except StockError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, str(done) % {"order": order.number})
        return HttpResponseRedirect(object_url(PurchaseOrder, "detail", order) or "/")


class PurchaseOrderReceiveView(ObjectView):
    """Receive goods against an order's outstanding lines."""

    queryset = PurchaseOrder.objects.select_related("supplier", "warehouse").prefetch_related("lines__product")
    action = "change"
    template_name = "ims/purchase_order_receive.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        order = get_object_or_404(self.queryset, pk=pk)
        return self.render(order, ReceiveForm(order=order))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        order = get_object_or_404(self.queryset, pk=pk)
        form = ReceiveForm(request.POST, order=order)
        if not form.is_valid():
            return self.render(order, form, status=400)
        try:
            services.purchase_order_receive(order=order, receipts=form.receipts(), actor=request.user)
        except (TransitionNotAllowed, StockError) as exc:
            form.add_error(None, str(exc))
            return self.render(order, form, status=400)
        messages.success(request, _("Goods received on %(order)s.") % {"order": order.number})
        return HttpResponseRedirect(object_url(PurchaseOrder, "detail", order) or "/")

    def render(self, order: PurchaseOrder, form: ReceiveForm, status: int = 200) -> HttpResponse:
        context = {
            **self.base_context(),
            "object": order,
            "object_url": object_url(PurchaseOrder, "detail", order),
            "form": form,
            "may_receive": order.can_receive(),
        }
        return TemplateResponse(self.request, self.template_name, context, status=status)


# --- import


class ProductImportView(ObjectView):
    """Upload a CSV of products: all imported, or none and every bad line listed."""

    queryset = Product.objects.all()
    action = "add"
    template_name = "ims/product_import.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render(ProductImportForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ProductImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render(form, status=400)
        try:
            result = products_import(content=form.cleaned_data["file"].read(), actor=request.user)
        except ProductImportError as exc:
            return self.render(form, status=400, errors=exc.errors)
        messages.success(
            request,
            ngettext(
                "Imported %(count)d product: %(created)d created, %(updated)d updated.",
                "Imported %(count)d products: %(created)d created, %(updated)d updated.",
                result.created + result.updated,
            )
            % {"count": result.created + result.updated, "created": result.created, "updated": result.updated},
        )
        return HttpResponseRedirect(reverse("ims:product_list"))

    def render(self, form: ProductImportForm, status: int = 200, errors: Any = None) -> HttpResponse:
        context = {
            **self.base_context(),
            "form": form,
            "errors": errors or [],
            "columns": COLUMNS,
            "required_columns": REQUIRED_COLUMNS,
        }
        return TemplateResponse(self.request, self.template_name, context, status=status)
