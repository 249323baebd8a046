"""Writes of the inventory app: products, the stock ledger and purchase orders.

Every stock change is a StockMovement posted by ``movement_post`` (or a reversal, or a purchase order
receipt), which locks the StockLevel rows it changes (apps.ims.locks) so concurrent writers queue
instead of losing updates. Model saves are recorded on the audit trail by apps.audit; a movement's
entry and its event are sent with its row (one round trip). Events go to the outbox in the same
transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import connection, transaction
from django.db.models.signals import post_save
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.audit.receivers import creation_entry_prepare, entry_sent
from apps.events.services import event_prepare, publish
from apps.identity.models import ApiKey, User
from apps.ims import events
from apps.ims.choices import RESERVING_KINDS, TRANSFER, MovementKind, PurchaseOrderStatus
from apps.ims.exceptions import InsufficientStock, InvalidMovement, InvalidPurchaseOrder, TransitionNotAllowed
from apps.ims.locks import MOVEMENT_ID_NEXT, purchase_order_lock, stock_levels_lock
from apps.ims.models import (
    ZERO,
    Product,
    PurchaseOrder,
    PurchaseOrderLine,
    ReorderRule,
    StockLevel,
    StockMovement,
    Supplier,
    Warehouse,
)

QUANTUM = Decimal("0.001")
COST_QUANTUM = Decimal("0.0001")
# The columns hold 14 digits with 3 (quantities) or 4 (costs) decimals.
MAX_QUANTITY = Decimal("99999999999.999")
MAX_COST = Decimal("9999999999.9999")
# Kinds whose quantity the caller gives as a positive number and the service signs.
_SIGNS = {
    MovementKind.RECEIPT: 1,
    MovementKind.ISSUE: -1,
    TRANSFER: -1,
    MovementKind.RESERVATION: 1,
    MovementKind.RELEASE: -1,
}


# Products


@transaction.atomic
def product_create(*, actor: Any, **fields: Any) -> Product:
    """Add a product (``sku`` and ``name`` suffice); validation errors are Django ValidationErrors."""
    product = Product(**fields)
    product.full_clean()
    product.save()
    publish("ims.product.created", events.product_data(product), actor=actor, aggregate=product)
    return product


@transaction.atomic
def product_update(*, product: Product, actor: Any, **fields: Any) -> Product:
    """Change a product's fields; publishes ``ims.product.updated`` naming the fields that changed."""
    changed = [name for name, value in fields.items() if getattr(product, name) != value]
    for name, value in fields.items():
        setattr(product, name, value)
    if not changed:
        return product
    product.full_clean()
    # update_fields also keeps the audit entry to the fields that changed.
    product.save(update_fields=[*changed, "updated_at"])
    data = {**events.product_data(product), "changed": sorted(changed)}
    publish("ims.product.updated", data, actor=actor, aggregate=product)
    return product


@transaction.atomic
def reorder_rule_set(
    *, product: Product, warehouse: Warehouse, reorder_point: Any, reorder_quantity: Any, actor: Any = None
) -> ReorderRule:
    """Set when to reorder a product in a warehouse; a level already at or under the new point is low now."""
    point = _quantity(reorder_point, field=_("reorder point"))
    amount = _quantity(reorder_quantity, field=_("reorder quantity"))
    if point < 0 or amount < 0:
        raise InvalidMovement(_("Reorder point and quantity cannot be negative."))
    # The level before the rule: its lock comes before the trail's, which the rule's audited save takes.
    level = None
    if StockLevel.objects.filter(product=product, warehouse=warehouse).exists():
        level = stock_levels_lock(product_id=product.pk, warehouse_ids=[warehouse.pk])[warehouse.pk]
    rule, created = ReorderRule.objects.get_or_create(
        product=product, warehouse=warehouse, defaults={"reorder_point": point, "reorder_quantity": amount}
    )
    if not created and (rule.reorder_point, rule.reorder_quantity) != (point, amount):
        rule.reorder_point, rule.reorder_quantity = point, amount
        rule.save(update_fields=["reorder_point", "reorder_quantity"])
    if level is not None:
        level.product, level.warehouse = product, warehouse
        level.rule_point, level.rule_quantity = point, amount  # type: ignore[attr-defined]
        below = _low_stock_check(level, actor=actor)
        if below != level.below_reorder_point:
            StockLevel.objects.filter(pk=level.pk).update(below_reorder_point=below, updated_at=timezone.now())
    return rule


