"""What the region logic costs a page: the dashboard and a form page, with and without it.

The region logic is the region middleware (the tenant's bundle, its time zone, the language choice and
``request.features``, whose overrides come from the cache) and the region context processor (``region``,
``low_bandwidth`` and the consent state, both asked by the base layout, the consent from the cache). The
pages are MonoPod's dashboard (``/``) and the organisation's region form (``/settings/organisation/``),
served to a signed-in Admin of a tenant in region ``eu`` (the region that asks for consent) of the bench
database (``bench-regions.localhost``, made once and kept):

* with the region logic: settings ``tests.bench.apps.regions_settings``;
* without it: the same settings with ``BENCH_REGIONS=off``, the middleware and the context processor
  taken out, on the same host and session.

Every line runs under gunicorn with sync workers, ``LOG_LEVEL=WARNING``. Server time is CPU time per
request of the server's processes when it can be read, else the inverse of the rate. The queries per
request are counted in a worker process (Django's test client) for each variant.

The goal: a page with the region logic takes at most 1.5 times the server time of the same page
without it.

``python -m tests.bench.bench_regions prepare --slug S`` is the worker side (Django set up): it makes the
tenant's schema current (the features tables), puts the tenant in ``eu``, makes the Admin and a session.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from tests.bench import benchdb
from tests.bench.bench_api import redis_for_cache
from tests.bench.harness import BenchError, BenchRun, Failure, Measurement, gunicorn, progress
from tests.bench.tenants_worker import django_setup, emit_result, run_worker, say

TITLE = "regions"
GROUP = "regions: pages with and without the region middleware and context processor"
SETTINGS = "tests.bench.apps.regions_settings"
MODULE = "tests.bench.bench_regions"
TENANT_SLUG = "bench-regions"
TENANT_HOST = f"{TENANT_SLUG}.localhost"
REGION = "eu"
ADMIN_EMAIL = f"admin@{TENANT_SLUG}.example.com"
GOAL_RATIO = 1.5

PAGES = {"dashboard": "/", "form": "/settings/organisation/"}
VARIANTS = {"on": "region logic on", "off": "region logic off"}


def key_of(page: str, variant: str) -> str:
    return f"regions.{page}.{variant}"


def run(bench: BenchRun) -> None:
    database = benchdb.for_run(bench)
    redis_url = redis_for_cache()
    env = {**database.server_env(), "BENCH_REDIS_URL": redis_url or ""}
    made, seconds = run_worker(
        ["-m", "tests.bench.tenants_worker", "ensure", "--slug", TENANT_SLUG],
        database_env=database.server_env(),
        name="regions.ensure",
        timeout=300,
    )
    progress(f"  tenant {TENANT_HOST}: {'made' if made['made'] else 'reused'} ({seconds:.1f}s)")
    prepared, seconds = run_worker(
        ["-m", MODULE, "prepare", "--slug", TENANT_SLUG],
        database_env={**env, "BENCH_REGIONS": "on"},
        name="regions.prepare",
        timeout=300,
        settings=SETTINGS,
    )
    progress(f"  region {REGION}, Admin signed in ({seconds:.1f}s)")
    cookie = {"Cookie": f"sessionid={prepared['session']}"}

    counter = benchdb.ConnectionCounter(database)
    try:
        for variant, variant_label in VARIANTS.items():
            variant_env = {**env, "BENCH_REGIONS": variant}
            queries = count_queries(variant_env, prepared["session"], variant)
            for page, path in PAGES.items():
                key = key_of(page, variant)
                counted = queries.get(page, {})
                per_request = counted.get("queries_per_request")
                shown = f", {per_request:.2g} q/req" if per_request is not None else ""
                spec = gunicorn(
                    "monopod.wsgi:application",
                    workers=bench.config.workers,
                    env={**variant_env, "DJANGO_SETTINGS_MODULE": SETTINGS, "DEBUG": "false", "LOG_LEVEL": "WARNING"},
                )
                try:
                    bench.measure_http(
                        spec,
                        key=key,
                        group=GROUP,
                        label=f"{page}, {variant_label}{shown}",
                        path=path,
                        host=TENANT_HOST,
                        headers=cookie,
                        detail={"settings": SETTINGS, "host": TENANT_HOST, "region": REGION, **counted},
                        db_connections=counter,
                    )
                except BenchError as exc:  # one line failing does not stop the others
                    bench.failures.append(Failure(module=f"{TITLE} {key}", message=str(exc)))
                    progress(f"  {key} FAILED: {exc}")
    finally:
        counter.close()

    for page in PAGES:
        on, off = key_of(page, "on"), key_of(page, "off")
        bench.compare(on, off, f"{page}: with vs without region logic ({verdict(bench.get(on), bench.get(off))})")


def count_queries(env: dict[str, str], session: str, variant: str) -> dict[str, Any]:
    try:
        result, _ = run_worker(
            ["-m", MODULE, "queries", "--slug", TENANT_SLUG, "--session", session],
            database_env=env,
            name=f"regions.queries.{variant}",
            timeout=120,
            settings=SETTINGS,
        )
    except BenchError as exc:
        progress(f"  {variant}: queries not counted: {exc}")
        return {}
    return result


def verdict(with_logic: Measurement | None, without: Measurement | None) -> str:
    """Server time with the region logic over without it: CPU per request when measured, else the rate."""
    if with_logic is None or without is None or not with_logic.rate:
        return "not measured"
    if with_logic.cpu_ms and without.cpu_ms:
        ratio, basis = with_logic.cpu_ms / without.cpu_ms, "cpu"
    else:
        ratio, basis = without.rate / with_logic.rate, "rate"
    return f"goal <={GOAL_RATIO:g}x: {'met' if ratio <= GOAL_RATIO else 'NOT met'}, {ratio:.2f}x {basis}"


# --- Worker side (Django set up) -----------------------------------------------------------------


def prepare(slug: str) -> dict[str, Any]:
    """The tenant current and in ``eu``, its Admin, and a session of the Admin's."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django_tenants.utils import tenant_context

    from apps.identity.models import User
    from apps.identity.roles import ADMIN, role_group
    from apps.tenants import schemas
    from apps.tenants.models import Tenant

    tenant = Tenant.objects.get(slug=slug)
    if not schemas.schema_is_current(tenant.schema_name):
        schemas.migrate(tenant.schema_name)
        say("tenant schema migrated")
    Tenant.objects.filter(pk=tenant.pk).update(region=REGION)
    with tenant_context(tenant):
        user, made = User.objects.get_or_create(email=ADMIN_EMAIL, defaults={"full_name": "Admin", "is_staff": True})
        if made:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        user.groups.add(role_group(ADMIN))
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.save()
    return {"session": session.session_key}


