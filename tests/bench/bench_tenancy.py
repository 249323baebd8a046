"""What tenant resolution costs: one trivial view (``ok``, no I/O) with and without it.

* MonoPod's whole stack on a tenant's host (``bench-acme.localhost``, a tenant of the bench database
  made once and kept): the tenant middleware looks the host up (cached per process,
  ``TENANT_CACHE_SECONDS``), points the connection at its schema and routes to the tenant URL conf;
* the same stack and host with the host cache off (``TENANT_CACHE_SECONDS=0``): a lookup per request;
* the same stack and host on an operational path (``/health/bench-trivial``), which skips tenant
  resolution: every other middleware still runs, so the difference is the tenant middleware's own;
* the calibration's bare Django view (no middleware): Django itself.

All under gunicorn with sync workers (WSGI), settings ``tests.bench.apps.tenancy_settings``
(``monopod.settings.development`` plus the trivial view's URLs). The queries per request are counted
in a process of their own through Django's test client (``tenants_worker queries``).

The goal: tenant resolution costs at most 10% (tenant host vs operational path, and the share of the
gap to bare Django).
"""

from __future__ import annotations

from typing import Any

from tests.bench import benchdb
from tests.bench.calibration import DJANGO_WSGI
from tests.bench.harness import BenchError, BenchRun, Failure, gunicorn, progress
from tests.bench.tenants_worker import run_worker

TITLE = "tenancy"
GROUP = "tenancy: trivial view through MonoPod's stack, tenant resolution"
SETTINGS = "tests.bench.apps.tenancy_settings"
TENANT_SLUG = "bench-acme"
TENANT_HOST = f"{TENANT_SLUG}.localhost"
TRIVIAL = "/bench/trivial"
OPERATIONAL = "/health/bench-trivial"
GOAL_OVERHEAD = 0.10

TENANT = "tenancy.tenant"
TENANT_UNCACHED = "tenancy.tenant.uncached"
OPERATIONAL_KEY = "tenancy.operational"


def run(bench: BenchRun) -> None:
    database = benchdb.for_run(bench)
    db_env = database.server_env()
    made, seconds = run_worker(
        ["-m", "tests.bench.tenants_worker", "ensure", "--slug", TENANT_SLUG],
        database_env=db_env,
        name="tenancy.ensure",
        timeout=300,
    )
    progress(f"  tenant {TENANT_HOST}: {'made' if made['made'] else 'reused'} ({seconds:.1f}s)")

    lines: list[tuple[str, str, str, str]] = [
        (TENANT, "5", TRIVIAL, "tenant host, cached lookup"),
        (TENANT_UNCACHED, "0", TRIVIAL, "tenant host, no host cache"),
        (OPERATIONAL_KEY, "5", OPERATIONAL, "operational path, no lookup"),
    ]
    counter = benchdb.ConnectionCounter(database)
    try:
        for key, cache_seconds, path, label in lines:
            env = {**db_env, "BENCH_TENANT_CACHE_SECONDS": cache_seconds}
            queries = count_queries(env, path, key)
            detail = {"settings": SETTINGS, "host": TENANT_HOST, "tenant_cache_seconds": int(cache_seconds), **queries}
            spec = gunicorn(
                "monopod.wsgi:application",
                workers=bench.config.workers,
                env={**env, "DJANGO_SETTINGS_MODULE": SETTINGS, "DEBUG": "false", "LOG_LEVEL": "WARNING"},
            )
            per_request = queries.get("queries_per_request")
            shown = f", {per_request:.2g} q/req" if per_request is not None else ""
            try:
                bench.measure_http(
                    spec,
                    key=key,
                    group=GROUP,
                    label=f"{label}{shown}",
                    path=path,
                    host=TENANT_HOST,
                    detail=detail,
                    db_connections=counter,
                )
            except BenchError as exc:  # one line failing does not stop the others
                bench.failures.append(Failure(module=f"{TITLE} {key}", message=str(exc)))
                progress(f"  {key} FAILED: {exc}")
    finally:
        counter.close()

    overhead = verdict(bench)
    bench.compare(TENANT, OPERATIONAL_KEY, f"tenant host vs operational path (goal <=10% overhead: {overhead})")
    bench.compare(TENANT, DJANGO_WSGI, "MonoPod tenant host vs bare Django view (gunicorn sync both)")
    bench.compare(OPERATIONAL_KEY, DJANGO_WSGI, "MonoPod operational path vs bare Django view")
    bench.compare(TENANT_UNCACHED, TENANT, "tenant host: no host cache vs cached")


def count_queries(env: dict[str, str], path: str, key: str) -> dict[str, Any]:
    """Queries of the first request and per request after it (a worker process, Django's test client)."""
    try:
        result, _ = run_worker(
            ["-m", "tests.bench.tenants_worker", "queries", "--host", TENANT_HOST, "--path", path],
            database_env=env,
            name=f"{key}.queries",
            timeout=120,
            settings=SETTINGS,
        )
    except BenchError as exc:
        progress(f"  {key}: queries not counted: {exc}")
        return {}
    return result


def verdict(bench: BenchRun) -> str:
    """Tenant resolution's share of the time per request: CPU per request when measured, else the rate."""
    tenant, operational = bench.get(TENANT), bench.get(OPERATIONAL_KEY)
    if tenant is None or operational is None or not tenant.rate:
        return "not measured"
    if tenant.cpu_ms and operational.cpu_ms:
        overhead, basis = tenant.cpu_ms / operational.cpu_ms - 1, "cpu"
    else:
        overhead, basis = operational.rate / tenant.rate - 1, "rate"
    return f"{'met' if overhead <= GOAL_OVERHEAD else 'NOT met'}, {overhead:+.0%} {basis}"