# The ledger


def _user(actor: Any) -> User | None:
    """The user behind ``actor`` (a user, an API key or nothing), for the rows that name who acted."""
    if isinstance(actor, ApiKey):
        return actor.user
    return actor if isinstance(actor, User) else None


def _quantity(value: Any, *, field: str) -> Decimal:
    try:
        quantity = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise InvalidMovement(_("%(field)s must be a number.") % {"field": field}) from None
    if not quantity.is_finite():
        raise InvalidMovement(_("%(field)s must be a number.") % {"field": field})
    if quantity != quantity.quantize(QUANTUM):
        raise InvalidMovement(_("%(field)s has more than three decimals.") % {"field": field})
    if abs(quantity) > MAX_QUANTITY:
        raise InvalidMovement(_("%(field)s is too large.") % {"field": field})
    return quantity.quantize(QUANTUM)


def _unit_cost(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        cost = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise InvalidMovement(_("Unit cost must be a number.")) from None
    if not cost.is_finite() or cost < 0:
        raise InvalidMovement(_("Unit cost must be zero or more."))
    if cost > MAX_COST:
        raise InvalidMovement(_("Unit cost is too large."))
    return cost.quantize(COST_QUANTUM)


def _weighted(on_hand: Decimal, average: Decimal, quantity: Decimal, cost: Decimal) -> Decimal:
    """The average cost after ``quantity`` arrives at ``cost``; stock at or below zero has no average to keep."""
    if on_hand <= 0:
        return cost
    return ((on_hand * average + quantity * cost) / (on_hand + quantity)).quantize(COST_QUANTUM)


def _unweighted(on_hand: Decimal, average: Decimal, quantity: Decimal, cost: Decimal) -> Decimal:
    """The average cost after an arrival of ``quantity`` at ``cost`` is taken back (a reversed receipt)."""
    remaining = on_hand - quantity
    if remaining <= 0:
        return average
    return max(((on_hand * average - quantity * cost) / remaining).quantize(COST_QUANTUM), ZERO)


# Raw SQL, as the lock (apps.ims.locks): it runs on every movement, and the ORM's insert compiled
# each time cost as much as the statement. The level's new quantities, the ledger row (with the id its
# level reserved), the row's audit entry and its ims.stock.moved event go in one round trip. Levels
# are derived from the ledger, whose rows are audited, so the level's own change is not.
_LEVEL_UPDATE_AND_MOVEMENT_INSERT_SQL = """
    WITH level AS (
        UPDATE ims_stocklevel
        SET on_hand = %s, reserved = %s, average_cost = %s, below_reorder_point = %s, updated_at = %s
        WHERE id = %s
    )
    INSERT INTO ims_stockmovement
        (id, product_id, warehouse_id, kind, quantity, unit_cost, reason, reference, transfer_group, reverses_id,
         purchase_order_line_id, on_hand_after, reserved_after, actor_id, created_at)
    VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
"""
_MOVEMENT_ID_SQL = f"SELECT {MOVEMENT_ID_NEXT}"


def _movement_write(level: Any, movement: StockMovement, *, actor: Any) -> None:
    """Write the level's new state, the ledger row, its audit entry and ``ims.stock.moved``, then send
    post_save as a save would (the trail knows the entry went already)."""
    movement_id = level.__dict__.pop("reserved_movement_id", None)
    if movement_id is None:  # a second movement against the same level in one transaction
        with connection.cursor() as cursor:
            cursor.execute(_MOVEMENT_ID_SQL)
            movement_id = cursor.fetchone()[0]
    movement.pk = movement_id
    values: list[Any] = [
        level.on_hand,
        level.reserved,
        level.average_cost,
        level.below_reorder_point,
        level.updated_at,
        level.pk,
        movement.pk,
        movement.product_id,
        movement.warehouse_id,
        movement.kind,
        movement.quantity,
        movement.unit_cost,
        movement.reason,
        movement.reference,
        movement.transfer_group,
        movement.reverses_id,
        movement.purchase_order_line_id,
        movement.on_hand_after,
        movement.reserved_after,
        movement.actor_id,
        movement.created_at,
    ]
    statements = [_LEVEL_UPDATE_AND_MOVEMENT_INSERT_SQL]
    entry = creation_entry_prepare(movement)
    if entry is not None:
        statements.append(entry.sql)
        values += entry.params
        entry_sent(movement)
    data = events.stock_moved_data(movement, level)
    event = event_prepare("ims.stock.moved", data, actor=actor, aggregate=("ims.stocklevel", level.pk))
    statements.append(event.sql)
    values += event.params
    with connection.cursor() as cursor:
        cursor.execute(";".join(statements), values)
    movement._state.adding = False
    movement._state.db = connection.alias
    post_save.send(
        sender=StockMovement, instance=movement, created=True, update_fields=None, raw=False, using=connection.alias
    )


@dataclass(frozen=True)
class _Change:
    """One ledger row to write against a locked level."""

    kind: str
    quantity: Decimal  # signed
    unit_cost: Decimal | None = None
    # Reversing an arrival takes its cost back out of the average instead of leaving the average as it is.
    unweight: bool = False
    reverses: StockMovement | None = None
    purchase_order_line: PurchaseOrderLine | None = None


def _low_stock_check(level: Any, *, actor: Any) -> bool:
    """Whether the level is now at or under its reorder point; publishes the event on the way down only."""
    point = level.rule_point
    if point is None:
        return False
    available = level.available
    if available > point:
        return False
    if not level.below_reorder_point:
        suggested = max(level.rule_quantity or ZERO, point - available)
        data = events.stock_low_data(level, reorder_point=point, suggested=suggested)
        publish("ims.stock.low_threshold_reached", data, actor=actor, aggregate=("ims.stocklevel", level.pk))
    return True


def _apply(
    level: Any,
    change: _Change,
    *,
    product: Product,
    warehouse: Warehouse,
    reason: str,
    reference: str,
    actor: Any,
    transfer_group: uuid.UUID | None,
) -> StockMovement:
    """Write one movement against its locked level, refusing what would take stock below zero."""
    on_hand, reserved, average = level.on_hand, level.reserved, level.average_cost
    quantity = change.quantity
    unit_cost: Decimal | None = None
    if change.kind in RESERVING_KINDS:
        reserved += quantity
        if reserved < 0:
            raise InvalidMovement(
                _("Only %(reserved)s of %(sku)s is reserved in %(warehouse)s.")
                % {"reserved": level.reserved, "sku": product.sku, "warehouse": warehouse.code}
            )
    elif quantity > 0:
        unit_cost = change.unit_cost
        if unit_cost is None:
            unit_cost = average if on_hand > 0 else product.cost_price
        average = _weighted(on_hand, average, quantity, unit_cost)
        on_hand += quantity
    else:
        unit_cost = change.unit_cost if change.unit_cost is not None else average
        if change.unweight:
            average = _unweighted(on_hand, average, -quantity, unit_cost)
        on_hand += quantity
    # Only decreases of available stock are refused: a receipt into negative stock must still go in.
    decreases_available = (quantity > 0) == (change.kind in RESERVING_KINDS)
    if decreases_available and on_hand - reserved < 0 and not product.allow_negative_stock:
        raise InsufficientStock(
            _("Only %(available)s of %(sku)s is available in %(warehouse)s.")
            % {"available": level.available, "sku": product.sku, "warehouse": warehouse.code}
        )
    now = timezone.now()
    level.on_hand, level.reserved, level.average_cost = on_hand, reserved, average
    level.below_reorder_point, level.updated_at = _low_stock_check(level, actor=actor), now
    movement = StockMovement(
        product=product,
        warehouse=warehouse,
        kind=change.kind,
        quantity=quantity,
        unit_cost=unit_cost,
        reason=reason,
        reference=reference,
        transfer_group=transfer_group,
        reverses=change.reverses,
        purchase_order_line=change.purchase_order_line,
        on_hand_after=on_hand,
        reserved_after=reserved,
        actor=_user(actor),
        created_at=now,
    )
    _movement_write(level, movement, actor=actor)
    return movement


def _post(
    *,
    product: Product,
    changes: list[tuple[Warehouse, _Change]],
    reason: str,
    reference: str,
    actor: Any,
    transfer_group: uuid.UUID | None = None,
    levels: dict[int, StockLevel] | None = None,
) -> list[StockMovement]:
    if levels is None:
        levels = stock_levels_lock(product_id=product.pk, warehouse_ids=[warehouse.pk for warehouse, _ in changes])
    movements = []
    for warehouse, change in changes:
        level = levels[warehouse.pk]
        level.product, level.warehouse = product, warehouse
        movement = _apply(
            level,
            change,
            product=product,
            warehouse=warehouse,
            reason=reason,
            reference=reference,
            actor=actor,
            transfer_group=transfer_group,
        )
        movements.append(movement)
    return movements


@transaction.atomic
def movement_post(
    *,
    product: Product,
    warehouse: Warehouse,
    kind: str,
    quantity: Any,
    reason: str = "",
    reference: str = "",
    unit_cost: Any = None,
    actor: Any = None,
    to_warehouse: Warehouse | None = None,
) -> list[StockMovement]:
    """Post a receipt, issue, transfer, adjustment, reservation or release; returns the rows written.

    Quantities are positive, except an adjustment's, which is signed and needs a reason. A transfer
    needs ``to_warehouse`` and writes a transfer_out and a transfer_in row, the latter at the source's
    average cost. Raises InvalidMovement or InsufficientStock; nothing is written then.
    """
    amount = _quantity(quantity, field=_("Quantity"))
    cost = _unit_cost(unit_cost)
    reason, reference = (reason or "").strip(), (reference or "").strip()
    if amount == 0:
        raise InvalidMovement(_("Quantity cannot be zero."))
    if kind != TRANSFER and to_warehouse is not None:
        raise InvalidMovement(_("Only a transfer has a destination warehouse."))
    if kind == MovementKind.ADJUSTMENT:
        if not reason:
            raise InvalidMovement(_("An adjustment needs a reason."))
        return _post(
            product=product,
            changes=[(warehouse, _Change(kind, amount, unit_cost=cost))],
            reason=reason,
            reference=reference,
            actor=actor,
        )
    if kind not in _SIGNS:
        raise InvalidMovement(_("Unknown movement kind %(kind)s.") % {"kind": kind})
    if amount < 0:
        raise InvalidMovement(_("Quantity must be positive; the kind says which way stock moves."))
    if kind == TRANSFER:
        if to_warehouse is None:
            raise InvalidMovement(_("A transfer needs a destination warehouse."))
        if to_warehouse.pk == warehouse.pk:
            raise InvalidMovement(_("A transfer needs two different warehouses."))
        return _transfer(
            product=product,
            source=warehouse,
            destination=to_warehouse,
            quantity=amount,
            reason=reason,
            reference=reference,
            actor=actor,
        )
    if kind in RESERVING_KINDS and cost is not None:
        raise InvalidMovement(_("Reservations and releases have no unit cost."))
    return _post(
        product=product,
        changes=[(warehouse, _Change(kind, amount * _SIGNS[kind], unit_cost=cost))],
        reason=reason,
        reference=reference,
        actor=actor,
    )


def _transfer(
    *,
    product: Product,
    source: Warehouse,
    destination: Warehouse,
    quantity: Decimal,
    reason: str,
    reference: str,
    actor: Any,
) -> list[StockMovement]:
    levels = stock_levels_lock(product_id=product.pk, warehouse_ids=[source.pk, destination.pk])
    cost = levels[source.pk].average_cost
    group = uuid.uuid4()
    out = _Change(MovementKind.TRANSFER_OUT, -quantity, unit_cost=cost)
    into = _Change(MovementKind.TRANSFER_IN, quantity, unit_cost=cost)
    return _post(
        product=product,
        changes=[(source, out), (destination, into)],
        reason=reason,
        reference=reference,
        actor=actor,
        transfer_group=group,
        levels=levels,
    )


@transaction.atomic
def movement_reverse(*, movement: StockMovement, actor: Any, reason: str) -> list[StockMovement]:
    """Post the opposite of a movement (both rows of a transfer); a movement is reversed at most once."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidMovement(_("A reversal needs a reason."))
    if movement.reverses_id is not None:
        raise InvalidMovement(_("A reversal is not reversed; post a new movement instead."))
    originals = [movement]
    if movement.transfer_group is not None:
        originals = list(
            StockMovement.objects.filter(transfer_group=movement.transfer_group, reverses=None).order_by("id")
        )
    line = movement.purchase_order_line
    order = purchase_order_lock(line.order_id) if line is not None else None
    product = movement.product
    # Locking the levels first makes the "already reversed?" question safe from a concurrent reversal.
    stock_levels_lock(product_id=product.pk, warehouse_ids=[original.warehouse_id for original in originals])
    if StockMovement.objects.filter(reverses__in=originals).exists():
        raise InvalidMovement(_("This movement has already been reversed."))
    if order is not None and order.status not in (
        PurchaseOrderStatus.PARTIALLY_RECEIVED,
        PurchaseOrderStatus.RECEIVED,
    ):
        raise TransitionNotAllowed(
            _("Purchase order %(number)s is %(status)s; its receipts stay.")
            % {"number": order.number, "status": order.get_status_display().lower()}
        )
    changes = [
        (
            original.warehouse,
            _Change(
                original.kind,
                -original.quantity,
                unit_cost=None if original.kind in RESERVING_KINDS else original.unit_cost,
                unweight=original.quantity > 0 and original.kind not in RESERVING_KINDS,
                reverses=original,
                purchase_order_line=original.purchase_order_line,
            ),
        )
        for original in originals
    ]
    reversals = _post(
        product=product,
        changes=changes,
        reason=reason,
        reference=movement.reference,
        actor=actor,
        transfer_group=uuid.uuid4() if movement.transfer_group is not None else None,
    )
    if order is not None and line is not None:
        line = PurchaseOrderLine.objects.select_for_update().get(pk=line.pk)
        line.received_quantity -= movement.quantity
        line.save(update_fields=["received_quantity"])
        _receipt_status_update(order)
    return reversals


# Purchase orders


def _next_number(series: str) -> int:
    """The next number of ``series`` in this tenant; the counter row stays locked until commit, so no gaps."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ims_numbersequence AS sequences (name, last) VALUES (%s, 1) "
            "ON CONFLICT (name) DO UPDATE SET last = sequences.last + 1 RETURNING last",
            [series],
        )
        row = cursor.fetchone()
    return int(row[0])


