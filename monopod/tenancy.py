"""Tenant resolution by host name, for HTTP requests and websockets."""

from __future__ import annotations

import time
from typing import Any, cast

from channels.db import database_sync_to_async
from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.shortcuts import render
from django_tenants.middleware.main import TenantMainMiddleware
from django_tenants.utils import get_public_schema_name, get_tenant_domain_model, remove_www, schema_context

from monopod.api import error_response

# Operational endpoints answer on any allowed host, without looking the host up.
OPERATIONAL_PREFIXES = ("/health/", "/metrics")


class TenantCache:
    """Host name to tenant, per process, so that a request does not look its tenant up every time.

    Entries live ``TENANT_CACHE_SECONDS``; any change to a tenant or domain empties this process's
    cache at once (signals), and other processes see it within that many seconds.
    """

    def __init__(self) -> None:
        self._entries: dict[str, tuple[float, Any]] = {}

    def get(self, hostname: str) -> Any | None:
        entry = self._entries.get(hostname)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def put(self, hostname: str, tenant: Any) -> None:
        if len(self._entries) >= MAX_CACHED_HOSTS:
            self._entries.clear()
        self._entries[hostname] = (time.monotonic() + settings.TENANT_CACHE_SECONDS, tenant)

    def clear(self, **kwargs: Any) -> None:
        self._entries.clear()


tenant_cache = TenantCache()
# Schema name to tenant, for tasks: tenant-schemas-celery looks a task's tenant up by its schema before
# every task (monopod.celery.MonoPodTask keeps its answers here).
schema_tenant_cache = TenantCache()


def tenant_caches_clear(**kwargs: Any) -> None:
    tenant_cache.clear()
    schema_tenant_cache.clear()


MAX_CACHED_HOSTS = 10_000


class TenantMiddleware(TenantMainMiddleware):
    """django-tenants' host routing, with a clear page for unknown hosts and host-free probes.

    A tenant that is not serving (provisioning, suspended, deleted) answers 403: a page for people,
    the error envelope for the API. Probes still answer.
    """

    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        if request.path.startswith(OPERATIONAL_PREFIXES):
            # Probes and metrics must not depend on the database, nor on the host being a tenant's.
            try:
                request.get_host()
            except DisallowedHost:
                return HttpResponseNotFound()
            cast(Any, connection).set_schema_to_public()
            self.setup_url_routing(request=request, force_public=True)
            return None
        response: HttpResponse | None = super().process_request(request)
        if response is not None:
            return response
        tenant = getattr(request, "tenant", None)
        if tenant is None or tenant.is_serving():
            return None
        return tenant_unavailable(request, tenant)

    def get_tenant(self, domain_model: Any, hostname: str) -> Any:
        tenant = tenant_cache.get(hostname)
        if tenant is None:
            tenant = super().get_tenant(domain_model, hostname)
            tenant_cache.put(hostname, tenant)
        return tenant

    def no_tenant_found(self, request: HttpRequest, hostname: str) -> HttpResponse:
        return render(request, "tenants/not_found.html", {"hostname": hostname}, status=404)


def tenant_unavailable(request: HttpRequest, tenant: Any) -> HttpResponse:
    message = f"This organisation is {tenant.status}; contact its administrator."
    if request.path.startswith("/api/"):
        return error_response(status_code=403, code=f"TENANT_{tenant.status.upper()}", message=message)
    return render(request, "tenants/unavailable.html", {"tenant": tenant, "message": message}, status=403)


def tenant_for_host(host: str) -> Any | None:
    """The tenant serving ``host`` (port and www. ignored), or None."""
    hostname = remove_www(host.split(":")[0].lower())
    domain = get_tenant_domain_model().objects.select_related("tenant").filter(domain=hostname).first()
    return domain.tenant if domain else None


class TenantWebsocketMiddleware:
    """ASGI middleware: resolves the tenant from the Host header into ``scope["tenant"]``.

    Unknown hosts are refused before the consumer runs. Consumers that touch the database must
    enter ``tenant_context(scope["tenant"])`` around their queries.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        headers = dict(scope.get("headers", []))
        host = headers.get(b"host", b"").decode("latin-1")
        tenant = await database_sync_to_async(self._lookup)(host)
        if tenant is None:
            await send({"type": "websocket.close", "code": 4404})
            return None
        return await self.app({**scope, "tenant": tenant}, receive, send)

    @staticmethod
    def _lookup(host: str) -> Any | None:
        with schema_context(get_public_schema_name()):
            return tenant_for_host(host)
