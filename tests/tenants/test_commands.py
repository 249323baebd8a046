"""Tenant management commands: clear messages and non-zero exits on bad input; exact effects."""

from __future__ import annotations

import io
import re

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context, schema_exists

from apps.identity.models import User
from apps.tenants.choices import TenantStatus
from apps.tenants.models import Domain, PooledSchema, Tenant
from apps.tenants.services import tenant_files_root

ARGS = [
    "--name",
    "Initech",
    "--region",
    "eu",
    "--admin-email",
    "boss@initech.test",
    "--admin-password",
    "pw-long-enough",
]


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    connection.set_schema_to_public()
    return out.getvalue()


def test_create_tenant_provisions_and_prints_login_url(db):
    output = run("create_tenant", "--slug", "initech", *ARGS)

    assert output == "Tenant initech created (clone): https://initech.localhost/admin/login/\n"
    assert Tenant.objects.get(slug="initech").status == TenantStatus.ACTIVE
    with schema_context("initech"):
        assert User.objects.get().email == "boss@initech.test"
        # The operator vouches for the address: no confirmation mail, and the admin can sign in.
        assert list(EmailAddress.objects.values_list("email", "verified", "primary")) == [
            ("boss@initech.test", True, True)
        ]


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("acme", "--slug: This name is already taken."),
        ("admin", "--slug: This name is reserved; choose another."),
        ("Bad Slug", "--slug: Use lower-case letters, digits and hyphens"),
    ],
)
def test_create_tenant_refuses_bad_slug_with_message(tenant, slug, message):
    connection.set_schema_to_public()
    count = Tenant.objects.count()

    with pytest.raises(CommandError) as raised:
        run("create_tenant", "--slug", slug, *ARGS)

    assert str(raised.value).startswith(message)
    assert Tenant.objects.count() == count


def test_create_tenant_refuses_malformed_email(db):
    arguments = [a if a != "boss@initech.test" else "not-an-email" for a in ARGS]

    with pytest.raises(CommandError, match=re.escape("--admin-email: 'not-an-email' is not an e-mail address.")):
        run("create_tenant", "--slug", "initech", *arguments)

    assert Tenant.objects.filter(slug="initech").exists() is False


def test_list_tenants_shows_each_tenant(tenant, other_tenant):
    connection.set_schema_to_public()

    lines = run("list_tenants").splitlines()

    assert lines[0].split() == ["slug", "status", "region", "plan", "domain"]
    assert [line.split() for line in lines[1:]] == [
        ["acme", "active", "eu", "free", "acme.localhost"],
        ["globex", "active", "usa", "free", "globex.localhost"],
    ]


def test_suspended_tenant_answers_403_until_resumed(tenant, other_tenant):
    connection.set_schema_to_public()

    assert run("suspend_tenant", "acme") == "Tenant acme is suspended.\n"
    page = Client(HTTP_HOST="acme.localhost").get("/")
    api = Client(HTTP_HOST="acme.localhost").get("/api/v1/anything/")
    probe = Client(HTTP_HOST="acme.localhost").get("/health/live")
    neighbour = Client(HTTP_HOST="globex.localhost").get("/")

    assert page.status_code == 403
    assert b"This organisation is suspended; contact its administrator." in page.content
    assert api.status_code == 403
    assert api.json()["error"]["code"] == "TENANT_SUSPENDED"
    assert api.json()["error"]["request_id"] == api["X-Request-ID"]
    assert probe.status_code == 200
    assert neighbour.status_code == 200

    assert run("resume_tenant", "acme") == "Tenant acme is active.\n"
    assert Client(HTTP_HOST="acme.localhost").get("/").status_code == 200


def test_suspend_twice_is_harmless_and_resume_of_active_is_refused(tenant):
    connection.set_schema_to_public()
    run("suspend_tenant", "acme")

    assert run("suspend_tenant", "acme") == "Tenant acme is suspended.\n"
    run("resume_tenant", "acme")
    assert run("resume_tenant", "acme") == "Tenant acme is active.\n"


def test_unknown_slug_is_a_clear_error(db):
    with pytest.raises(CommandError, match=re.escape("No tenant with slug 'nobody'.")):
        run("suspend_tenant", "nobody")


def test_suspended_tenants_jobs_do_not_run(tenant):
    from monopod.celery import app

    calls: list[str] = []

    @app.task(name="tests.record_call")
    def record_call() -> None:
        calls.append(connection.schema_name)

    record_call.delay()
    connection.set_schema_to_public()
    run("suspend_tenant", "acme")
    connection.set_tenant(Tenant.objects.get(slug="acme"))
    record_call.delay()

    assert calls == ["acme"]


def test_delete_tenant_drops_schema_files_and_domains(tenant, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = str(tmp_path)
    files = tenant_files_root(tenant)
    files.mkdir(parents=True)
    (files / "invoice.pdf").write_bytes(b"%PDF")
    connection.set_schema_to_public()

    with django_capture_on_commit_callbacks(execute=True):
        output = run("delete_tenant", "acme", "--yes")

    assert output == "Tenant acme deleted.\n"
    assert schema_exists("acme") is False
    assert Tenant.objects.get(slug="acme").status == TenantStatus.DELETED
    assert Domain.objects.filter(domain="acme.localhost").exists() is False
    assert files.exists() is False
    assert Client(HTTP_HOST="acme.localhost").get("/").status_code == 404


def test_delete_tenant_asks_and_keeps_everything_unless_confirmed(tenant, monkeypatch):
    connection.set_schema_to_public()
    monkeypatch.setattr("builtins.input", lambda prompt: "no")

    with pytest.raises(CommandError, match=re.escape("Not confirmed; nothing was deleted.")):
        run("delete_tenant", "acme")

    assert schema_exists("acme") is True
    assert Tenant.objects.get(slug="acme").status == TenantStatus.ACTIVE


def test_tenant_pool_fills_to_size(db):
    assert run("tenant_pool", "--size", "2") == "Warm pool: 2 schemas (2 made).\n"
    assert run("tenant_pool", "--size", "2") == "Warm pool: 2 schemas (0 made).\n"

    names = list(PooledSchema.objects.values_list("schema_name", flat=True))
    assert all(name.startswith("pool_") and schema_exists(name) for name in names)


def test_tenant_pool_refuses_negative_size(db):
    with pytest.raises(CommandError, match=re.escape("--size must be between 0 and 1000.")):
        run("tenant_pool", "--size", "-1")


def test_migrate_schemas_skips_schemas_already_current(tenant, other_tenant):
    connection.set_schema_to_public()

    output = run("migrate_schemas", "--tenant")

    assert output.splitlines()[-1] == "3 schemas up to date, 0 to migrate."