def _not_allowed(order: PurchaseOrder, action: str) -> TransitionNotAllowed:
    return TransitionNotAllowed(
        _("Purchase order %(number)s is %(status)s and cannot be %(action)s.")
        % {"number": order.number, "status": order.get_status_display().lower(), "action": action}
    )


@transaction.atomic
def purchase_order_create(
    *,
    supplier: Supplier,
    warehouse: Warehouse,
    lines: Iterable[Mapping[str, Any]],
    expected_date: date | None = None,
    notes: str = "",
    actor: Any,
) -> PurchaseOrder:
    """Draft a purchase order numbered PO-00001, PO-00002, ... per tenant; lines are product, quantity, unit cost."""
    parsed = []
    for position, line in enumerate(lines, start=1):
        product = line.get("product")
        if not isinstance(product, Product):
            raise InvalidPurchaseOrder(_("Line %(line)d has no product.") % {"line": position})
        try:
            quantity = _quantity(line.get("quantity"), field=_("Quantity"))
            cost = _unit_cost(line.get("unit_cost", product.cost_price))
        except InvalidMovement as error:
            raise InvalidPurchaseOrder(_("Line %(line)d: %(error)s") % {"line": position, "error": error}) from None
        if quantity <= 0:
            raise InvalidPurchaseOrder(_("Line %(line)d: quantity must be positive.") % {"line": position})
        parsed.append((product, quantity, cost if cost is not None else ZERO))
    if not parsed:
        raise InvalidPurchaseOrder(_("A purchase order needs at least one line."))
    order = PurchaseOrder.objects.create(
        number=f"PO-{_next_number('purchase_order'):05d}",
        supplier=supplier,
        warehouse=warehouse,
        expected_date=expected_date,
        notes=notes,
        created_by=_user(actor),
    )
    for product, quantity, cost in parsed:
        PurchaseOrderLine.objects.create(order=order, product=product, quantity=quantity, unit_cost=cost)
    publish("ims.purchase_order.created", events.purchase_order_data(order), actor=actor, aggregate=order)
    return order


