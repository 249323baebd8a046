"""Django side of the inventory's stock list measurement, in a process of its own against the bench database.

``python -m tests.bench.apps.ims_stock_worker stocklist --slug S --rows N`` under
``tests.bench.apps.signup_settings`` (``tests.bench.tenants_worker.run_worker()`` sets the environment),
once the tenant exists. It prints one ``BENCH_JSON`` line.

N products with a stock level each in a warehouse of their own (a tenth of them with a reorder rule)
are read in full, a page of 200 at a time:

* through the whole stack in this process (Django's test client: tenant resolution, a Viewer's JWT,
  role permissions, throttle, filters, the page's count, serializer, JSON renderer):
  ``GET /api/v1/ims/stock/?warehouse=<id>&page_size=200&page=<n>``;
* through raw SQL doing the same reads: the page's count, then the rows with product, warehouse and
  reorder point joined, made into the same JSON.

Rounds alternate between the two so drift hits both alike. The queries of one request are counted for
a page of 200 out of N rows, a page of 10, and a page of one row: they must not differ. The levels,
rules and products it made are removed at the end.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from tests.bench.tenants_worker import django_setup, emit_result, say

WAREHOUSE = "bench-stock"
PREFIX = "STK-"
PAGE_SIZE = 200
ROUNDS = 3
URL = "/api/v1/ims/stock/"
RAW_COUNT_SQL = "SELECT count(*) FROM ims_stocklevel WHERE warehouse_id = %s"
RAW_PAGE_SQL = """
    SELECT level.id, level.product_id, product.sku, product.name, level.warehouse_id, warehouse.code,
           level.on_hand, level.reserved, level.on_hand - level.reserved,
           (SELECT rule.reorder_point FROM ims_reorderrule rule
             WHERE rule.product_id = level.product_id AND rule.warehouse_id = level.warehouse_id LIMIT 1),
           level.below_reorder_point, level.average_cost, level.updated_at
      FROM ims_stocklevel level
      JOIN ims_product product ON product.id = level.product_id
      JOIN ims_warehouse warehouse ON warehouse.id = level.warehouse_id
     WHERE level.warehouse_id = %s
     ORDER BY product.sku, warehouse.code
     LIMIT %s OFFSET %s
"""
COLUMNS = (
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
)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _plain(value: Any) -> Any:
    """A column as the API's JSON spells it: decimals and times as strings."""
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat().replace("+00:00", "Z")
    return value


def _fill(rows: int) -> tuple[Any, Any]:
    """The warehouse with ``rows`` stock levels, and a Viewer to read them; written straight to the tables."""
    from apps.identity.models import User
    from apps.identity.roles import VIEWER, role_group
    from apps.ims.models import Product, ReorderRule, StockLevel, Warehouse

    warehouse, _ = Warehouse.objects.get_or_create(code=WAREHOUSE, defaults={"name": "Bench stock list"})
    _empty(warehouse)
    wanted = [f"{PREFIX}{n:05d}" for n in range(rows)]
    have = set(Product.objects.filter(sku__in=wanted).values_list("sku", flat=True))
    Product.objects.bulk_create(
        [Product(sku=sku, name=f"Bench {sku}", cost_price=Decimal("2.50")) for sku in wanted if sku not in have],
        batch_size=2000,
    )
    products = list(Product.objects.filter(sku__startswith=PREFIX).order_by("sku")[:rows])
    StockLevel.objects.bulk_create(
        [
            StockLevel(
                product=product,
                warehouse=warehouse,
                on_hand=Decimal(n % 50),
                reserved=Decimal(n % 3),
                average_cost=Decimal("2.5000"),
                below_reorder_point=n % 10 == 0 and n % 50 < 10,
            )
            for n, product in enumerate(products)
        ],
        batch_size=2000,
    )
    ReorderRule.objects.bulk_create(
        [
            ReorderRule(product=product, warehouse=warehouse, reorder_point=Decimal(10), reorder_quantity=Decimal(40))
            for n, product in enumerate(products)
            if n % 10 == 0
        ],
        batch_size=2000,
    )
    viewer, _ = User.objects.get_or_create(email="stock-viewer@bench.test")
    viewer.groups.add(role_group(VIEWER))
    return warehouse, viewer


def _empty(warehouse: Any) -> None:
    from apps.ims.models import ReorderRule, StockLevel

    StockLevel.objects.filter(warehouse=warehouse).delete()
    ReorderRule.objects.filter(warehouse=warehouse).delete()


