"""Django side of the API benchmark, in a process of its own against the bench database.

``python -m tests.bench.apps.api_worker prepare --slug S --products N`` under
``tests.bench.apps.api_settings`` (``tests.bench.tenants_worker.run_worker()`` sets the environment),
once the tenant exists (``tenants_worker ensure``):

* migrates the catalog into the tenant's schema when it lacks it (the bench template has no catalog);
* seeds N products (``SKU-00000``...) when the table holds anything else, ids 1 to N;
* makes a reader (``reader@<slug>.example.com``, Viewer role, no password) and mints a bearer token;
* counts the queries of each benchmarked request through the whole stack (Django's test client), with
  the token on ``/api/`` paths: the first, and the average of those after it.

Prints one ``BENCH_JSON {...}`` line: the token, the detail's product id and the counts.

``python -m tests.bench.apps.api_worker inprocess --slug S --path NAME=PATH ...`` measures each request
(a path, with its query string if any) in process: Django's WSGI handler called directly, as gunicorn
calls it, with the access line written (to nowhere) at ``LOG_LEVEL=INFO``. It prints the least CPU time
per request over five windows of 200, in milliseconds: what a request costs the worker without the
server, the network and the other processes on the machine.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
from collections.abc import Mapping
from typing import Any

from tests.bench.tenants_worker import django_setup, emit_result, say

READER_EMAIL = "reader@{slug}.example.com"
PAGE_SIZE = 50


def catalog_ensure(schema_name: str) -> bool:
    """Migrate the schema when a migration of the installed apps (the catalog's) is missing."""
    from apps.tenants import schemas

    if schemas.schema_is_current(schema_name):
        return False
    schemas.migrate(schema_name)
    return True


def products_seed(count: int) -> bool:
    """Exactly ``count`` products with ids 1 to ``count``, made anew unless already so; in the current schema."""
    from decimal import Decimal

    from django.db import connection

    from tests.catalog.models import Product

    if Product.objects.count() == count and Product.objects.filter(pk=count, sku=f"SKU-{count - 1:05d}").exists():
        return False
    with connection.cursor() as cursor:  # no delete signals: the audit trail need not hear of bench rows
        cursor.execute("TRUNCATE catalog_product RESTART IDENTITY")
    categories = list(Product.Category)
    Product.objects.bulk_create(
        (
            Product(
                sku=f"SKU-{n:05d}",
                name=f"Bench product {n}",
                description=f"Product number {n} of the API benchmark, with a short description.",
                category=categories[n % len(categories)],
                unit_price=Decimal(n % 997) + Decimal("0.99"),
                quantity=n % 250,
                active=n % 10 != 0,
            )
            for n in range(count)
        ),
        batch_size=500,
    )
    return True


def reader_token(slug: str) -> str:
    """A bearer token of a Viewer (who may view products) of the current tenant."""
    from apps.identity.models import User
    from apps.identity.roles import VIEWER, ensure_roles, role_group
    from apps.identity.tokens import TenantRefreshToken

    ensure_roles()  # grants view_product, should the catalog have come after the roles were made
    user, made = User.objects.get_or_create(email=READER_EMAIL.format(slug=slug), defaults={"full_name": "Reader"})
    if made:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    user.groups.add(role_group(VIEWER))
    return str(TenantRefreshToken.for_user(user).access_token)


def count_queries(host: str, path: str, headers: Mapping[str, str], requests: int) -> dict[str, Any]:
    """Queries of the first request and per request after it, through the whole middleware stack."""
    from django.db import connection
    from django.test import Client

    counted = [0]

    def counter(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        counted[0] += 1
        return execute(sql, params, many, context)

    client = Client(HTTP_HOST=host, headers=dict(headers))
    with connection.execute_wrapper(counter):
        first = client.get(path)
        first_queries = counted[0]
        statuses = {first.status_code}
        for _ in range(requests):
            statuses.add(client.get(path).status_code)
    if statuses != {200}:
        raise RuntimeError(f"GET {path} on {host} answered {sorted(statuses)}")
    return {"first_request_queries": first_queries, "queries_per_request": (counted[0] - first_queries) / requests}


def prepare(slug: str, products: int, paths: Mapping[str, str]) -> dict[str, Any]:
    from django_tenants.utils import tenant_context

    from apps.tenants.models import Tenant
    from apps.tenants.provisioning import tenant_domain_name

    tenant = Tenant.objects.get(slug=slug)
    migrated = catalog_ensure(tenant.schema_name)
    with tenant_context(tenant):
        seeded = products_seed(products)
        token = reader_token(slug)
    detail_pk = products // 2
    say(f"catalog {'migrated' if migrated else 'present'}, products {'seeded' if seeded else 'kept'}")
    host = tenant_domain_name(slug)
    bearer = {"Authorization": f"Bearer {token}"}
    queries = {
        name: count_queries(host, path.format(pk=detail_pk), bearer if path.startswith("/api/") else {}, 50)
        for name, path in paths.items()
    }
    return {"token": token, "detail_pk": detail_pk, "host": host, "seeded": seeded, "queries": queries}


IN_PROCESS_WARMUP = 50
IN_PROCESS_WINDOWS = 5
IN_PROCESS_REQUESTS = 200


def wsgi_caller(host: str, headers: Mapping[str, str]) -> Any:
    """A function that GETs a path (``/p/?q=1``) through Django's WSGI handler; returns its status."""
    from django.core.handlers.wsgi import WSGIHandler

    handler = WSGIHandler()
    extra = {"HTTP_" + name.upper().replace("-", "_"): value for name, value in headers.items()}

    def get(target: str) -> str:
        path, _, query = target.partition("?")
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_NAME": host,
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": host,
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.errors": sys.stderr,
            "wsgi.url_scheme": "http",
            **extra,
        }
        status: list[str] = []
        response = handler(environ, lambda line, _headers, _exc_info=None: status.append(line))
        for _chunk in response:
            pass
        response.close()
        return status[0]

    return get


def in_process(slug: str, paths: Mapping[str, str]) -> dict[str, Any]:
    import logging

    from django_tenants.utils import tenant_context

    from apps.tenants.models import Tenant
    from apps.tenants.provisioning import tenant_domain_name

    tenant = Tenant.objects.get(slug=slug)
    with tenant_context(tenant):
        token = reader_token(slug)
    nowhere = open(os.devnull, "w")  # noqa: SIM115 - for the life of the process
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(nowhere)  # formatted and written as served, read by no one
    host = tenant_domain_name(slug)
    api_get = wsgi_caller(host, {"Authorization": f"Bearer {token}"})
    plain_get = wsgi_caller(host, {})
    cpu_ms: dict[str, float] = {}
    for name, target in paths.items():
        get = api_get if target.startswith("/api/") else plain_get
        statuses = {get(target) for _ in range(IN_PROCESS_WARMUP)}
        if statuses != {"200 OK"}:
            raise RuntimeError(f"GET {target} on {host} answered {sorted(statuses)}")
        windows = []
        for _ in range(IN_PROCESS_WINDOWS):
            started = time.process_time()
            for _ in range(IN_PROCESS_REQUESTS):
                get(target)
            windows.append((time.process_time() - started) * 1000 / IN_PROCESS_REQUESTS)
        cpu_ms[name] = min(windows)
        say(f"{name} {target}: {cpu_ms[name]:.3f} cpu ms per request")
    return {"cpu_ms": cpu_ms, "windows": IN_PROCESS_WINDOWS, "requests": IN_PROCESS_REQUESTS}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.apps.api_worker")
    commands = parser.add_subparsers(dest="command", required=True)
    prepare_parser = commands.add_parser("prepare")
    prepare_parser.add_argument("--slug", required=True)
    prepare_parser.add_argument("--products", type=int, default=1000)
    prepare_parser.add_argument(
        "--path", action="append", default=[], metavar="NAME=PATH", help="a request to count ({pk}: the detail's id)"
    )
    in_process_parser = commands.add_parser("inprocess")
    in_process_parser.add_argument("--slug", required=True)
    in_process_parser.add_argument("--path", action="append", default=[], metavar="NAME=PATH", help="a request")
    args = parser.parse_args(argv)
    paths = dict(item.split("=", 1) for item in args.path)
    if args.command == "inprocess":
        os.environ["LOG_LEVEL"] = "INFO"  # as the servers run: the access line is written for each request
        django_setup()
        return emit_result(lambda: in_process(args.slug, paths))
    django_setup()
    return emit_result(lambda: prepare(args.slug, max(PAGE_SIZE, min(args.products, 100_000)), paths))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