@transaction.atomic
def purchase_order_order(*, order: PurchaseOrder, actor: Any) -> PurchaseOrder:
    """Send a draft to its supplier."""
    locked = purchase_order_lock(order.pk)
    if not locked.can_order():
        raise _not_allowed(locked, _("ordered"))
    locked.status, locked.ordered_at = PurchaseOrderStatus.ORDERED, timezone.now()
    locked.save(update_fields=["status", "ordered_at", "updated_at"])
    publish("ims.purchase_order.ordered", events.purchase_order_data(locked), actor=actor, aggregate=locked)
    return locked


@transaction.atomic
def purchase_order_receive(*, order: PurchaseOrder, receipts: Mapping[Any, Any], actor: Any) -> PurchaseOrder:
    """Receive quantities per line id: a receipt movement each; partially received until every line is in."""
    locked = purchase_order_lock(order.pk)
    if not locked.can_receive():
        raise _not_allowed(locked, _("received"))
    if not receipts:
        raise InvalidMovement(_("Say how much of which line arrived."))
    try:
        wanted = {int(line_id): quantity for line_id, quantity in receipts.items()}
    except (TypeError, ValueError):
        raise InvalidMovement(_("Lines are named by their id.")) from None
    # Only the lines are locked (not their products, which every movement's foreign key check reads).
    lines_locked = locked.lines.select_for_update(of=("self",)).filter(pk__in=wanted).select_related("product")
    lines = {line.pk: line for line in lines_locked}
    unknown = sorted(set(wanted) - set(lines))
    if unknown:
        raise InvalidMovement(
            _("Lines %(lines)s are not on %(number)s.")
            % {"lines": ", ".join(str(line_id) for line_id in unknown), "number": locked.number}
        )
    received: list[dict[str, Any]] = []
    # Every level up front, by product id, before the first audited write takes the trail's lock: a
    # movement holding a level and waiting for the trail must never wait on us (apps.ims.locks).
    levels = {
        product_id: stock_levels_lock(product_id=product_id, warehouse_ids=[locked.warehouse_id])
        for product_id in sorted({line.product_id for line in lines.values()})
    }
    for line in sorted(lines.values(), key=lambda line: (line.product_id, line.pk)):
        quantity = _quantity(wanted[line.pk], field=_("Quantity"))
        if quantity <= 0:
            raise InvalidMovement(_("A received quantity must be positive."))
        if quantity > line.outstanding:
            raise InvalidMovement(
                _("Only %(outstanding)s of %(sku)s is outstanding on %(number)s.")
                % {"outstanding": line.outstanding, "sku": line.product.sku, "number": locked.number}
            )
        _post(
            product=line.product,
            changes=[
                (
                    locked.warehouse,
                    _Change(MovementKind.RECEIPT, quantity, unit_cost=line.unit_cost, purchase_order_line=line),
                )
            ],
            reason="",
            reference=locked.number,
            actor=actor,
            levels=levels[line.product_id],
        )
        line.received_quantity += quantity
        line.save(update_fields=["received_quantity"])
        received.append({"line": line.pk, "product": line.product_id, "quantity": str(quantity)})
    _receipt_status_update(locked)
    data = {**events.purchase_order_data(locked), "lines": sorted(received, key=lambda item: item["line"])}
    publish("ims.purchase_order.received", data, actor=actor, aggregate=locked)
    return locked