def stocklist(slug: str, rows: int) -> dict[str, Any]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings
    from django_tenants.utils import schema_context

    from apps.identity.tokens import TenantRefreshToken
    from apps.ims.models import Product
    from apps.tenants.models import Tenant
    from apps.tenants.provisioning import tenant_domain_name

    tenant = Tenant.objects.get(slug=slug)
    with schema_context(tenant.schema_name):
        started = time.perf_counter()
        warehouse, viewer = _fill(rows)
        say(f"{rows} stock levels written in {time.perf_counter() - started:.1f}s")
        token = str(TenantRefreshToken.for_user(viewer).access_token)
    client = Client(HTTP_HOST=tenant_domain_name(tenant.slug), HTTP_AUTHORIZATION=f"Bearer {token}")
    pages = -(-rows // PAGE_SIZE)

    def endpoint() -> list[dict[str, Any]]:
        results: list[dict[str, Any]] = []
        for page in range(1, pages + 1):
            response = client.get(URL, {"warehouse": warehouse.pk, "page_size": PAGE_SIZE, "page": page})
            if response.status_code != 200:
                raise RuntimeError(f"GET {URL} page {page} answered {response.status_code}: {response.content[:300]!r}")
            results += json.loads(response.content)["results"]
        return results

    def raw() -> list[dict[str, Any]]:
        results: list[dict[str, Any]] = []
        with schema_context(tenant.schema_name), connection.cursor() as cursor:
            for page in range(pages):
                cursor.execute(RAW_COUNT_SQL, [warehouse.pk])
                count = cursor.fetchone()[0]
                cursor.execute(RAW_PAGE_SQL, [warehouse.pk, PAGE_SIZE, page * PAGE_SIZE])
                body = json.dumps(
                    {"count": count, "results": [dict(zip(COLUMNS, map(_plain, row), strict=True)) for row in cursor]}
                )
                results += json.loads(body)["results"]
        return results

    def queries(query: Mapping[str, Any]) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(URL, query)
        if response.status_code != 200:
            raise RuntimeError(f"GET {URL} {dict(query)} answered {response.status_code}")
        return len(captured)

    # Throttles count per principal: this one reader makes more requests a minute than any rate allows.
    with override_settings(API_THROTTLE_RATES={"default": "100000000/min"}):
        from django.core.cache import cache

        cache.clear()
        first_endpoint, first_raw = endpoint(), raw()  # warm, and the two must answer the same rows
        keys = ("id", "sku", "on_hand", "reserved", "available", "reorder_point", "below_reorder_point")
        same = [{k: r[k] for k in keys} for r in first_endpoint] == [{k: r[k] for k in keys} for r in first_raw]
        if not same or len(first_endpoint) != rows:
            raise RuntimeError(f"the endpoint and raw SQL disagree ({len(first_endpoint)} and {len(first_raw)} rows)")
        with schema_context(tenant.schema_name):
            one_product = Product.objects.get(sku=f"{PREFIX}00000").pk
        counted = {
            f"page of {PAGE_SIZE} of {rows} rows": queries({"warehouse": warehouse.pk, "page_size": PAGE_SIZE}),
            f"page of 10 of {rows} rows": queries({"warehouse": warehouse.pk, "page_size": 10}),
            "page of 1 row": queries({"warehouse": warehouse.pk, "product": one_product}),
        }
        sides: dict[str, Callable[[], list[dict[str, Any]]]] = {"raw": raw, "endpoint": endpoint}
        totals = {name: {"rows": 0, "requests": 0, "seconds": 0.0, "cpu_s": 0.0} for name in sides}
        for round_ in range(ROUNDS):
            for name, read in sides.items():
                cpu, begun = _cpu(), time.perf_counter()
                got = read()
                totals[name]["seconds"] += time.perf_counter() - begun
                totals[name]["cpu_s"] += _cpu() - cpu
                totals[name]["rows"] += len(got)
                totals[name]["requests"] += pages
            spent = {name: f"{line['seconds']:.2f}s" for name, line in totals.items()}
            say(f"round {round_ + 1}/{ROUNDS}: endpoint {spent['endpoint']}, raw {spent['raw']}")
    with schema_context(tenant.schema_name):
        _empty(warehouse)
        Product.objects.filter(sku__startswith=PREFIX).delete()
    return {**totals, "queries": counted, "rows": rows, "page_size": PAGE_SIZE}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.apps.ims_stock_worker")
    parser.add_argument("command", choices=["stocklist"])
    parser.add_argument("--slug", required=True)
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args(argv)
    django_setup()
    return emit_result(lambda: stocklist(args.slug, args.rows))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
