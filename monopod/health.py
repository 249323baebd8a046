"""Liveness, readiness and startup probes.

``/health/live`` does no I/O: the process answers. ``/health/ready`` checks the database, the cache,
the broker and the outbox's lag (``OUTBOX_LAG_READY_SECONDS``) and answers 503 naming what failed.
``/health/startup`` answers 200 once the shared schema is fully migrated, and remembers that for the
life of the process.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import connection, router
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

from apps.events.metrics import outbox_backlog
from monopod.celery import app as celery_app
from monopod.celery import queue_folders

CHECK_TIMEOUT_SECONDS = 2.0


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def check_cache() -> None:
    # A key of its own per check: concurrent probes must not read each other's value.
    key, token = f"health:ready:{secrets.token_hex(8)}", secrets.token_hex(8)
    cache.set(key, token, timeout=10)
    try:
        if cache.get(key) != token:
            raise RuntimeError("value written was not read back")
    finally:
        cache.delete(key)


def check_broker() -> None:
    for folder in queue_folders():
        if not os.access(folder, os.W_OK):
            raise RuntimeError(f"queue folder {folder} is not writable")
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=CHECK_TIMEOUT_SECONDS)


def check_outbox() -> None:
    limit = settings.OUTBOX_LAG_READY_SECONDS
    if limit is None:  # not checked (e.g. where no relay runs)
        return
    lag = outbox_backlog().lag_seconds
    if lag > limit:
        raise RuntimeError(f"oldest pending event is {lag:.0f}s old (limit {limit}s)")


READINESS_CHECKS: dict[str, Callable[[], None]] = {
    "database": check_database,
    "cache": check_cache,
    "broker": check_broker,
    "outbox": check_outbox,
}


def _describe(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


@never_cache
def live(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
def ready(request: HttpRequest) -> JsonResponse:
    results: dict[str, str] = {}
    for name, check in READINESS_CHECKS.items():
        try:
            check()
        except Exception as exc:  # noqa: BLE001 - any failure makes the instance unready
            results[name] = _describe(exc)
        else:
            results[name] = "ok"
    failed = sorted(name for name, result in results.items() if result != "ok")
    status = 503 if failed else 200
    return JsonResponse({"status": "fail" if failed else "ok", "checks": results, "failed": failed}, status=status)


_started = False


@never_cache
def startup(request: HttpRequest) -> JsonResponse:
    global _started
    if not _started:
        try:
            executor = MigrationExecutor(connection)
            plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
            pending = [m for m, _ in plan if router.allow_migrate(connection.alias, m.app_label)]
        except Exception as exc:  # noqa: BLE001 - not started until the database answers
            return JsonResponse({"status": "starting", "reason": _describe(exc)}, status=503)
        if pending:
            return JsonResponse({"status": "starting", "reason": f"{len(pending)} migrations pending"}, status=503)
        _started = True
    return JsonResponse({"status": "ok", "region": settings.REGION})
