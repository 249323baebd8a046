"""The provisioning service: pool, clone and migration paths; idempotent and resumable."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context, schema_exists

from apps.identity.models import User
from apps.tenants import provisioning, schemas
from apps.tenants.choices import TenantStatus
from apps.tenants.models import Domain, PooledSchema, Tenant
from apps.tenants.provisioning import ProvisioningError, pool_fill, tenant_provision
from apps.tenants.signals import tenant_created

PASSWORD = "a-long-enough-password"


@pytest.fixture
def created_events(django_capture_on_commit_callbacks):
    received: list[str] = []

    def record(sender: object, tenant: Tenant, **kwargs: object) -> None:
        received.append(tenant.slug)

    tenant_created.connect(record)
    yield received
    tenant_created.disconnect(record)


def provision(slug: str = "initech", **overrides: str) -> provisioning.Provisioned:
    arguments = {
        "slug": slug,
        "name": "Initech",
        "region": "gulf",
        "admin_email": f"boss@{slug}.test",
        "admin_password": PASSWORD,
        **overrides,
    }
    result = tenant_provision(**arguments)
    connection.set_schema_to_public()
    return result


def test_new_tenant_is_cloned_from_the_template_and_active(db, django_capture_on_commit_callbacks, created_events):
    with django_capture_on_commit_callbacks(execute=True):
        result = provision()

    tenant = Tenant.objects.get(slug="initech")
    assert result.path == "clone"
    assert result.activated is True
    assert tenant.status == TenantStatus.ACTIVE
    assert tenant.schema_name == "initech"
    assert (tenant.language, tenant.time_zone, tenant.currency) == ("ar", "Asia/Dubai", "AED")
    assert list(Domain.objects.filter(tenant=tenant).values_list("domain", flat=True)) == ["initech.localhost"]
    assert schemas.schema_is_current("initech") is True
    with schema_context("initech"):
        admin = User.objects.get()
        assert admin.email == "boss@initech.test"
        assert admin.is_superuser is True
        assert admin.check_password(PASSWORD) is True
        assert list(admin.groups.values_list("name", flat=True)) == ["Admin"]
    assert created_events == ["initech"]


def test_warm_pool_schema_is_renamed_into_the_tenant(db, django_capture_on_commit_callbacks):
    assert pool_fill(size=2) == 2
    pooled = list(PooledSchema.objects.values_list("schema_name", flat=True))

    result = provision()

    assert result.path == "pool"
    assert list(PooledSchema.objects.values_list("schema_name", flat=True)) == pooled[1:]
    assert schema_exists(pooled[0]) is False
    assert schemas.schema_is_current("initech") is True


def test_stale_pool_schema_is_dropped_not_handed_out(db):
    pool_fill(size=1)
    stale = PooledSchema.objects.get().schema_name
    with schema_context(stale), connection.cursor() as cursor:
        cursor.execute("DELETE FROM django_migrations WHERE app = 'identity'")

    result = provision()

    assert result.path == "clone"
    assert schema_exists(stale) is False
    assert PooledSchema.objects.count() == 0


def test_without_a_current_template_the_schema_is_migrated(db):
    schemas.schema_drop(schemas.TEMPLATE_SCHEMA)

    result = provision()

    assert result.path == "migrate"
    assert schemas.schema_is_current("initech") is True


def test_crash_after_schema_is_finished_by_running_again(
    db, monkeypatch, django_capture_on_commit_callbacks, created_events
):
    def killed(*args: object, **kwargs: object) -> None:
        raise SystemExit("killed")

    monkeypatch.setattr(provisioning, "_ensure_admin", killed)
    with pytest.raises(SystemExit):
        provision()
    tenant = Tenant.objects.get(slug="initech")
    assert tenant.status == TenantStatus.PROVISIONING
    assert schema_exists("initech") is True
    with schema_context("initech"):
        assert User.objects.count() == 0
    assert Client(HTTP_HOST="initech.localhost").get("/").status_code == 403

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        finished = provision()
    with pytest.raises(ProvisioningError, match="already taken"):
        provision()

    assert (finished.path, finished.activated) == ("resumed", True)
    assert Tenant.objects.get(slug="initech").status == TenantStatus.ACTIVE
    with schema_context("initech"):
        assert User.objects.count() == 1
    assert created_events == ["initech"]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"slug": "acme"}, "slug", "This name is already taken."),
        ({"slug": "public"}, "slug", "This name is reserved; choose another."),
        ({"slug": 'a";drop schema public;--'}, "slug", "Use lower-case letters"),
        ({"slug": "x" * 64}, "slug", "Use 3 to 40 characters (this one has 64)."),
        ({"region": "mars"}, "region", "Unknown region 'mars'."),
    ],
)
def test_invalid_input_is_refused_and_nothing_is_created(db, tenant, overrides, field, message):
    connection.set_schema_to_public()
    tenants_before = Tenant.objects.count()
    schemas_before = _schema_names()

    with pytest.raises(ProvisioningError) as raised:
        provision(**overrides)

    assert raised.value.field == field
    assert str(raised.value).startswith(message)
    assert Tenant.objects.count() == tenants_before
    assert _schema_names() == schemas_before


def test_signup_cannot_join_a_tenant_that_is_still_provisioning(db, monkeypatch):
    monkeypatch.setattr(provisioning, "_ensure_admin", lambda *a, **k: (_ for _ in ()).throw(SystemExit("killed")))
    with pytest.raises(SystemExit):
        provision()
    monkeypatch.undo()

    with pytest.raises(ProvisioningError, match="already taken"):
        provision(admin_email="intruder@evil.test")

    with schema_context("initech"):
        assert User.objects.count() == 0
    assert Tenant.objects.get(slug="initech").status == TenantStatus.PROVISIONING


def test_taken_slug_never_adds_a_user_to_the_existing_tenant(tenant):
    connection.set_schema_to_public()

    with pytest.raises(ProvisioningError, match="already taken"):
        provision(slug="acme", admin_email="intruder@evil.test")

    with schema_context("acme"):
        assert User.objects.filter(email="intruder@evil.test").exists() is False


def _schema_names() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace ORDER BY nspname")
        return [row[0] for row in cursor.fetchall()]
