"""The signup benchmark's worker: provision tenants by each path, then make each one's first request.

``python -m tests.bench.signup_worker`` (``bench_signup.py`` runs it, with ``DATABASE_URL`` the bench
database). For each provisioning path, in this order:

* ``clone``: the warm pool empty, the template schema current;
* ``pool``: the pool filled first (not timed) with one schema per iteration;
* ``migrate``: the template schema dropped, so that each tenant is migrated; the template is made
  again afterwards (not timed);

it times ``tenant_provision(...)`` for a new tenant and then the first authenticated request on its
host, in this process through Django's test client (the whole middleware stack):
``POST /api/v1/auth/token/`` with the admin's e-mail and password, then ``GET /api/v1/auth/me/`` with
the access token. One untimed signup comes first, so imports and caches are warm as in a running web
process.

Where the time goes is recorded too: each provisioning step (the service's own functions, wrapped
with a timer), the queries sent and the process's CPU time; and, once, what hashing one password
costs (the admin's password is hashed at signup and checked again by the token request).

Every tenant made here (slugs ``bench-su-...``) is deleted at the end, and at the start any left by an
interrupted run; the pool is left empty and the template current. Prints one ``BENCH_JSON`` line.
"""

from __future__ import annotations

import argparse
import functools
import secrets
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from tests.bench.tenants_worker import delete_tenants, django_setup, emit, pool_empty, say

PREFIX = "bench-su-"
PATHS = ("clone", "pool", "migrate")


