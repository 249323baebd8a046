"""The inventory in each tenant's admin: catalogue data is edited here; stock only moves through the services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from apps.ims import services
from apps.ims.models import (
    Category,
    Location,
    NumberSequence,
    Product,
    PurchaseOrder,
    PurchaseOrderLine,
    ReorderRule,
    StockLevel,
    StockMovement,
    Supplier,
    Warehouse,
)
from monopod.admin_site import ReadOnlyAdminMixin


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "parent"]
    search_fields = ["name"]
    autocomplete_fields = ["parent"]


@admin.register(Supplier)
class SupplierAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "contact_name", "email", "phone", "lead_time_days", "active"]
    list_filter = ["active"]
    search_fields = ["name", "contact_name", "email"]


class LocationInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Location
    extra = 0


@admin.register(Warehouse)
class WarehouseAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["code", "name", "active"]
    list_filter = ["active"]
    search_fields = ["code", "name"]
    inlines = [LocationInline]


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["warehouse", "code", "name"]
    list_filter = ["warehouse"]
    search_fields = ["code", "name"]


class ReorderRuleInline(admin.TabularInline):  # type: ignore[type-arg]
    model = ReorderRule
    extra = 0


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["sku", "name", "category", "unit", "cost_price", "sale_price", "active"]
    list_filter = ["active", "category", "unit"]
    search_fields = ["sku", "name", "barcode"]
    autocomplete_fields = ["category"]
    inlines = [ReorderRuleInline]

    def save_model(self, request: HttpRequest, obj: Product, form: Any, change: bool) -> None:
        # Through the services, so the admin publishes the same events as the API and the pages.
        fields = {name: form.cleaned_data[name] for name in form.changed_data if name in form.cleaned_data}
        if change:
            stored = Product.objects.get(pk=obj.pk)
            services.product_update(product=stored, actor=request.user, **fields)
            obj.refresh_from_db()
        else:
            values = {field.name: getattr(obj, field.name) for field in Product._meta.concrete_fields if field.editable}
            values.pop("id", None)
            created = services.product_create(actor=request.user, **values)
            obj.pk = created.pk
            obj.refresh_from_db()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A product with movements is protected by the ledger; one without may go.
        if obj is not None and obj.movements.exists():
            return False
        return super().has_delete_permission(request, obj)


@admin.register(ReorderRule)
class ReorderRuleAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["product", "warehouse", "reorder_point", "reorder_quantity"]
    list_filter = ["warehouse"]
    search_fields = ["product__sku", "product__name"]
    autocomplete_fields = ["product"]


@admin.register(StockLevel)
class StockLevelAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    """Levels follow the ledger; a change is a movement, posted through the pages or the API."""

    list_display = ["product", "warehouse", "on_hand", "reserved", "average_cost", "below_reorder_point"]
    list_filter = ["warehouse", "below_reorder_point"]
    search_fields = ["product__sku", "product__name"]
    list_select_related = ["product", "warehouse"]


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    """The ledger, read-only: a mistake is corrected by a reversing movement."""

    list_display = ["created_at", "product", "warehouse", "kind", "quantity", "on_hand_after", "reference", "actor"]
    list_filter = ["kind", "warehouse", "created_at"]
    search_fields = ["product__sku", "reference", "reason"]
    date_hierarchy = "created_at"
    list_select_related = ["product", "warehouse", "actor"]
    readonly_fields = [field.name for field in StockMovement._meta.fields]


class PurchaseOrderLineInline(admin.TabularInline):  # type: ignore[type-arg]
    model = PurchaseOrderLine
    extra = 0
    readonly_fields = ["received_quantity"]
    autocomplete_fields = ["product"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is not None and obj.status == "draft" and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is not None and obj.status == "draft" and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is not None and obj.status == "draft" and super().has_delete_permission(request, obj)


@admin.register(PurchaseOrder)
class PurchaseOrderAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Drafts' notes, dates and lines are edited here; orders are numbered and moved on by the services."""

    list_display = ["number", "supplier", "warehouse", "status", "expected_date", "created_at"]
    list_filter = ["status", "supplier", "warehouse"]
    search_fields = ["number", "supplier__name"]
    readonly_fields = [
        "number",
        "supplier",
        "warehouse",
        "status",
        "ordered_at",
        "received_at",
        "closed_at",
        "cancelled_at",
        "created_by",
        "created_at",
        "updated_at",
    ]
    inlines = [PurchaseOrderLineInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(NumberSequence)
class NumberSequenceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    """The last numbers given out; the services raise them, in the transaction that uses the number."""

    list_display = ["name", "last"]
