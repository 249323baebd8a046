"""The API framework's cost: a resource's list (a page of 50) and detail, against plain Django views.

The resource is the catalog's products (``tests/catalog``, declared as a domain module declares one),
1,000 of them in a tenant of the bench database (``bench-api.localhost``, made once and kept; its
schema gets the catalog's migration and its rows from ``tests/bench/apps/api_worker.py``):

* through the whole stack: ``GET /api/v1/catalog/products/`` and ``/api/v1/catalog/products/<id>/``
  with a Viewer's bearer token, so every layer runs (tenant resolution, JWT authentication, role
  permissions, the per-principal throttle, the audit context, the JSON access line, django-prometheus'
  metrics, DRF's filters, pagination with its count, serializer and renderer, the detail's ETag);
* the baseline: ``/bench/products/`` and ``/bench/products/<id>/`` (``tests/bench/apps/api_urls.py``),
  the same rows through ``.values()`` and ``JsonResponse``, on the same host behind the same middleware
  and tenant resolution, without DRF: no authentication, permission, throttle, count or serializer.

Every line runs under gunicorn with sync workers (``deploy/gunicorn.conf.py``'s default), settings
``tests.bench.apps.api_settings`` with ``LOG_LEVEL=INFO``, at 32 connections whatever ``--connections``
says, since the p95 goal is set at 32. The queries per request are counted in the worker.

Goals: the API's rate at least 0.5 of the plain view's for the list and 0.6 for the detail, and its
p95 under 50 ms.

Then the same four requests, and three lists with query parameters (a filter; a page; a filter, an
ordering and a search), are measured in process (``api_worker inprocess``): the CPU each costs the
WSGI handler alone, steadier than the served figures and the way to see one change's effect.
"""

from __future__ import annotations

import os
import socket
from urllib.parse import urlsplit

from tests.bench import benchdb
from tests.bench.harness import BenchError, BenchRun, Failure, Measurement, gunicorn, progress
from tests.bench.tenants_worker import run_worker

TITLE = "api"
GROUP = "api: catalog products, API (JWT) vs plain .values() view, 32 connections"
SETTINGS = "tests.bench.apps.api_settings"
TENANT_SLUG = "bench-api"
TENANT_HOST = f"{TENANT_SLUG}.localhost"
PRODUCTS = 1000
CONNECTIONS = 32
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/14"
GOAL_LIST_RATIO = 0.5
GOAL_DETAIL_RATIO = 0.6
GOAL_P95_MS = 50.0

PLAIN_LIST = "api.list.plain"
API_LIST = "api.list.api"
PLAIN_DETAIL = "api.detail.plain"
API_DETAIL = "api.detail.api"
PATHS = {
    PLAIN_LIST: "/bench/products/",
    API_LIST: "/api/v1/catalog/products/",
    PLAIN_DETAIL: "/bench/products/{pk}/",
    API_DETAIL: "/api/v1/catalog/products/{pk}/",
}

IN_PROCESS_GROUP = "api, in process: the WSGI handler called directly, least CPU per request of 5 x 200"
IN_PROCESS = "inprocess."
IN_PROCESS_PATHS = {
    **PATHS,
    "api.list.filtered": "/api/v1/catalog/products/?active=true",
    "api.list.page": "/api/v1/catalog/products/?page=2",
    "api.list.searched": "/api/v1/catalog/products/?active=true&ordering=-unit_price&search=Bench",
}
LABELS = {
    PLAIN_LIST: "plain list, 50 rows",
    API_LIST: "API list, page of 50",
    PLAIN_DETAIL: "plain detail",
    API_DETAIL: "API detail",
    "api.list.filtered": "API list ?active=true",
    "api.list.page": "API list ?page=2",
    "api.list.searched": "API list, filter+ordering+search",
}