class Steps:
    """Seconds spent in each wrapped function during the current signup (nested calls count in both)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)

    def reset(self) -> None:
        self.seconds.clear()
        self.calls.clear()

    def wrap(self, owner: Any, attribute: str, label: str) -> None:
        original: Callable[..., Any] = getattr(owner, attribute)

        @functools.wraps(original)
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[label] += time.perf_counter() - started
                self.calls[label] += 1

        setattr(owner, attribute, timed)


class QueryCounter:
    """Counts the queries of the default connection and the seconds spent in them (an execute wrapper)."""

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.count += 1
            self.seconds += time.perf_counter() - started

    def reset(self) -> None:
        self.count = 0
        self.seconds = 0.0


def instrument(steps: Steps) -> None:
    from django.contrib.auth import base_user

    from apps.tenants import provisioning, schemas

    # The password hashing of User.set_password (signup) and User.check_password (the token request).
    steps.wrap(base_user, "make_password", "password.hash")
    steps.wrap(base_user, "check_password", "password.check")

    for attribute, label in [
        ("_register", "register"),
        ("_ensure_schema", "schema"),
        ("_claim_pooled_schema", "schema.pool_claim"),
        ("_request_pool_refill", "schema.pool_refill_enqueue"),
        ("_ensure_admin", "admin"),
        ("_activate", "activate"),
    ]:
        steps.wrap(provisioning, attribute, label)
    for attribute, label in [
        ("schema_is_current", "schemas.is_current"),
        ("schema_rename", "schemas.rename"),
        ("schema_clone", "schemas.clone"),
        ("schema_create_migrated", "schemas.create_migrated"),
    ]:
        steps.wrap(schemas, attribute, label)


def hashing_seconds() -> dict[str, float]:
    """What hashing and checking one password costs with the configured hasher."""
    from django.contrib.auth.hashers import check_password, get_hasher, make_password

    password = secrets.token_urlsafe(12)
    started = time.perf_counter()
    encoded = make_password(password)
    made = time.perf_counter() - started
    started = time.perf_counter()
    check_password(password, encoded)
    checked = time.perf_counter() - started
    return {"hash_s": made, "check_s": checked, "hasher": get_hasher().algorithm}  # type: ignore[dict-item]


@contextmanager
def public_schema() -> Iterator[None]:
    from apps.tenants import schemas

    schemas.use_public_schema()
    try:
        yield
    finally:
        schemas.use_public_schema()


def one_signup(slug: str, steps: Steps, queries: QueryCounter) -> dict[str, Any]:
    """Provision ``slug`` and make its first authenticated request; the timings of both."""
    from django.conf import settings
    from django.test import Client

    from apps.tenants.provisioning import tenant_domain_name, tenant_provision

    email = f"admin@{slug}.example.com"
    password = secrets.token_urlsafe(16)
    steps.reset()
    queries.reset()
    cpu_started = time.process_time()
    started = time.perf_counter()
    provisioned = tenant_provision(
        slug=slug, name=f"Bench {slug}", region=settings.REGION, admin_email=email, admin_password=password
    )
    provisioned_at = time.perf_counter()
    provision_queries, provision_query_s = queries.count, queries.seconds

    client = Client(HTTP_HOST=tenant_domain_name(slug))
    token = client.post("/api/v1/auth/token/", {"email": email, "password": password}, content_type="application/json")
    token_at = time.perf_counter()
    if token.status_code != 200:
        raise RuntimeError(f"POST /api/v1/auth/token/ on {slug} answered {token.status_code}: {token.content[:300]!r}")
    access = token.json()["access"]
    me = client.get("/api/v1/auth/me/", HTTP_AUTHORIZATION=f"Bearer {access}")
    finished = time.perf_counter()
    cpu = time.process_time() - cpu_started
    if me.status_code != 200 or me.json().get("email") != email:
        raise RuntimeError(f"GET /api/v1/auth/me/ on {slug} answered {me.status_code}: {me.content[:300]!r}")
    from apps.tenants import schemas

    schemas.use_public_schema()
    return {
        "slug": slug,
        "path": provisioned.path,
        "provision_s": provisioned_at - started,
        "token_s": token_at - provisioned_at,
        "me_s": finished - token_at,
        "first_request_s": finished - provisioned_at,
        "total_s": finished - started,
        "cpu_s": cpu,
        "provision_queries": provision_queries,
        "provision_query_s": provision_query_s,
        "request_queries": queries.count - provision_queries,
        "request_query_s": queries.seconds - provision_query_s,
        "steps": {label: round(seconds, 6) for label, seconds in steps.seconds.items()},
        "step_calls": dict(steps.calls),
    }


def run_path(
    path: str, *, iterations: int, max_seconds: float, run_id: str, steps: Steps, queries: QueryCounter
) -> list[dict[str, Any]]:
    """Up to ``iterations`` signups by ``path`` (at least one), stopping early after ``max_seconds``."""
    from apps.tenants import schemas
    from apps.tenants.provisioning import pool_fill

    with public_schema():
        pool_empty()
        if path == "migrate":
            schemas.schema_drop(schemas.TEMPLATE_SCHEMA)
        else:
            schemas.template_ensure()
        if path == "pool":
            filling = time.perf_counter()
            made = pool_fill(size=iterations)
            say(f"  pool: {made} schemas cloned into the pool in {time.perf_counter() - filling:.1f}s (not timed)")
    results: list[dict[str, Any]] = []
    started = time.perf_counter()
    for number in range(1, iterations + 1):
        if results and time.perf_counter() - started > max_seconds:
            say(f"  {path}: stopped after {len(results)} signups ({max_seconds:.0f}s limit)")
            break
        result = one_signup(f"{PREFIX}{run_id}-{path[0]}{number:02d}", steps, queries)
        if result["path"] != path:
            raise RuntimeError(f"signup {result['slug']} took the {result['path']} path, not {path}")
        results.append(result)
    return results


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.signup_worker")
    parser.add_argument("--pool", type=int, default=10, help="signups by the warm pool (default 10)")
    parser.add_argument("--clone", type=int, default=10, help="signups by template clone (default 10)")
    parser.add_argument("--migrate", type=int, default=3, help="signups by plain migrations (default 3)")
    parser.add_argument("--max-seconds", type=float, default=60.0, help="time limit per path (default 60)")
    parser.add_argument("--cleanup-only", action="store_true", help="delete leftover bench signups and exit")
    args = parser.parse_args(argv)
    if not all(0 <= n <= 50 for n in (args.pool, args.clone, args.migrate)):
        parser.error("iterations must be between 0 and 50")

    django_setup()
    from django.db import connection

    from apps.tenants import schemas

    result: dict[str, Any] = {}
    exit_status = 0
    try:
        with public_schema():
            leftovers = delete_tenants(PREFIX)
            pool_empty()
        if args.cleanup_only:
            result = {"deleted": leftovers}
            return 0
        if leftovers:
            say(f"  deleted {leftovers} tenants left by an earlier run")
        steps, queries = Steps(), QueryCounter()
        instrument(steps)
        connection.execute_wrappers.append(queries)
        run_id = secrets.token_hex(3)
        with public_schema():
            schemas.template_ensure()
        result["hashing"] = hashing_seconds()
        result["warmup"] = one_signup(f"{PREFIX}{run_id}-w", steps, queries)
        result["paths"] = {}
        for path, iterations in (("clone", args.clone), ("pool", args.pool), ("migrate", args.migrate)):
            if iterations:
                say(f"  {path}: {iterations} signups")
                result["paths"][path] = run_path(
                    path,
                    iterations=iterations,
                    max_seconds=args.max_seconds,
                    run_id=run_id,
                    steps=steps,
                    queries=queries,
                )
    except Exception as exc:  # noqa: BLE001 - reported to the parent as JSON, traceback on stderr
        import traceback

        traceback.print_exc()
        result = {"error": f"{type(exc).__name__}: {exc}"}
        exit_status = 1
    finally:
        try:
            with public_schema():
                result["deleted"] = delete_tenants(PREFIX)
                result["pool_dropped"] = pool_empty()
                restoring = time.perf_counter()
                schemas.template_ensure()
                result["template_restore_s"] = time.perf_counter() - restoring
        except Exception as exc:  # noqa: BLE001 - the cleanup's failure is reported too
            import traceback

            traceback.print_exc()
            result["error"] = (result.get("error", "") + f"; cleanup failed: {type(exc).__name__}: {exc}").lstrip("; ")
            exit_status = 1
        emit(result)
    return exit_status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
