"""Purchase orders: numbering, totals, every transition allowed and refused, receipts on the ledger."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.audit.models import AuditEntry
from apps.audit.selectors import audit_chain_verify
from apps.ims import selectors, services
from apps.ims.exceptions import InvalidMovement, InvalidPurchaseOrder, TransitionNotAllowed
from apps.ims.models import PurchaseOrder, StockLevel, StockMovement
from tests.ims.factories import ProductFactory, SupplierFactory, WarehouseFactory

D = Decimal


def raises(error, message):
    return pytest.raises(error, match=f"^{re.escape(message)}$")


@pytest.fixture
def supplier(tenant):
    return SupplierFactory(name="Nuts & Bolts Ltd")


@pytest.fixture
def warehouse(tenant):
    return WarehouseFactory(code="main")


@pytest.fixture
def bolts(tenant):
    return ProductFactory(sku="BOLT", cost_price=D("0.50"))


@pytest.fixture
def nuts(tenant):
    return ProductFactory(sku="NUT", cost_price=D("0.20"))


def draft(supplier, warehouse, bolts, nuts, actor=None):
    return services.purchase_order_create(
        supplier=supplier,
        warehouse=warehouse,
        lines=[
            {"product": bolts, "quantity": 100, "unit_cost": "0.45"},
            {"product": nuts, "quantity": "50", "unit_cost": D("0.125")},
        ],
        expected_date=date(2026, 12, 1),
        notes="Ring before delivery",
        actor=actor,
    )


def ordered(*args, **kwargs):
    order = draft(*args, **kwargs)
    return services.purchase_order_order(order=order, actor=None)


def lines_of(order):
    bolt_line, nut_line = order.lines.order_by("id")
    return bolt_line, nut_line


def test_a_draft_is_numbered_and_totalled(supplier, warehouse, bolts, nuts, admin_user):
    order = draft(supplier, warehouse, bolts, nuts, actor=admin_user)

    assert order.number == "PO-00001"
    assert order.status == "draft"
    assert order.created_by == admin_user
    # 100 x 0.45 + 50 x 0.125
    assert order.total == D("51.25")
    assert (order.expected_date, order.notes) == (date(2026, 12, 1), "Ring before delivery")
    assert draft(supplier, warehouse, bolts, nuts).number == "PO-00002"


def test_numbers_are_per_tenant(supplier, warehouse, bolts, nuts, other_tenant):
    draft(supplier, warehouse, bolts, nuts)
    draft(supplier, warehouse, bolts, nuts)

    connection.set_tenant(other_tenant)
    theirs = services.purchase_order_create(
        supplier=SupplierFactory(),
        warehouse=WarehouseFactory(code="main"),
        lines=[{"product": ProductFactory(sku="BOLT"), "quantity": 1}],
        actor=None,
    )

    assert theirs.number == "PO-00001"
    assert PurchaseOrder.objects.count() == 1


def test_a_line_without_unit_cost_takes_the_products_cost_price(supplier, warehouse, bolts):
    order = services.purchase_order_create(
        supplier=supplier, warehouse=warehouse, lines=[{"product": bolts, "quantity": 4}], actor=None
    )

    assert order.lines.get().unit_cost == D("0.5000")
    assert order.total == D("2.00")


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([], "A purchase order needs at least one line."),
        ([{"quantity": 1}], "Line 1 has no product."),
        ([{"product": "bolts", "quantity": 0}], "Line 1: quantity must be positive."),
        (
            [{"product": "bolts", "quantity": 1}, {"product": "bolts", "quantity": -2}],
            "Line 2: quantity must be positive.",
        ),
        ([{"product": "bolts", "quantity": "x"}], "Line 1: Quantity must be a number."),
        ([{"product": "bolts", "quantity": 1, "unit_cost": "-1"}], "Line 1: Unit cost must be zero or more."),
    ],
)
def test_malformed_purchase_orders_are_refused(supplier, warehouse, bolts, lines, message):
    lines = [{**line, "product": bolts} if "product" in line else line for line in lines]

    with raises(InvalidPurchaseOrder, message):
        services.purchase_order_create(supplier=supplier, warehouse=warehouse, lines=lines, actor=None)

    assert PurchaseOrder.objects.count() == 0


def test_a_draft_is_ordered(supplier, warehouse, bolts, nuts):
    order = draft(supplier, warehouse, bolts, nuts)
    assert (order.can_order(), order.can_receive(), order.can_cancel(), order.can_close()) == (True, False, True, False)

    order = services.purchase_order_order(order=order, actor=None)

    assert order.status == "ordered"
    assert order.ordered_at is not None
    assert (order.can_order(), order.can_receive(), order.can_cancel(), order.can_close()) == (False, True, True, False)


def test_receiving_part_of_an_order_posts_receipts_at_the_line_cost(supplier, warehouse, bolts, nuts, admin_user):
    order = ordered(supplier, warehouse, bolts, nuts)
    bolt_line, _ = lines_of(order)

    order = services.purchase_order_receive(order=order, receipts={bolt_line.pk: 60}, actor=admin_user)

    assert order.status == "partially_received"
    assert order.received_at is None
    [receipt] = StockMovement.objects.all()
    assert (receipt.kind, receipt.quantity, receipt.unit_cost) == ("receipt", D("60"), D("0.4500"))
    assert (receipt.reference, receipt.purchase_order_line, receipt.actor) == ("PO-00001", bolt_line, admin_user)
    bolt_line.refresh_from_db()
    assert (bolt_line.received_quantity, bolt_line.outstanding) == (D("60"), D("40"))
    assert StockLevel.objects.get(product=bolts, warehouse=warehouse).on_hand == D("60")
    assert (order.can_order(), order.can_receive(), order.can_cancel(), order.can_close()) == (False, True, False, True)


def test_receiving_every_line_in_full_makes_the_order_received(supplier, warehouse, bolts, nuts):
    order = ordered(supplier, warehouse, bolts, nuts)
    bolt_line, nut_line = lines_of(order)
    services.purchase_order_receive(order=order, receipts={bolt_line.pk: 60}, actor=None)

    order = services.purchase_order_receive(
        order=order, receipts={bolt_line.pk: 40, str(nut_line.pk): "50"}, actor=None
    )

    assert order.status == "received"
    assert order.received_at is not None
    assert StockLevel.objects.get(product=bolts, warehouse=warehouse).on_hand == D("100")
    assert StockLevel.objects.get(product=nuts, warehouse=warehouse).average_cost == D("0.1250")
    assert StockMovement.objects.filter(reference="PO-00001").count() == 3
    assert (order.can_order(), order.can_receive(), order.can_cancel(), order.can_close()) == (
        False,
        False,
        False,
        True,
    )


def test_receiving_more_than_is_outstanding_is_refused(supplier, warehouse, bolts, nuts):
    order = ordered(supplier, warehouse, bolts, nuts)
    bolt_line, nut_line = lines_of(order)

    with raises(InvalidMovement, "Only 100.000 of BOLT is outstanding on PO-00001."):
        services.purchase_order_receive(order=order, receipts={bolt_line.pk: "100.001"}, actor=None)
    with raises(InvalidMovement, "A received quantity must be positive."):
        services.purchase_order_receive(order=order, receipts={nut_line.pk: 0}, actor=None)
    with raises(InvalidMovement, "Lines 999999 are not on PO-00001."):
        services.purchase_order_receive(order=order, receipts={999999: 1}, actor=None)
    with raises(InvalidMovement, "Say how much of which line arrived."):
        services.purchase_order_receive(order=order, receipts={}, actor=None)

    assert StockMovement.objects.count() == 0
    assert PurchaseOrder.objects.get().status == "ordered"


def test_a_draft_or_an_ordered_order_is_cancelled(supplier, warehouse, bolts, nuts):
    first = services.purchase_order_cancel(order=draft(supplier, warehouse, bolts, nuts), actor=None)
    second = services.purchase_order_cancel(order=ordered(supplier, warehouse, bolts, nuts), actor=None)

    assert (first.status, second.status) == ("cancelled", "cancelled")
    assert first.cancelled_at is not None
    assert (first.can_order(), first.can_receive(), first.can_cancel(), first.can_close()) == (
        False,
        False,
        False,
        False,
    )


def test_a_partially_received_or_received_order_is_closed(supplier, warehouse, bolts, nuts):
    partly = ordered(supplier, warehouse, bolts, nuts)
    services.purchase_order_receive(order=partly, receipts={lines_of(partly)[0].pk: 1}, actor=None)
    full = ordered(supplier, warehouse, bolts, nuts)
    services.purchase_order_receive(
        order=full, receipts={line.pk: line.quantity for line in full.lines.all()}, actor=None
    )

    partly = services.purchase_order_close(order=partly, actor=None)
    full = services.purchase_order_close(order=full, actor=None)

    assert (partly.status, full.status) == ("closed", "closed")
    assert partly.closed_at is not None
    assert (full.can_order(), full.can_receive(), full.can_cancel(), full.can_close()) == (False, False, False, False)


def _in_status(status, supplier, warehouse, bolts, nuts):
    order = draft(supplier, warehouse, bolts, nuts)
    if status == "draft":
        return order
    if status == "cancelled":
        return services.purchase_order_cancel(order=order, actor=None)
    order = services.purchase_order_order(order=order, actor=None)
    if status == "ordered":
        return order
    bolt_line, nut_line = lines_of(order)
    receipts = {bolt_line.pk: 1} if status == "partially_received" else {bolt_line.pk: 100, nut_line.pk: 50}
    order = services.purchase_order_receive(order=order, receipts=receipts, actor=None)
    if status == "closed":
        return services.purchase_order_close(order=order, actor=None)
    return order


REFUSED = [
    ("ordered", "order"),
    ("partially_received", "order"),
    ("received", "order"),
    ("closed", "order"),
    ("cancelled", "order"),
    ("draft", "receive"),
    ("received", "receive"),
    ("closed", "receive"),
    ("cancelled", "receive"),
    ("partially_received", "cancel"),
    ("received", "cancel"),
    ("closed", "cancel"),
    ("cancelled", "cancel"),
    ("draft", "close"),
    ("ordered", "close"),
    ("closed", "close"),
    ("cancelled", "close"),
]
DONE = {"order": "ordered", "receive": "received", "cancel": "cancelled", "close": "closed"}
SHOWN = {
    "draft": "draft",
    "ordered": "ordered",
    "partially_received": "partially received",
    "received": "received",
    "closed": "closed",
    "cancelled": "cancelled",
}


@pytest.mark.parametrize(("status", "action"), REFUSED)
def test_a_transition_the_status_does_not_allow_is_refused(supplier, warehouse, bolts, nuts, status, action):
    order = _in_status(status, supplier, warehouse, bolts, nuts)
    movements = StockMovement.objects.count()
    call = getattr(services, f"purchase_order_{action}")
    kwargs = {"receipts": {lines_of(order)[0].pk: 1}} if action == "receive" else {}

    with raises(
        TransitionNotAllowed, f"Purchase order {order.number} is {SHOWN[status]} and cannot be {DONE[action]}."
    ):
        call(order=order, actor=None, **kwargs)

    assert PurchaseOrder.objects.get(pk=order.pk).status == status
    assert StockMovement.objects.count() == movements


def test_reversing_a_receipt_of_an_order_reopens_its_line(supplier, warehouse, bolts, nuts):
    order = ordered(supplier, warehouse, bolts, nuts)
    bolt_line, nut_line = lines_of(order)
    services.purchase_order_receive(order=order, receipts={bolt_line.pk: 100, nut_line.pk: 50}, actor=None)
    receipt = StockMovement.objects.get(purchase_order_line=nut_line)

    [reversal] = services.movement_reverse(movement=receipt, actor=None, reason="Wrong nuts delivered")

    nut_line.refresh_from_db()
    assert nut_line.received_quantity == D("0")
    assert reversal.purchase_order_line == nut_line
    assert PurchaseOrder.objects.get(pk=order.pk).status == "partially_received"
    assert StockLevel.objects.get(product=nuts, warehouse=warehouse).on_hand == D("0")


def test_receipts_of_a_closed_order_stay(supplier, warehouse, bolts, nuts):
    order = _in_status("closed", supplier, warehouse, bolts, nuts)
    receipt = StockMovement.objects.filter(purchase_order_line__order=order).first()

    with raises(TransitionNotAllowed, f"Purchase order {order.number} is closed; its receipts stay."):
        services.movement_reverse(movement=receipt, actor=None, reason="Late complaint")


def test_a_suppliers_open_orders(supplier, warehouse, bolts, nuts):
    drafted = draft(supplier, warehouse, bolts, nuts)
    sent = ordered(supplier, warehouse, bolts, nuts)
    _in_status("cancelled", supplier, warehouse, bolts, nuts)
    _in_status("closed", supplier, warehouse, bolts, nuts)
    ordered(SupplierFactory(name="Elsewhere"), warehouse, bolts, nuts)

    assert list(selectors.supplier_open_purchase_orders(supplier=supplier)) == [sent, drafted]


def test_two_lines_of_one_product_received_together_are_two_movements_each_on_the_trail(supplier, warehouse, bolts):
    """The second movement against a level in one transaction takes an id of its own (apps.ims.locks
    reserves one per level)."""
    order = services.purchase_order_create(
        supplier=supplier,
        warehouse=warehouse,
        lines=[
            {"product": bolts, "quantity": 10, "unit_cost": "0.40"},
            {"product": bolts, "quantity": 30, "unit_cost": "0.60"},
        ],
        actor=None,
    )
    order = services.purchase_order_order(order=order, actor=None)
    first, second = lines_of(order)

    with CaptureQueriesContext(connection) as queries:
        services.purchase_order_receive(order=order, receipts={first.pk: 10, second.pk: 30}, actor=None)

    taken_alone = [query for query in queries if query["sql"].startswith("SELECT nextval(")]
    assert len(taken_alone) == 1  # the first movement used the id its level reserved
    movements = list(StockMovement.objects.filter(reference=order.number).order_by("id"))
    assert [(m.purchase_order_line_id, m.quantity, m.on_hand_after) for m in movements] == [
        (first.pk, D("10.000"), D("10.000")),
        (second.pk, D("30.000"), D("40.000")),
    ]
    entries = AuditEntry.objects.filter(object_type="ims.stockmovement").order_by("seq")
    assert [(entry.object_id, entry.changes["id"]) for entry in entries] == [
        (str(movements[0].pk), [None, movements[0].pk]),
        (str(movements[1].pk), [None, movements[1].pk]),
    ]
    assert StockLevel.objects.get(product=bolts, warehouse=warehouse).average_cost == D("0.5500")
    assert audit_chain_verify().intact
