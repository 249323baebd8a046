"""``manage.py bootstrap``: public site and demo tenant with an admin, idempotently; seeders run once."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django_tenants.utils import schema_context

from apps.identity.models import User
from apps.tenants.models import Domain, Tenant
from monopod import seeding


@pytest.fixture
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path


@pytest.fixture
def seeded(monkeypatch):
    """Register one seeder for the test that records the schema it ran in."""
    calls: list[tuple[str, str]] = []

    def demo_products(*, tenant: Tenant) -> None:
        calls.append((tenant.schema_name, connection.schema_name))

    # Every app's seed module imported first, so that none registers itself into the test's list.
    seeding.registered_seeders()
    monkeypatch.setattr(seeding, "_seeders", {})
    seeding.demo_seeder(demo_products)
    return calls


def bootstrap(*args: str) -> str:
    out = io.StringIO()
    call_command("bootstrap", *args, stdout=out)
    connection.set_schema_to_public()
    return out.getvalue()


def test_bootstrap_creates_demo_tenant_admin_and_prints_login(db, var_dir, seeded):
    output = bootstrap("--port", "8123")

    password = (var_dir / "demo-admin-password").read_text()
    assert (var_dir / "demo-admin-password").stat().st_mode & 0o777 == 0o600
    assert output.splitlines() == [
        "Demo data: 1 seeders run.",
        "MonoPod demo tenant: http://demo.localhost:8123/",
        "  admin console: http://demo.localhost:8123/admin/",
        "  e-mail:        admin@demo.localhost",
        f"  password:      {password}",
    ]
    demo = Tenant.objects.get(schema_name="demo")
    assert list(Domain.objects.filter(tenant=demo).values_list("domain", flat=True)) == ["demo.localhost"]
    with schema_context("demo"):
        admin = User.objects.get()
        assert admin.email == "admin@demo.localhost"
        assert admin.is_superuser is True
        assert admin.check_password(password) is True
        assert list(admin.groups.values_list("name", flat=True)) == ["Admin"]
    assert seeded == [("demo", "demo")]


def test_second_bootstrap_reuses_everything_and_skips_seeders(db, var_dir, seeded):
    bootstrap()
    first_password = (var_dir / "demo-admin-password").read_text()

    output = bootstrap()

    assert "Demo data" not in output
    assert f"  password:      {first_password}" in output.splitlines()
    assert Tenant.objects.filter(schema_name="demo").count() == 1
    with schema_context("demo"):
        assert User.objects.count() == 1
    assert seeded == [("demo", "demo")]


def test_reseed_runs_seeders_again(db, var_dir, seeded):
    bootstrap()

    bootstrap("--reseed")

    assert seeded == [("demo", "demo"), ("demo", "demo")]


def test_demo_admin_lives_only_in_the_demo_schema(db, var_dir, tenant):
    bootstrap()

    assert User.objects.filter(email="admin@demo.localhost").exists() is False


def test_no_demo_prepares_only_the_platform(db, var_dir):
    output = bootstrap("--no-demo")

    assert output == "Public site, tenant template and warm pool are ready.\n"
    assert Tenant.objects.filter(schema_name="public").exists() is True
    assert Tenant.objects.filter(slug="demo").exists() is False
    assert list(var_dir.iterdir()) == []
