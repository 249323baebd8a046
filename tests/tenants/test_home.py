"""Tenant routing: each host reaches its own tenant's page, unknown hosts get a clear 404."""

import pytest


def test_tenant_home_names_the_tenant(tenant_client):
    response = tenant_client.get("/")

    assert response.status_code == 200
    assert b'<h1 data-tenant="acme">Acme Ltd</h1>' in response.content


def test_other_tenant_host_reaches_other_tenant(tenant, other_tenant):
    from django.test import Client

    response = Client(HTTP_HOST="globex.localhost").get("/")

    assert response.status_code == 200
    assert b'data-tenant="globex"' in response.content
    assert b"Acme" not in response.content


def test_unknown_host_gets_not_found_page(db):
    from django.test import Client

    response = Client(HTTP_HOST="nobody.localhost").get("/")

    assert response.status_code == 404
    assert b"No MonoPod organisation is served at <code>nobody.localhost</code>" in response.content


def test_public_host_serves_landing_page(public_client):
    response = public_client.get("/")

    assert response.status_code == 200
    assert b"<h1>MonoPod</h1>" in response.content


@pytest.mark.parametrize("host", ["evil.example.com", "acme.localhost.evil.com"])
def test_host_outside_allowed_hosts_is_refused_without_content(db, host):
    from django.test import Client

    response = Client(HTTP_HOST=host).get("/")

    assert response.status_code == 404
    assert response.content == b""
