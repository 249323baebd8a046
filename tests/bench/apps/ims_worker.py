"""Django side of the inventory benchmark, in a process of its own against the bench database.

``python -m tests.bench.apps.ims_worker <command> --slug S`` under ``tests.bench.apps.signup_settings``
(``tests.bench.tenants_worker.run_worker()`` sets the environment), once the tenant exists
(``tenants_worker ensure``). Commands, each printing one ``BENCH_JSON`` line:

* ``prepare --slug S --products P``: migrates the tenant's schema when it lacks the inventory tables,
  makes one warehouse and P products for each side (``SVC-00000``..., ``RAW-00000``...);
* ``movements --slug S --count N``: N stock movements through ``apps.ims.services.movement_post`` (row
  lock of the level, audit entry, ``ims.stock.moved`` in the outbox, one transaction each) and N through
  raw SQL doing the ledger's own work (upsert the level, insert the movement with the level after it,
  one transaction each), in alternating chunks so drift hits both alike; a third side posts through
  ``movement_post`` with the audit trail suspended, to show what the movement's audit entry costs.
  The ledger, levels and this tenant's outbox rows are emptied before and after (TRUNCATE passes the
  ledger's row trigger).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from tests.bench.tenants_worker import django_setup, emit_result, say

WAREHOUSE = "bench"
CHUNKS = 10
# Upsert the level and insert the movement with the level after it: what movement_post does, minus
# the checks, the lock, the audit entry and the event.
RAW_LEVEL_SQL = """
    INSERT INTO ims_stocklevel AS level
        (product_id, warehouse_id, on_hand, reserved, average_cost, below_reorder_point, updated_at)
    VALUES (%s, %s, %s, 0, 0, false, now())
    ON CONFLICT (product_id, warehouse_id)
        DO UPDATE SET on_hand = level.on_hand + EXCLUDED.on_hand, updated_at = now()
    RETURNING on_hand, reserved
"""
RAW_MOVEMENT_SQL = """
    INSERT INTO ims_stockmovement
        (product_id, warehouse_id, kind, quantity, unit_cost, reason, reference, on_hand_after, reserved_after,
         created_at)
    VALUES (%s, %s, %s, %s, %s, '', '', %s, %s, now())
"""


def _schema(slug: str) -> str:
    from apps.tenants.models import Tenant

    return str(Tenant.objects.get(slug=slug).schema_name)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _reset(schema: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE ims_stockmovement, ims_stocklevel")
        cursor.execute("DELETE FROM public.events_outboxevent WHERE tenant_schema = %s", [schema])
        cursor.execute("DELETE FROM public.events_aggregatesequence WHERE tenant_schema = %s", [schema])


def prepare(slug: str, products: int) -> dict[str, Any]:
    from django_tenants.utils import schema_context

    from apps.ims.models import Product, Warehouse
    from apps.tenants import schemas

    schema = _schema(slug)
    migrated = False
    if not schemas.schema_is_current(schema):
        schemas.migrate(schema)
        migrated = True
    with schema_context(schema):
        Warehouse.objects.get_or_create(code=WAREHOUSE, defaults={"name": "Bench warehouse"})
        for prefix in ("SVC", "RAW"):
            wanted = [f"{prefix}-{n:05d}" for n in range(products)]
            have = set(Product.objects.filter(sku__in=wanted).values_list("sku", flat=True))
            Product.objects.bulk_create(
                [Product(sku=sku, name=f"Bench {sku}", cost_price=Decimal("2.50")) for sku in wanted if sku not in have]
            )
    return {"schema": schema, "migrated": migrated, "products": products}


def _plan(count: int, products: int) -> list[tuple[int, str, Decimal]]:
    """(product index, kind, quantity) per movement: a pass of receipts over every product, then a pass of
    issues taking them back to zero, and so on; stock never goes negative."""
    plan = []
    for n in range(count):
        issuing = (n // products) % 2 == 1
        plan.append((n % products, "issue" if issuing else "receipt", Decimal(1)))
    return plan


def movements(slug: str, count: int) -> dict[str, Any]:
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django_tenants.utils import schema_context

    from apps.audit.context import audit_suspended
    from apps.ims.models import Product, Warehouse
    from apps.ims.services import movement_post

    schema = _schema(slug)
    with schema_context(schema):
        warehouse = Warehouse.objects.get(code=WAREHOUSE)
        service_products = list(Product.objects.filter(sku__startswith="SVC-").order_by("sku"))
        raw_ids = list(Product.objects.filter(sku__startswith="RAW-").order_by("sku").values_list("id", flat=True))
        if not service_products or len(service_products) != len(raw_ids):
            raise RuntimeError("run prepare first")
        plan = _plan(count, len(service_products))
        _reset(schema)

        def service(step: tuple[int, str, Decimal]) -> None:
            index, kind, quantity = step
            movement_post(product=service_products[index], warehouse=warehouse, kind=kind, quantity=quantity)

        def raw(step: tuple[int, str, Decimal]) -> None:
            index, kind, quantity = step
            signed = quantity if kind == "receipt" else -quantity
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(RAW_LEVEL_SQL, [raw_ids[index], warehouse.pk, signed])
                on_hand, reserved = cursor.fetchone()
                cursor.execute(
                    RAW_MOVEMENT_SQL,
                    [raw_ids[index], warehouse.pk, kind, signed, Decimal("2.5"), on_hand, reserved],
                )

        # The queries of one movement each way, once everything is warm.
        with CaptureQueriesContext(connection) as service_queries:
            service((0, "receipt", Decimal(1)))
        with CaptureQueriesContext(connection) as raw_queries:
            raw((0, "receipt", Decimal(1)))
        _reset(schema)

        def unaudited(step: tuple[int, str, Decimal]) -> None:
            with audit_suspended():
                service(step)

        sides: dict[str, Callable[[tuple[int, str, Decimal]], None]] = {
            "raw": raw,
            "service": service,
            "service_unaudited": unaudited,
        }
        totals = {name: {"movements": 0, "seconds": 0.0, "cpu_s": 0.0} for name in sides}
        size = -(-count // CHUNKS)
        for chunk in range(CHUNKS):
            steps = plan[chunk * size : (chunk + 1) * size]
            # The unaudited side repeats the chunk on the service side's products: each chunk's passes
            # alternate receipts and issues, so both together never take stock below zero.
            for name, post in sides.items():
                cpu, started = _cpu(), time.perf_counter()
                for step in steps:
                    post(step)
                totals[name]["seconds"] += time.perf_counter() - started
                totals[name]["cpu_s"] += _cpu() - cpu
                totals[name]["movements"] += len(steps)
            say(f"chunk {chunk + 1}/{CHUNKS}: {totals['service']['movements']} movements each way")
        _reset(schema)
    return {
        **totals,
        "queries": {"service": len(service_queries), "raw": len(raw_queries)},
        "products": len(service_products),
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.apps.ims_worker")
    parser.add_argument("command", choices=["prepare", "movements"])
    parser.add_argument("--slug", required=True)
    parser.add_argument("--products", type=int, default=200)
    parser.add_argument("--count", type=int, default=10_000)
    args = parser.parse_args(argv)
    django_setup()
    commands: Mapping[str, Callable[[], Mapping[str, Any]]] = {
        "prepare": lambda: prepare(args.slug, args.products),
        "movements": lambda: movements(args.slug, args.count),
    }
    return emit_result(commands[args.command])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
