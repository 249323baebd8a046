"""The inventory: what the service layer costs a stock movement against raw SQL doing the same work.

The work runs in ``tests/bench/apps/ims_worker.py``, a process of its own on the bench database with
``tests.bench.apps.signup_settings``, in the tenant ``bench-ims`` (made once and kept).

* **movements**: 10,000 stock movements (receipts and issues of one unit over 200 products) through
  ``movement_post`` (level row lock, checks, average cost, low-stock check, the movement row and its
  audit entry, ``ims.stock.moved`` in the outbox; a transaction each), against 10,000 through raw SQL
  (upsert the level, insert the movement with the level after it; a transaction each), in alternating
  chunks, one connection. Goal: the service layer within 3 times raw SQL per movement. A third line
  posts through ``movement_post`` with the audit trail suspended: the difference is the movement's
  entry on the hash-chained trail.
* **stock list**: ``GET /api/v1/ims/stock/`` over 10,000 products' stock levels, read in full a page
  of 200 at a time through the whole stack (in process, Django's test client, a Viewer's JWT), against
  raw SQL reading the same pages (count, then the rows with product, warehouse and reorder point
  joined) and making the same JSON; ``tests/bench/apps/ims_stock_worker.py``. Its queries per request
  are counted for a page of 200, a page of 10 and a page of one row: the goal is that they are equal.

Each measurement is a function in ``MEASUREMENTS``; a failing one does not stop the others.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.bench import benchdb
from tests.bench.harness import BenchError, BenchRun, Failure, Measurement, progress
from tests.bench.tenants_worker import run_worker

TITLE = "ims"
WORKER = "tests.bench.apps.ims_worker"
SETTINGS = "tests.bench.apps.signup_settings"
TENANT_SLUG = "bench-ims"
MOVEMENTS = 10_000
PRODUCTS = 200
GOAL_MOVEMENT_RATIO = 3.0

GROUP_MOVEMENTS = f"ims: {MOVEMENTS:,} stock movements, one transaction each"
RAW, SERVICE, UNAUDITED = "ims.movements.raw", "ims.movements.service", "ims.movements.service_unaudited"

Worker = Callable[..., dict[str, Any]]


def met(ok: bool) -> str:
    return "met" if ok else "NOT met"


def run(bench: BenchRun) -> None:
    database = benchdb.for_run(bench)
    made, seconds = run_worker(
        ["-m", "tests.bench.tenants_worker", "ensure", "--slug", TENANT_SLUG],
        database_env=database.server_env(),
        name="ims.ensure",
        timeout=300,
    )
    progress(f"  tenant {TENANT_SLUG}: {'made' if made['made'] else 'reused'} ({seconds:.1f}s)")

    def worker(command: str, *args: str, timeout: float = 600) -> dict[str, Any]:
        argv = ["-m", WORKER, command, "--slug", TENANT_SLUG, *args]
        result, _ = run_worker(
            argv, database_env=database.server_env(), name=f"ims.{command}", timeout=timeout, settings=SETTINGS
        )
        return result

    prepared = worker("prepare", "--products", str(PRODUCTS))
    progress(f"  {prepared['products']} products per side{' (schema migrated)' if prepared['migrated'] else ''}")
    for measure in MEASUREMENTS:
        try:
            measure(bench, worker)
        except BenchError as exc:  # one measurement failing does not stop the others
            bench.failures.append(Failure(module=f"{TITLE} {measure.__name__}", message=str(exc)))
            progress(f"  {measure.__name__} FAILED: {exc}")


def measure_movements(bench: BenchRun, worker: Worker) -> None:
    result = worker("movements", "--count", str(MOVEMENTS), timeout=1200)
    queries = result["queries"]
    for key, name, label in (
        (RAW, "raw", f"raw SQL: upsert level + insert movement ({queries['raw']} queries)"),
        (SERVICE, "service", f"movement_post() ({queries['service']} queries)"),
        (UNAUDITED, "service_unaudited", "movement_post(), audit trail suspended"),
    ):
        line = result[name]
        bench.record(
            Measurement(
                key=key,
                group=GROUP_MOVEMENTS,
                label=label,
                server="in-process, 1 conn",
                unit="mv/s",
                rate=line["movements"] / line["seconds"],
                cpu_ms=line["cpu_s"] * 1000 / line["movements"],
                count=line["movements"],
                seconds=line["seconds"],
                detail={"ms_per_movement": line["seconds"] * 1000 / line["movements"]},
            )
        )
    ratio = per_movement(result["service"]) / per_movement(result["raw"])
    unaudited = per_movement(result["service_unaudited"]) / per_movement(result["raw"])
    progress(f"  service {ratio:.2f}x raw per movement ({unaudited:.2f}x with the audit trail suspended)")
    bench.compare(
        SERVICE,
        RAW,
        f"movement_post() vs raw SQL, {ratio:.2f}x the time per movement "
        f"(goal <={GOAL_MOVEMENT_RATIO:g}x: {met(ratio <= GOAL_MOVEMENT_RATIO)})",
    )
    bench.compare(UNAUDITED, RAW, f"movement_post() without its audit entry vs raw SQL, {unaudited:.2f}x")


def per_movement(line: dict[str, Any]) -> float:
    return float(line["seconds"]) / int(line["movements"])


STOCK_WORKER = "tests.bench.apps.ims_stock_worker"
STOCK_ROWS = 10_000
GROUP_STOCK = f"ims: stock list of {STOCK_ROWS:,} products, read in full a page of 200 at a time"
STOCK_RAW, STOCK_ENDPOINT = "ims.stock.raw", "ims.stock.endpoint"


def measure_stock_list(bench: BenchRun, worker: Worker) -> None:
    database = benchdb.for_run(bench)
    result, _ = run_worker(
        ["-m", STOCK_WORKER, "stocklist", "--slug", TENANT_SLUG, "--rows", str(STOCK_ROWS)],
        database_env=database.server_env(),
        name="ims.stocklist",
        timeout=1200,
        settings=SETTINGS,
    )
    queries: dict[str, int] = result["queries"]
    constant = len(set(queries.values())) == 1
    for key, name, label in (
        (STOCK_RAW, "raw", "raw SQL: count + joined page, same JSON"),
        (STOCK_ENDPOINT, "endpoint", f"GET /api/v1/ims/stock/ ({next(iter(queries.values()))} queries a page)"),
    ):
        line = result[name]
        bench.record(
            Measurement(
                key=key,
                group=GROUP_STOCK,
                label=label,
                server="in-process, 1 conn",
                unit="rows/s",
                rate=line["rows"] / line["seconds"],
                cpu_ms=line["cpu_s"] * 1000 / line["requests"],
                count=line["rows"],
                seconds=line["seconds"],
                detail={"ms_per_page": line["seconds"] * 1000 / line["requests"], "queries": queries},
            )
        )
    ratio = result["endpoint"]["seconds"] / result["raw"]["seconds"]
    shown = ", ".join(f"{where}: {count}" for where, count in queries.items())
    progress(f"  endpoint {ratio:.2f}x raw SQL's time; queries per request {shown}")
    bench.compare(
        STOCK_ENDPOINT,
        STOCK_RAW,
        f"stock list endpoint vs raw SQL, {ratio:.2f}x the time; queries per request constant in the rows "
        f"({shown}): {met(constant)}",
    )
    if not constant:
        raise BenchError(f"the stock list's queries per request vary with its rows: {shown}")


MEASUREMENTS: tuple[Callable[[BenchRun, Worker], None], ...] = (measure_movements, measure_stock_list)