def queries(slug: str, session: str, requests: int = 20) -> dict[str, Any]:
    """Queries of each page's first request and per request after it, through the whole stack."""
    from django.db import connection
    from django.test import Client

    from apps.tenants.provisioning import tenant_domain_name

    counted = [0]

    def counter(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        counted[0] += 1
        return execute(sql, params, many, context)

    client = Client(HTTP_HOST=tenant_domain_name(slug))
    client.cookies["sessionid"] = session
    result = {}
    for page, path in PAGES.items():
        counted[0] = 0
        with connection.execute_wrapper(counter):
            statuses = {client.get(path).status_code}
            first = counted[0]
            for _ in range(requests):
                statuses.add(client.get(path).status_code)
        if statuses != {200}:
            raise RuntimeError(f"GET {path} answered {sorted(statuses)}")
        result[page] = {"first_request_queries": first, "queries_per_request": (counted[0] - first) / requests}
    return result


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog=f"python -m {MODULE}")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("prepare").add_argument("--slug", required=True)
    queries_parser = commands.add_parser("queries")
    queries_parser.add_argument("--slug", required=True)
    queries_parser.add_argument("--session", required=True)
    args = parser.parse_args(argv)
    django_setup()
    if args.command == "prepare":
        return emit_result(lambda: prepare(args.slug))
    return emit_result(lambda: queries(args.slug, args.session))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
