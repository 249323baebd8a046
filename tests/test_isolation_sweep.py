"""Every URL of the tenant site, swept with another tenant's credentials.

For each named route of ``monopod.urls_tenant`` (admin included), a request on globex's host carrying
acme's session cookie, JWT or API key must get exactly what an anonymous request gets, and must never
show acme's data. The routes are read from the URL conf, so a new endpoint is swept without anyone
remembering to add it. The tenants' user ids collide (both schemas come from one template).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import NoReverseMatch, get_resolver, reverse
from django.urls.resolvers import URLResolver
from django_tenants.utils import tenant_context
from rest_framework_simplejwt.tokens import RefreshToken

from apps.identity.models import User
from apps.identity.services import api_key_create

URLCONF = "monopod.urls_tenant"
# Host-agnostic on purpose: probes and metrics (tests/platform/test_health.py).
OPERATIONAL = {"health-live", "health-ready", "health-startup", "prometheus-django-metrics"}
SAMPLE_ARGUMENTS = {
    "app_label": "identity",
    "object_type": "identity.user",
    "object_id": "1",
    "pk": "1",
    "id": "1",
    "content_type_id": "1",
}


def route_names(resolver: URLResolver, prefix: str = "") -> Iterator[str]:
    for key in resolver.reverse_dict:
        if isinstance(key, str):
            yield prefix + key
    for namespace, (_, child) in resolver.namespace_dict.items():
        yield from route_names(child, f"{prefix}{namespace}:")


def sample_path(name: str) -> str:
    """A concrete path for the route, with ids that exist in both tenants."""
    resolver = get_resolver(URLCONF)
    *namespaces, leaf = name.split(":")
    for namespace in namespaces:
        resolver = resolver.namespace_dict[namespace][1]
    for possibility, *_ in resolver.reverse_dict.getlist(leaf):
        params = possibility[0][1]
        try:
            return reverse(name, urlconf=URLCONF, kwargs={p: SAMPLE_ARGUMENTS.get(p, "1") for p in params})
        except NoReverseMatch:
            continue
    raise AssertionError(f"cannot make a sample path for route {name!r}: add its arguments to SAMPLE_ARGUMENTS")


SWEPT = sorted({sample_path(name) for name in route_names(get_resolver(URLCONF)) if name not in OPERATIONAL})


@pytest.fixture
def acme_credentials(tenant, other_tenant) -> dict[str, dict[str, Any]]:
    """acme's founder signed in three ways; globex's founder has the very same user id."""
    founder = User.objects.get(email="founder@acme.test")
    with tenant_context(other_tenant):
        assert User.objects.get(email="founder@globex.test").pk == founder.pk
    browser = Client(HTTP_HOST="acme.localhost")
    browser.force_login(founder)
    _, raw_key = api_key_create(name="sweep", scopes=["identity:read"], user=founder)
    access = str(RefreshToken.for_user(founder).access_token)
    return {
        "session": {"cookies": {"sessionid": browser.cookies["sessionid"].value}},
        "jwt": {"headers": {"HTTP_AUTHORIZATION": f"Bearer {access}"}},
        "api_key": {"headers": {"HTTP_AUTHORIZATION": f"Api-Key {raw_key}"}},
    }


def test_the_sweep_covers_the_admin_and_the_api():
    assert "/admin/" in SWEPT
    assert "/admin/identity/user/1/change/" in SWEPT
    assert "/api/v1/auth/me/" in SWEPT
    assert len(SWEPT) >= 40


@pytest.mark.parametrize("path", SWEPT)
def test_acme_credentials_grant_nothing_on_globex(acme_credentials, other_tenant, path):
    anonymous = Client(HTTP_HOST="globex.localhost").get(path)

    for kind, credential in acme_credentials.items():
        client = Client(HTTP_HOST="globex.localhost")
        for cookie, value in credential.get("cookies", {}).items():
            client.cookies[cookie] = value
        response = client.get(path, **credential.get("headers", {}))

        allowed = {anonymous.status_code, 401} if kind != "session" else {anonymous.status_code}
        assert response.status_code in allowed, f"{kind} on {path}"
        assert response.status_code not in {200, 201, 204} or response.status_code == anonymous.status_code
        assert b"founder@acme.test" not in response.content, f"{kind} on {path}"
        assert b"owner@acme.test" not in response.content, f"{kind} on {path}"
