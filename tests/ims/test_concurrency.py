"""Twenty writers adjusting one product's stock at once: no update is lost and none takes stock below zero.

Real threads, each with its own database connection, on committed rows in the second tenant's schema;
what the test commits is removed afterwards.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection

from apps.ims import services
from apps.ims.exceptions import InsufficientStock
from apps.ims.models import Product, PurchaseOrder, Supplier, Warehouse

THREADS, ADJUSTMENTS_EACH = 20, 25
OPENING_STOCK = Decimal("20")
SKU, WAREHOUSE = "CONCURRENT-1", "conc"


@contextmanager
def append_only_held_off(conn: Any) -> Iterator[None]:
    """Within the caller's transaction, let it delete committed rows of globex's ledger and audit trail.

    The tables' owner may disable their triggers (no superuser needed); they are enabled again before
    the transaction commits, so no other session ever sees the tables unguarded.
    """
    tables = ("globex.ims_stockmovement", "globex.audit_auditentry")
    # Foreign keys are checked at once, or their pending checks would forbid enabling the triggers again.
    conn.execute("SET CONSTRAINTS ALL IMMEDIATE")
    for table in tables:
        conn.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
    yield
    for table in tables:
        conn.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")


def in_thread(tenant, work):
    """Run ``work`` in a thread of its own (its own connection, autocommit), re-raising what it raised."""
    failures: list[BaseException] = []

    def run() -> None:
        try:
            connection.set_tenant(tenant)
            work()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test's thread
            failures.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if failures:
        raise failures[0]


@pytest.mark.slow
def test_concurrent_adjustments_lose_no_update_and_never_go_negative(committed, other_tenant):
    conn, _made = committed
    schema = other_tenant.schema_name
    assert schema == "globex"  # the statements below name it
    last_audit = conn.execute("SELECT coalesce(max(seq), 0) FROM globex.audit_auditentry").fetchone()[0]
    last_event = conn.execute("SELECT coalesce(max(id), 0) FROM public.events_outboxevent").fetchone()[0]

    def opening() -> None:
        product = Product.objects.create(sku=SKU, name="Contended product")
        warehouse = Warehouse.objects.create(code=WAREHOUSE, name="Contended warehouse")
        services.movement_post(
            product=product, warehouse=warehouse, kind="receipt", quantity=OPENING_STOCK, unit_cost="1"
        )

    accepted: list[Decimal] = []
    refused: list[Decimal] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def adjust(seed: int) -> None:
        rng = random.Random(seed)
        try:
            connection.set_tenant(other_tenant)
            product = Product.objects.get(sku=SKU)
            warehouse = Warehouse.objects.get(code=WAREHOUSE)
            for _ in range(ADJUSTMENTS_EACH):
                # Biased downwards, so stock runs out again and again and refusals happen.
                quantity = Decimal(rng.choice([q for q in range(-10, 7) if q != 0]))
                try:
                    services.movement_post(
                        product=product,
                        warehouse=warehouse,
                        kind="adjustment",
                        quantity=quantity,
                        reason="Concurrent count",
                    )
                except InsufficientStock:
                    with lock:
                        refused.append(quantity)
                else:
                    with lock:
                        accepted.append(quantity)
        except BaseException as exc:  # noqa: BLE001 - asserted on below
            errors.append(exc)
        finally:
            connection.close()

    try:
        in_thread(other_tenant, opening)
        threads = [threading.Thread(target=adjust, args=(seed,)) for seed in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert errors == []
        assert len(accepted) + len(refused) == THREADS * ADJUSTMENTS_EACH
        assert len(refused) > 0
        on_hand, reserved = conn.execute(
            "SELECT l.on_hand, l.reserved FROM globex.ims_stocklevel l "
            "JOIN globex.ims_product p ON p.id = l.product_id WHERE p.sku = %s",
            [SKU],
        ).fetchone()
        assert on_hand == OPENING_STOCK + sum(accepted)
        assert reserved == 0
        rows = conn.execute(
            "SELECT m.quantity, m.on_hand_after FROM globex.ims_stockmovement m "
            "JOIN globex.ims_product p ON p.id = m.product_id WHERE p.sku = %s ORDER BY m.id",
            [SKU],
        ).fetchall()
        assert len(rows) == 1 + len(accepted)
        assert sorted(quantity for quantity, _ in rows[1:]) == sorted(accepted)
        # Every accepted movement left stock at zero or more, and each followed the one before it.
        assert all(after >= 0 for _, after in rows)
        running = Decimal(0)
        for quantity, after in rows:
            running += quantity
            assert after == running
        assert running == on_hand
    finally:
        # Committed rows outlive the test: remove them, past the ledger's and the trail's triggers.
        with conn.transaction(), append_only_held_off(conn):
            conn.execute("DELETE FROM globex.ims_stockmovement")
            conn.execute("DELETE FROM globex.ims_stocklevel")
            conn.execute("DELETE FROM globex.ims_product WHERE sku = %s", [SKU])
            conn.execute("DELETE FROM globex.ims_warehouse WHERE code = %s", [WAREHOUSE])
            conn.execute("DELETE FROM globex.audit_auditentry WHERE seq > %s", [last_audit])
            conn.execute(
                "DELETE FROM public.events_outboxevent WHERE id > %s AND tenant_schema = %s", [last_event, schema]
            )
            conn.execute(
                "DELETE FROM public.events_aggregatesequence WHERE tenant_schema = %s AND aggregate_type LIKE 'ims.%%'",
                [schema],
            )


@pytest.mark.slow
def test_purchase_orders_drafted_at_once_get_distinct_consecutive_numbers(committed, other_tenant):
    conn, _made = committed
    assert other_tenant.schema_name == "globex"  # the statements below name it
    last_audit = conn.execute("SELECT coalesce(max(seq), 0) FROM globex.audit_auditentry").fetchone()[0]
    last_event = conn.execute("SELECT coalesce(max(id), 0) FROM public.events_outboxevent").fetchone()[0]
    numbers: list[str] = []
    errors: list[BaseException] = []
    ready = threading.Barrier(10)

    def opening() -> None:
        Product.objects.create(sku=SKU, name="Ordered product")
        Warehouse.objects.create(code=WAREHOUSE, name="Receiving warehouse")
        Supplier.objects.create(name="Concurrent supplier")

    def draft() -> None:
        try:
            connection.set_tenant(other_tenant)
            product, warehouse = Product.objects.get(sku=SKU), Warehouse.objects.get(code=WAREHOUSE)
            supplier = Supplier.objects.get(name="Concurrent supplier")
            ready.wait()
            order = services.purchase_order_create(
                supplier=supplier, warehouse=warehouse, lines=[{"product": product, "quantity": 1}], actor=None
            )
            numbers.append(order.number)
        except BaseException as exc:  # noqa: BLE001 - asserted on below
            errors.append(exc)
        finally:
            connection.close()

    try:
        in_thread(other_tenant, opening)
        threads = [threading.Thread(target=draft) for _ in range(10)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert errors == []
        assert sorted(numbers) == [f"PO-{n:05d}" for n in range(1, 11)]
    finally:
        with conn.transaction(), append_only_held_off(conn):
            conn.execute("DELETE FROM globex.ims_purchaseorderline")
            conn.execute("DELETE FROM globex.ims_purchaseorder")
            conn.execute("DELETE FROM globex.ims_numbersequence")
            conn.execute("DELETE FROM globex.ims_supplier WHERE name = 'Concurrent supplier'")
            conn.execute("DELETE FROM globex.ims_product WHERE sku = %s", [SKU])
            conn.execute("DELETE FROM globex.ims_warehouse WHERE code = %s", [WAREHOUSE])
            conn.execute("DELETE FROM globex.audit_auditentry WHERE seq > %s", [last_audit])
            conn.execute(
                "DELETE FROM public.events_outboxevent WHERE id > %s AND tenant_schema = 'globex'", [last_event]
            )
            conn.execute("DELETE FROM public.events_aggregatesequence WHERE tenant_schema = 'globex'"
                         " AND aggregate_type LIKE 'ims.%%'")  # fmt: skip


@pytest.mark.slow
def test_receiving_orders_while_stock_moves_never_deadlocks(committed, other_tenant):
    """A receipt of several products and movements of one of them take locks in the same order."""
    conn, _made = committed
    assert other_tenant.schema_name == "globex"  # the statements below name it
    last_audit = conn.execute("SELECT coalesce(max(seq), 0) FROM globex.audit_auditentry").fetchone()[0]
    last_event = conn.execute("SELECT coalesce(max(id), 0) FROM public.events_outboxevent").fetchone()[0]
    orders, adjusters, rounds = 6, 4, 30
    errors: list[BaseException] = []
    receiving = threading.Event()

    def opening() -> None:
        warehouse = Warehouse.objects.create(code=WAREHOUSE, name="Receiving warehouse")
        supplier = Supplier.objects.create(name="Concurrent supplier")
        products = [Product.objects.create(sku=f"{SKU}-{n}", name=f"Product {n}") for n in range(3)]
        for product in products:
            services.movement_post(product=product, warehouse=warehouse, kind="receipt", quantity=1000, unit_cost=1)
        for _ in range(orders):
            order = services.purchase_order_create(
                supplier=supplier,
                warehouse=warehouse,
                lines=[{"product": product, "quantity": 5, "unit_cost": 1} for product in products],
                actor=None,
            )
            services.purchase_order_order(order=order, actor=None)

    def receive() -> None:
        try:
            connection.set_tenant(other_tenant)
            receiving.set()
            for order in PurchaseOrder.objects.order_by("id"):
                services.purchase_order_receive(
                    order=order, receipts={line.pk: line.quantity for line in order.lines.all()}, actor=None
                )
        except BaseException as exc:  # noqa: BLE001 - asserted on below
            errors.append(exc)
        finally:
            connection.close()

    def adjust(n: int) -> None:
        try:
            connection.set_tenant(other_tenant)
            warehouse = Warehouse.objects.get(code=WAREHOUSE)
            products = list(Product.objects.filter(sku__startswith=f"{SKU}-").order_by("-sku"))
            receiving.wait()
            for step in range(rounds):
                product = products[(n + step) % len(products)]
                services.movement_post(
                    product=product, warehouse=warehouse, kind="adjustment", quantity=-1, reason="Count"
                )
        except BaseException as exc:  # noqa: BLE001 - asserted on below
            errors.append(exc)
        finally:
            connection.close()

    try:
        in_thread(other_tenant, opening)
        threads = [threading.Thread(target=receive)]
        threads += [threading.Thread(target=adjust, args=(n,)) for n in range(adjusters)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert errors == []
        statuses = conn.execute("SELECT DISTINCT status FROM globex.ims_purchaseorder").fetchall()
        assert statuses == [("received",)]
        levels = conn.execute("SELECT sum(on_hand) FROM globex.ims_stocklevel").fetchone()[0]
        assert levels == 3 * 1000 + orders * 3 * 5 - adjusters * rounds
    finally:
        with conn.transaction(), append_only_held_off(conn):
            conn.execute("DELETE FROM globex.ims_stockmovement")
            conn.execute("DELETE FROM globex.ims_stocklevel")
            conn.execute("DELETE FROM globex.ims_purchaseorderline")
            conn.execute("DELETE FROM globex.ims_purchaseorder")
            conn.execute("DELETE FROM globex.ims_numbersequence")
            conn.execute("DELETE FROM globex.ims_supplier WHERE name = 'Concurrent supplier'")
            conn.execute("DELETE FROM globex.ims_product WHERE sku LIKE %s", [f"{SKU}-%"])
            conn.execute("DELETE FROM globex.ims_warehouse WHERE code = %s", [WAREHOUSE])
            conn.execute("DELETE FROM globex.audit_auditentry WHERE seq > %s", [last_audit])
            conn.execute(
                "DELETE FROM public.events_outboxevent WHERE id > %s AND tenant_schema = 'globex'", [last_event]
            )
            conn.execute("DELETE FROM public.events_aggregatesequence WHERE tenant_schema = 'globex'"
                         " AND aggregate_type LIKE 'ims.%%'")  # fmt: skip
