"""Self-service signup, by form and by API: a working tenant, or an error naming the field."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from apps.identity.models import User
from apps.tenants.choices import TenantStatus
from apps.tenants.models import Tenant
from apps.tenants.signup import SignupThrottle

GOOD = {
    "name": "Initech",
    "slug": "initech",
    "region": "eu",
    "admin_email": "Boss@Initech.test",
    "password": "tps-reports-4ever",
}


@pytest.fixture(autouse=True)
def fresh_throttle():
    cache.clear()
    yield
    cache.clear()
    connection.set_schema_to_public()


@pytest.fixture
def public(db) -> Client:
    return Client(HTTP_HOST="localhost:8000")


def test_api_signup_creates_active_tenant_and_answers_login_url(public):
    response = public.post("/api/v1/tenants/signup/", GOOD, content_type="application/json")

    assert response.status_code == 201
    assert response.json() == {
        "slug": "initech",
        "name": "Initech",
        "region": "eu",
        "status": "active",
        "login_url": "http://initech.localhost:8000/admin/login/",
    }
    assert Tenant.objects.get(slug="initech").status == TenantStatus.ACTIVE
    with schema_context("initech"):
        assert User.objects.get().email == "boss@initech.test"


def test_new_admin_verifies_their_address_then_can_sign_in_on_the_new_tenant(public, mailoutbox):
    public.post("/api/v1/tenants/signup/", GOOD, content_type="application/json")
    browser = Client(HTTP_HOST="initech.localhost:8000")
    credentials = {"login": "boss@initech.test", "password": GOOD["password"]}

    unverified = browser.post("/accounts/login/?next=/admin/", credentials)
    link = re.search(r"http://initech\.localhost:8000(/accounts/confirm-email/[^/\s]+/)", mailoutbox[0].body)
    assert link is not None
    confirmed = browser.post(link[1])
    response = browser.post("/accounts/login/?next=/admin/", credentials)

    assert unverified.status_code == 302
    assert unverified["Location"] == "/accounts/confirm-email/"
    assert confirmed.status_code == 302
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert browser.get("/admin/").status_code == 200


def test_form_signup_shows_login_url(public):
    page = public.get("/signup/")
    response = public.post("/signup/", GOOD)

    assert page.status_code == 200
    assert b'name="slug"' in page.content
    assert response.status_code == 201
    assert b'href="http://initech.localhost:8000/admin/login/"' in response.content


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"slug": "acme"}, "slug", "This name is already taken."),
        ({"slug": "public"}, "slug", "This name is reserved; choose another."),
        ({"slug": 'a";drop schema public;--'}, "slug", "Use lower-case letters, digits and hyphens"),
        ({"slug": "x" * 64}, "slug", "Use 3 to 40 characters (this one has 64)."),
        ({"password": "password"}, "password", "This password is too short."),
        ({"password": "12345678901234"}, "password", "This password is entirely numeric."),
        ({"password": "qwertyuiop123"}, "password", "This password is too common."),
        ({"admin_email": "not-an-email"}, "admin_email", "Enter a valid email address."),
        ({"region": "mars"}, "region", '"mars" is not a valid choice.'),
        ({"name": ""}, "name", "This field may not be blank."),
    ],
)
def test_api_rejects_bad_input_naming_the_field_and_creates_nothing(tenant, public, change, field, message):
    connection.set_schema_to_public()
    tenants = Tenant.objects.count()

    response = public.post("/api/v1/tenants/signup/", {**GOOD, **change}, content_type="application/json")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert [detail["field"] for detail in error["details"]] == [field] * len(error["details"])
    assert error["details"][0]["message"].startswith(message)
    assert error["message"].startswith(f"{field}: {message}")
    assert error["request_id"] == response["X-Request-ID"]
    assert Tenant.objects.count() == tenants


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"slug": "acme"}, "slug"),
        ({"slug": "x" * 64}, "slug"),
        ({"password": "short"}, "password"),
        ({"admin_email": "nope"}, "admin_email"),
    ],
)
def test_form_rejects_bad_input_with_a_field_error(tenant, public, change, field):
    connection.set_schema_to_public()
    tenants = Tenant.objects.count()

    response = public.post("/signup/", {**GOOD, **change})

    assert response.status_code == 400
    assert f'data-field="{field}"'.encode() in response.content
    assert Tenant.objects.count() == tenants


def test_malformed_json_is_a_400_envelope(public):
    response = public.post("/api/v1/tenants/signup/", "{not json", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "PARSE_ERROR"


def test_signup_is_rate_limited_per_ip(public, monkeypatch):
    monkeypatch.setattr(SignupThrottle, "rate", "2/hour", raising=False)
    bad = {**GOOD, "slug": "x"}
    statuses = [
        public.post("/api/v1/tenants/signup/", bad, content_type="application/json", REMOTE_ADDR="10.0.0.1").status_code
        for _ in range(3)
    ]
    other_ip = public.post("/api/v1/tenants/signup/", bad, content_type="application/json", REMOTE_ADDR="10.0.0.2")
    form = public.post("/signup/", bad, REMOTE_ADDR="10.0.0.1")

    assert statuses == [400, 400, 429]
    assert other_ip.status_code == 400
    assert form.status_code == 429
    assert b"Too many signups from your address" in form.content


def test_signup_is_not_served_on_tenant_hosts(tenant_client):
    assert tenant_client.get("/signup/").status_code == 404
    assert tenant_client.post("/api/v1/tenants/signup/", GOOD, content_type="application/json").status_code == 404
