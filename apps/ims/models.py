"""Inventory: products, warehouses, suppliers, stock as an immutable ledger of movements, purchase orders.

Quantities have three decimals (kilograms, litres), money two, unit costs four. Only apps.ims.services
writes StockLevel and StockMovement rows.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar, NoReturn

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.ims.choices import MovementKind, PurchaseOrderStatus, Unit

ZERO = Decimal("0")
CENT = Decimal("0.01")


def money_field(**kwargs: Any) -> models.DecimalField[Any, Decimal]:
    return models.DecimalField(max_digits=14, decimal_places=2, **kwargs)


def quantity_field(**kwargs: Any) -> models.DecimalField[Any, Decimal]:
    return models.DecimalField(max_digits=14, decimal_places=3, **kwargs)


def cost_field(**kwargs: Any) -> models.DecimalField[Any, Decimal]:
    return models.DecimalField(max_digits=14, decimal_places=4, **kwargs)


class Category(models.Model):
    """A group of products, optionally inside a parent category."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name


class Supplier(models.Model):
    """A company products are bought from."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    contact_name = models.CharField(_("contact name"), max_length=200, blank=True)
    lead_time_days = models.PositiveIntegerField(_("lead time (days)"), default=7)
    notes = models.TextField(_("notes"), blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")

    def __str__(self) -> str:
        return self.name


class Warehouse(models.Model):
    """A place stock is kept; levels and reorder points are per warehouse."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    address = models.TextField(_("address"), blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Location(models.Model):
    """A bin, shelf or aisle inside a warehouse."""

    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("warehouse"), on_delete=models.CASCADE, related_name="locations"
    )
    code = models.CharField(_("code"), max_length=50)
    name = models.CharField(_("name"), max_length=200, blank=True)

    class Meta:
        ordering = ["warehouse", "code"]
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        constraints = [models.UniqueConstraint(fields=["warehouse", "code"], name="ims_location_unique_code")]

    def __str__(self) -> str:
        return f"{self.warehouse.code}/{self.code}"