def run(bench: BenchRun) -> None:
    database = benchdb.for_run(bench)
    redis_url = redis_for_cache()
    env = {**database.server_env(), "BENCH_REDIS_URL": redis_url or ""}
    made, seconds = run_worker(
        ["-m", "tests.bench.tenants_worker", "ensure", "--slug", TENANT_SLUG],
        database_env=database.server_env(),
        name="api.ensure",
        timeout=300,
    )
    progress(f"  tenant {TENANT_HOST}: {'made' if made['made'] else 'reused'} ({seconds:.1f}s)")
    paths = [arg for key, path in PATHS.items() for arg in ("--path", f"{key}={path}")]
    prepared, seconds = run_worker(
        ["-m", "tests.bench.apps.api_worker", "prepare", "--slug", TENANT_SLUG, "--products", str(PRODUCTS), *paths],
        database_env=env,
        name="api.prepare",
        timeout=300,
        settings=SETTINGS,
    )
    cache = f"Redis {urlsplit(redis_url).netloc}" if redis_url else "per-process memory (no Redis found)"
    progress(f"  {PRODUCTS} products {'seeded' if prepared['seeded'] else 'kept'}; cache: {cache} ({seconds:.1f}s)")
    bearer = {"Authorization": f"Bearer {prepared['token']}"}

    counter = benchdb.ConnectionCounter(database)
    try:
        for key, path in PATHS.items():
            queries = prepared["queries"].get(key, {})
            per_request = queries.get("queries_per_request")
            shown = f", {per_request:.2g} q/req" if per_request is not None else ""
            spec = gunicorn(
                "monopod.wsgi:application",
                workers=bench.config.workers,
                env={**env, "DJANGO_SETTINGS_MODULE": SETTINGS, "DEBUG": "false", "LOG_LEVEL": "INFO"},
            )
            try:
                bench.measure_http(
                    spec,
                    key=key,
                    group=GROUP,
                    label=f"{LABELS[key]}{shown}",
                    path=path.format(pk=prepared["detail_pk"]),
                    host=TENANT_HOST,
                    headers=bearer if path.startswith("/api/") else None,
                    connections=CONNECTIONS,
                    detail={"settings": SETTINGS, "host": TENANT_HOST, "products": PRODUCTS, "cache": cache, **queries},
                    db_connections=counter,
                )
            except BenchError as exc:  # one line failing does not stop the others
                bench.failures.append(Failure(module=f"{TITLE} {key}", message=str(exc)))
                progress(f"  {key} FAILED: {exc}")
    finally:
        counter.close()

    try:
        measure_in_process(bench, env, prepared["detail_pk"])
    except BenchError as exc:
        bench.failures.append(Failure(module=f"{TITLE} in process", message=str(exc)))
        progress(f"  in process FAILED: {exc}")

    list_goal = verdict(bench.get(API_LIST), bench.get(PLAIN_LIST), GOAL_LIST_RATIO)
    detail_goal = verdict(bench.get(API_DETAIL), bench.get(PLAIN_DETAIL), GOAL_DETAIL_RATIO)
    bench.compare(API_LIST, PLAIN_LIST, f"API list vs plain list ({list_goal})")
    bench.compare(API_DETAIL, PLAIN_DETAIL, f"API detail vs plain detail ({detail_goal})")
    bench.compare(IN_PROCESS + API_LIST, IN_PROCESS + PLAIN_LIST, "API list vs plain list, in process")
    bench.compare(IN_PROCESS + API_DETAIL, IN_PROCESS + PLAIN_DETAIL, "API detail vs plain detail, in process")
    bench.compare(IN_PROCESS + "api.list.searched", IN_PROCESS + API_LIST, "API list: filter+ordering+search vs none")


def measure_in_process(bench: BenchRun, env: dict[str, str], detail_pk: int) -> None:
    """Each of ``IN_PROCESS_PATHS`` through the WSGI handler in one process: CPU per request."""
    paths = [arg for key, path in IN_PROCESS_PATHS.items() for arg in ("--path", f"{key}={path.format(pk=detail_pk)}")]
    measured, seconds = run_worker(
        ["-m", "tests.bench.apps.api_worker", "inprocess", "--slug", TENANT_SLUG, *paths],
        database_env=env,
        name="api.inprocess",
        timeout=600,
        settings=SETTINGS,
    )
    progress(f"  in process ({seconds:.1f}s):")
    for key, cpu_ms in measured["cpu_ms"].items():
        bench.record(
            Measurement(
                key=IN_PROCESS + key,
                group=IN_PROCESS_GROUP,
                label=LABELS[key],
                server="WSGI handler, 1 process",
                unit="req/cpu-s",
                rate=1000 / cpu_ms,
                cpu_ms=cpu_ms,
                count=measured["windows"] * measured["requests"],
                detail={"path": IN_PROCESS_PATHS[key].format(pk=detail_pk), "settings": SETTINGS},
            )
        )


def redis_for_cache() -> str | None:
    """``BENCH_REDIS_URL`` (by default db 14 of a local Redis) when a Redis answers there, else None."""
    url = os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL)
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), timeout=1):
            return url
    except OSError:
        return None


def verdict(api: Measurement | None, plain: Measurement | None, goal_ratio: float) -> str:
    """Whether the API line meets its goals: rate ratio against the plain line, and p95."""
    if api is None or plain is None or not plain.rate:
        return "not measured"
    ratio = api.rate / plain.rate
    p95_met = api.p95_ms is not None and api.p95_ms < GOAL_P95_MS
    return (
        f"goal >={goal_ratio:g}: {'met' if ratio >= goal_ratio else 'NOT met'}; "
        f"p95 <{GOAL_P95_MS:g} ms: {'met' if p95_met else 'NOT met'}"
    )
