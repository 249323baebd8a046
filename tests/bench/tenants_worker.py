"""Django-side helpers of the benchmarks, run in a process of their own against the bench database.

``python -m tests.bench.tenants_worker <command>`` with ``DATABASE_URL`` set to the bench database
(``run_worker()`` below sets the environment). Commands:

* ``ensure --slug S ... | --prefix P --count N``: make the named tenants if they do not exist yet (the
  provisioning service, without a password: no hashing), and finish any left in ``provisioning``;
* ``cleanup --prefix P``: delete every tenant whose slug starts with ``P`` (schema, domains and row)
  and empty the warm pool;
* ``migrate --command monopod|django-tenants``: run MonoPod's ``migrate_schemas`` or django-tenants' own
  ``MigrateSchemasCommand``, in this process, and time it;
* ``queries --host H --path P``: count the queries of requests through the whole middleware stack.

Each prints one ``BENCH_JSON {...}`` line on stdout. Importing this module does not set Django up: the
benchmark modules use ``run_worker()`` from here.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from tests.bench.harness import JSON_MARKER, LOGS_DIR, PROJECT_ROOT, BenchError

WORKER_SETTINGS = "tests.bench.apps.signup_settings"
ENSURE_MAX_SECONDS = 600.0


# --- Parent side (the benchmark modules) ---------------------------------------------------------


def worker_env(database_env: Mapping[str, str], settings: str = WORKER_SETTINGS) -> dict[str, str]:
    """The environment of a worker: the bench database, the given settings, DEBUG off, warnings only."""
    return {
        **os.environ,
        **database_env,
        "DJANGO_SETTINGS_MODULE": settings,
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }


def run_worker(
    argv: Sequence[str],
    *,
    database_env: Mapping[str, str],
    name: str,
    timeout: float,
    settings: str = WORKER_SETTINGS,
    expect_json: bool = True,
) -> tuple[dict[str, Any], float]:
    """Run ``python <argv>`` (``-m tests.bench.<worker> ...``, ``manage.py ...``) in the project root.

    Returns its ``BENCH_JSON`` result (empty without ``expect_json``) and the process's wall seconds.
    Its stderr goes to ``results/logs/<name>.log``; a failure raises BenchError with the log's tail.
    """
    LOGS_DIR.mkdir(parents=True, exist_ok=True)
    log_path = LOGS_DIR / f"{name}.log"
    command = " ".join(argv)
    started = time.perf_counter()
    with log_path.open("w") as log:
        try:
            done = subprocess.run(
                [sys.executable, *argv],
                cwd=PROJECT_ROOT,
                env=worker_env(database_env, settings),
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise BenchError(f"{command} did not finish within {timeout:.0f}s") from exc
    seconds = time.perf_counter() - started
    result: dict[str, Any] | None = None if expect_json else {}
    for line in done.stdout.splitlines():
        if line.startswith(JSON_MARKER):
            result = json.loads(line[len(JSON_MARKER) :])
    if done.returncode != 0 or result is None or result.get("error"):
        error = (result or {}).get("error") or f"exit status {done.returncode}"
        raise BenchError(f"{command} failed: {error}\n{log_tail(log_path)}")
    return result, seconds


def log_tail(path: Path, lines: int = 8, width: int = 400) -> str:
    try:
        text = path.read_text(errors="replace").strip().splitlines()
    except OSError:
        return "(no log)"
    tail = [line if len(line) <= width else line[:width] + " ..." for line in text[-lines:]]
    return "\n".join(tail) + f"\n(full log: {path})" if tail else f"(empty log: {path})"


def emit(result: Mapping[str, Any]) -> None:
    print(JSON_MARKER + json.dumps(result), flush=True)


def emit_result(produce: Callable[[], Mapping[str, Any]]) -> int:
    """Emit what ``produce()`` returns (exit status 0); a failure goes to the parent as JSON, traceback on stderr."""
    try:
        emit(produce())
    except Exception as exc:  # noqa: BLE001 - reported to the parent as JSON, traceback on stderr
        traceback.print_exc()
        emit({"error": f"{type(exc).__name__}: {exc}"})
        return 1
    return 0


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- Worker side (Django set up) -----------------------------------------------------------------


def django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", WORKER_SETTINGS)
    import django

    django.setup()


def bench_tenant_slugs(prefix: str) -> list[str]:
    from apps.tenants.models import Tenant

    return list(Tenant.objects.filter(slug__startswith=prefix).order_by("slug").values_list("slug", flat=True))


def delete_tenants(prefix: str) -> int:
    """Delete the tenants whose slug starts with ``prefix``; returns how many."""
    if not prefix.startswith("bench-"):
        raise ValueError(f"refusing to delete tenants outside the bench's own prefixes: {prefix!r}")
    slugs = bench_tenant_slugs(prefix)
    for slug in slugs:
        delete_tenant(slug)
    return len(slugs)


def delete_tenant(slug: str) -> None:
    """Delete one tenant: schema, files and domains (the service), then its row."""
    from apps.tenants.models import Tenant
    from apps.tenants.services import tenant_delete

    tenant = Tenant.objects.filter(slug=slug).first()
    if tenant is not None:
        tenant_delete(tenant=tenant)
        Tenant.objects.filter(pk=tenant.pk).delete()


def pool_empty() -> int:
    """Drop every warm-pool schema, listed or left behind by an interrupted clone; returns how many."""
    from django.db import connection
    from django_tenants.utils import schema_context

    from apps.tenants import schemas
    from apps.tenants.models import PooledSchema

    with schema_context("public"):
        listed = set(PooledSchema.objects.values_list("schema_name", flat=True))
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nspname FROM pg_namespace WHERE starts_with(nspname, %s)",
                [schemas.POOL_PREFIX],
            )
            found = {str(row[0]) for row in cursor.fetchall()}
        for name in sorted(listed | found):
            schemas.schema_drop(name)
        PooledSchema.objects.all().delete()
    return len(listed | found)


def ensure_tenants(slugs: Sequence[str]) -> dict[str, Any]:
    """Provision each missing tenant (clone or pool path; no password, so no hashing)."""
    from django.conf import settings

    from apps.tenants import schemas
    from apps.tenants.choices import TenantStatus
    from apps.tenants.models import Tenant
    from apps.tenants.provisioning import tenant_provision

    started = time.perf_counter()
    schemas.template_ensure()
    existing = {t.slug: t.status for t in Tenant.objects.filter(slug__in=slugs)}
    made = 0
    for slug in slugs:
        status = existing.get(slug)
        if status == TenantStatus.ACTIVE:
            continue
        if status is not None and status != TenantStatus.PROVISIONING:
            delete_tenant(slug)  # deleted or suspended by hand: start again
        if time.perf_counter() - started > ENSURE_MAX_SECONDS:
            raise RuntimeError(f"making {len(slugs)} tenants took more than {ENSURE_MAX_SECONDS:.0f}s")
        tenant_provision(
            slug=slug,
            name=f"Bench {slug}",
            region=settings.REGION,
            admin_email=f"admin@{slug}.example.com",
            admin_password=None,
        )
        made += 1
    schemas.use_public_schema()
    return {"made": made, "existing": len(slugs) - made, "seconds": time.perf_counter() - started}


def migrate_in_process(command: str) -> dict[str, Any]:
    """Time one ``migrate_schemas`` (shared and every tenant) in this process, imports done beforehand."""
    from django.core.management import call_command
    from django.db import connection
    from django_tenants.management.commands.migrate_schemas import MigrateSchemasCommand

    from apps.tenants.management.commands.migrate_schemas import Command as MonoPodCommand
    from apps.tenants.models import PooledSchema, Tenant

    tenants = list(Tenant.objects.exclude(schema_name="public").values_list("schema_name", "status"))
    pooled = PooledSchema.objects.count()
    instance = MonoPodCommand() if command == "monopod" else MigrateSchemasCommand()
    started = time.perf_counter()
    call_command(instance, interactive=False, verbosity=0)
    seconds = time.perf_counter() - started
    connection.close()
    return {"command": command, "seconds": seconds, "tenants": len(tenants), "pooled": pooled}


def count_queries(host: str, path: str, requests: int) -> dict[str, Any]:
    """Queries per request through the whole middleware stack (Django's test client, this process):
    the first request (host not cached yet) and the ``requests`` after it."""
    from django.db import connection
    from django.test import Client

    counted: list[int] = [0]

    def counter(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        counted[0] += 1
        return execute(sql, params, many, context)

    client = Client(HTTP_HOST=host)
    with connection.execute_wrapper(counter):
        first = client.get(path)
        first_queries = counted[0]
        statuses = {first.status_code}
        for _ in range(requests):
            statuses.add(client.get(path).status_code)
    if statuses != {200}:
        raise RuntimeError(f"GET {path} on {host} answered {sorted(statuses)}")
    return {
        "first_request_queries": first_queries,
        "queries_per_request": (counted[0] - first_queries) / requests,
        "requests": requests,
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.tenants_worker")
    commands = parser.add_subparsers(dest="command", required=True)
    ensure = commands.add_parser("ensure")
    ensure.add_argument("--slug", action="append", default=[])
    ensure.add_argument("--prefix", default="")
    ensure.add_argument("--count", type=int, default=0)
    cleanup = commands.add_parser("cleanup")
    cleanup.add_argument("--prefix", required=True)
    migrate = commands.add_parser("migrate")
    migrate.add_argument("--command", dest="which", choices=["monopod", "django-tenants"], required=True)
    queries = commands.add_parser("queries")
    queries.add_argument("--host", required=True)
    queries.add_argument("--path", required=True)
    queries.add_argument("--requests", type=int, default=200)
    args = parser.parse_args(argv)

    django_setup()

    def produce() -> Mapping[str, Any]:
        if args.command == "ensure":
            slugs = list(args.slug) + [f"{args.prefix}{n:02d}" for n in range(1, args.count + 1)]
            return ensure_tenants(slugs)
        if args.command == "cleanup":
            return {"deleted": delete_tenants(args.prefix), "pool_dropped": pool_empty()}
        if args.command == "queries":
            return count_queries(args.host, args.path, max(1, min(args.requests, 10_000)))
        return migrate_in_process(args.which)

    return emit_result(produce)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