class Product(models.Model):
    """Something kept in stock, identified by its SKU."""

    sku = models.CharField(_("SKU"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    unit = models.CharField(_("unit of measure"), max_length=8, choices=Unit.choices, default=Unit.UNIT)
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="products",
    )
    cost_price = money_field(verbose_name=_("cost price"), default=ZERO, validators=[MinValueValidator(ZERO)])
    sale_price = money_field(verbose_name=_("sale price"), default=ZERO, validators=[MinValueValidator(ZERO)])
    barcode = models.CharField(_("barcode"), max_length=64, blank=True)
    active = models.BooleanField(_("active"), default=True)
    allow_negative_stock = models.BooleanField(_("allow negative stock"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["sku"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = [
            models.CheckConstraint(condition=Q(cost_price__gte=0), name="ims_product_cost_price_not_negative"),
            models.CheckConstraint(condition=Q(sale_price__gte=0), name="ims_product_sale_price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"


class ReorderRule(models.Model):
    """When a product's available stock in a warehouse falls to ``reorder_point``, order ``reorder_quantity``."""

    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="reorder_rules"
    )
    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("warehouse"), on_delete=models.CASCADE, related_name="reorder_rules"
    )
    reorder_point = quantity_field(verbose_name=_("reorder point"), validators=[MinValueValidator(ZERO)])
    reorder_quantity = quantity_field(verbose_name=_("reorder quantity"), validators=[MinValueValidator(ZERO)])

    class Meta:
        ordering = ["product", "warehouse"]
        verbose_name = _("reorder rule")
        verbose_name_plural = _("reorder rules")
        constraints = [
            models.UniqueConstraint(fields=["product", "warehouse"], name="ims_reorder_rule_unique"),
            models.CheckConstraint(condition=Q(reorder_point__gte=0), name="ims_reorder_point_not_negative"),
            models.CheckConstraint(condition=Q(reorder_quantity__gte=0), name="ims_reorder_quantity_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.product.sku} @ {self.warehouse.code}: {self.reorder_point}"


class StockLevel(models.Model):
    """On-hand and reserved quantity of a product in a warehouse, kept by the services under row locks.

    Made on the product's first movement there; a projection of the ledger, never written elsewhere.
    """

    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="levels")
    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="levels"
    )
    on_hand = quantity_field(verbose_name=_("on hand"), default=ZERO)
    reserved = quantity_field(verbose_name=_("reserved"), default=ZERO)
    average_cost = cost_field(verbose_name=_("average cost"), default=ZERO)
    # Remembers that available stock has crossed the reorder point, so the event fires once per crossing.
    below_reorder_point = models.BooleanField(_("below reorder point"), default=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["product", "warehouse"]
        verbose_name = _("stock level")
        verbose_name_plural = _("stock levels")
        constraints = [
            models.UniqueConstraint(fields=["product", "warehouse"], name="ims_stock_level_unique"),
            models.CheckConstraint(condition=Q(reserved__gte=0), name="ims_stock_level_reserved_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}@{self.warehouse_id}: {self.on_hand}"

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved


class StockMovementQuerySet(models.QuerySet["StockMovement"]):
    """Movements are append-only: bulk updates and deletes are refused like single ones."""

    def update(self, **kwargs: Any) -> NoReturn:
        raise ImmutableMovement(_("Stock movements are never changed; post a reversing movement."))

    def delete(self) -> NoReturn:
        raise ImmutableMovement(_("Stock movements are never deleted; post a reversing movement."))


class ImmutableMovement(Exception):
    """An attempt to change or delete a stock movement."""


class StockMovement(models.Model):
    """One change of stock: the ledger's row, never changed or deleted (a trigger refuses it too, 0002).

    ``quantity`` is signed: positive adds to on-hand (or, for reservations and releases, to reserved).
    ``on_hand_after`` and ``reserved_after`` are the level right after it, so stock on a date is one row.
    """

    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="movements")
    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="movements"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=MovementKind.choices)
    quantity = quantity_field(verbose_name=_("quantity"))
    unit_cost = cost_field(verbose_name=_("unit cost"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    transfer_group = models.UUIDField(_("transfer group"), null=True, blank=True, db_index=True)
    reverses = models.ForeignKey(
        "self",
        verbose_name=_("reverses"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )
    purchase_order_line = models.ForeignKey(
        "PurchaseOrderLine",
        verbose_name=_("purchase order line"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="movements",
    )
    on_hand_after = quantity_field(verbose_name=_("on hand after"))
    reserved_after = quantity_field(verbose_name=_("reserved after"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        # The ledger outlives users and is never updated, so it keeps the id without a constraint.
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects: ClassVar[StockMovementQuerySet] = StockMovementQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        indexes = [
            models.Index(fields=["product", "warehouse", "created_at"], name="ims_movement_stock_date_idx"),
            models.Index(fields=["created_at"], name="ims_movement_created_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(quantity=0), name="ims_movement_quantity_not_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.quantity} of {self.product_id}@{self.warehouse_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ImmutableMovement(_("Stock movements are never changed; post a reversing movement."))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise ImmutableMovement(_("Stock movements are never deleted; post a reversing movement."))

    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None


class PurchaseOrder(models.Model):
    """An order to a supplier for stock delivered to one warehouse; numbered PO-00001 by the services."""

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    supplier = models.ForeignKey(
        Supplier, verbose_name=_("supplier"), on_delete=models.PROTECT, related_name="purchase_orders"
    )
    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="purchase_orders"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=PurchaseOrderStatus.choices, default=PurchaseOrderStatus.DRAFT
    )
    expected_date = models.DateField(_("expected date"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    ordered_at = models.DateTimeField(_("ordered at"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("purchase order")
        verbose_name_plural = _("purchase orders")
        indexes = [models.Index(fields=["supplier", "status"], name="ims_po_supplier_status_idx")]

    def __str__(self) -> str:
        return self.number

    @property
    def total(self) -> Decimal:
        """Sum of the lines' quantity times unit cost, to the cent (uses prefetched lines when present)."""
        amount = sum((line.quantity * line.unit_cost for line in self.lines.all()), ZERO)
        return amount.quantize(CENT)

    def can_order(self) -> bool:
        return self.status == PurchaseOrderStatus.DRAFT and self.lines.exists()

    def can_receive(self) -> bool:
        return self.status in {PurchaseOrderStatus.ORDERED, PurchaseOrderStatus.PARTIALLY_RECEIVED}

    def can_cancel(self) -> bool:
        # Once goods have arrived the order is closed short instead: received stock stays on the ledger.
        return self.status in {PurchaseOrderStatus.DRAFT, PurchaseOrderStatus.ORDERED}

    def can_close(self) -> bool:
        return self.status in {PurchaseOrderStatus.PARTIALLY_RECEIVED, PurchaseOrderStatus.RECEIVED}

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


OPEN_STATUSES = (PurchaseOrderStatus.DRAFT, PurchaseOrderStatus.ORDERED, PurchaseOrderStatus.PARTIALLY_RECEIVED)


class PurchaseOrderLine(models.Model):
    """A product, quantity and unit cost on a purchase order, and how much of it has arrived."""

    order = models.ForeignKey(PurchaseOrder, verbose_name=_("order"), on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="purchase_order_lines"
    )
    quantity = quantity_field(verbose_name=_("quantity"))
    unit_cost = cost_field(verbose_name=_("unit cost"), default=ZERO, validators=[MinValueValidator(ZERO)])
    received_quantity = quantity_field(verbose_name=_("received quantity"), default=ZERO)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("purchase order line")
        verbose_name_plural = _("purchase order lines")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="ims_po_line_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_cost__gte=0), name="ims_po_line_unit_cost_not_negative"),
            models.CheckConstraint(condition=Q(received_quantity__gte=0), name="ims_po_line_received_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.order.number}: {self.quantity} x {self.product.sku}"

    @property
    def outstanding(self) -> Decimal:
        return max(self.quantity - self.received_quantity, ZERO)

    @property
    def total(self) -> Decimal:
        return (self.quantity * self.unit_cost).quantize(CENT)


class NumberSequence(models.Model):
    """The last number given out per series (``purchase_order``), raised in the numbering transaction."""

    name = models.CharField(max_length=50, unique=True)
    last = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("number sequence")
        verbose_name_plural = _("number sequences")

    def __str__(self) -> str:
        return f"{self.name}: {self.last}"