def _receipt_status_update(order: PurchaseOrder) -> None:
    """Received when every line is in, partially received when some is, ordered when none is (reversals)."""
    lines = list(order.lines.all())
    if all(line.received_quantity >= line.quantity for line in lines):
        status = PurchaseOrderStatus.RECEIVED
    elif any(line.received_quantity > 0 for line in lines):
        status = PurchaseOrderStatus.PARTIALLY_RECEIVED
    else:
        status = PurchaseOrderStatus.ORDERED
    if status == order.status:
        return
    order.status = status
    order.received_at = timezone.now() if status == PurchaseOrderStatus.RECEIVED else None
    order.save(update_fields=["status", "received_at", "updated_at"])


@transaction.atomic
def purchase_order_cancel(*, order: PurchaseOrder, actor: Any) -> PurchaseOrder:
    """Cancel an order nothing of which has arrived."""
    locked = purchase_order_lock(order.pk)
    if not locked.can_cancel():
        raise _not_allowed(locked, _("cancelled"))
    locked.status, locked.cancelled_at = PurchaseOrderStatus.CANCELLED, timezone.now()
    locked.save(update_fields=["status", "cancelled_at", "updated_at"])
    publish("ims.purchase_order.cancelled", events.purchase_order_data(locked), actor=actor, aggregate=locked)
    return locked


@transaction.atomic
def purchase_order_close(*, order: PurchaseOrder, actor: Any) -> PurchaseOrder:
    """Close an order once its goods (or all that will come of them) have arrived."""
    locked = purchase_order_lock(order.pk)
    if not locked.can_close():
        raise _not_allowed(locked, _("closed"))
    locked.status, locked.closed_at = PurchaseOrderStatus.CLOSED, timezone.now()
    locked.save(update_fields=["status", "closed_at", "updated_at"])
    return locked
