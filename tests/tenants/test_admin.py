"""Admin consoles: a tenant's shows only its own data; the public one manages tenants."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context, tenant_context

from apps.audit.models import AuditEntry
from apps.audit.selectors import audit_chain_verify
from apps.identity.models import User
from apps.tenants import provisioning
from apps.tenants.choices import TenantStatus
from apps.tenants.models import Tenant
from tests.identity.factories import UserFactory


@pytest.fixture
def operator(db) -> Client:
    """A platform operator signed in to the public site's admin."""
    with schema_context("public"):
        user = UserFactory(email="operator@monopod.test", is_staff=True, is_superuser=True)
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    return client


@pytest.fixture
def tenant_admin(tenant, admin_user) -> Client:
    client = Client(HTTP_HOST="acme.localhost")
    client.force_login(admin_user)
    return client


@pytest.mark.parametrize(
    "path",
    [
        "/admin/tenants/tenant/",
        "/admin/tenants/domain/",
        "/admin/tenants/pooledschema/",
        "/admin/django_celery_beat/periodictask/",
    ],
)
def test_tenant_console_never_reaches_platform_tables(tenant_admin, path):
    assert tenant_admin.get(path).status_code == 404


def test_tenant_console_index_lists_only_tenant_models(tenant_admin):
    response = tenant_admin.get("/admin/")

    assert response.status_code == 200
    models = {entry["object_name"] for app in response.context["app_list"] for entry in app["models"]}
    assert "Tenant" not in models
    assert "Domain" not in models
    assert {"User", "Group", "ApiKey"} <= models


def test_tenant_console_shows_only_its_own_users(tenant_admin, other_tenant):
    with schema_context("globex"):
        UserFactory(email="secret-agent@globex.test")

    response = tenant_admin.get("/admin/identity/user/")

    assert response.status_code == 200
    assert b"founder@acme.test" in response.content
    assert b"secret-agent@globex.test" not in response.content


def test_public_console_lists_tenants_and_hides_tenant_only_tables(operator, tenant, other_tenant):
    connection.set_schema_to_public()

    listing = operator.get("/admin/tenants/tenant/")
    blacklist = operator.get("/admin/token_blacklist/outstandingtoken/")

    assert listing.status_code == 200
    assert b"acme" in listing.content
    assert b"globex" in listing.content
    assert blacklist.status_code == 404


def test_operator_suspends_and_resumes_a_tenant(operator, tenant):
    connection.set_schema_to_public()

    operator.post("/admin/tenants/tenant/", {"action": "suspend", "_selected_action": [tenant.pk]})
    assert Tenant.objects.get(pk=tenant.pk).status == TenantStatus.SUSPENDED
    operator.post("/admin/tenants/tenant/", {"action": "resume", "_selected_action": [tenant.pk]})

    assert Tenant.objects.get(pk=tenant.pk).status == TenantStatus.ACTIVE


def test_operator_finishes_a_crashed_provisioning(operator, monkeypatch):
    monkeypatch.setattr(provisioning, "_ensure_admin", lambda *a, **k: (_ for _ in ()).throw(SystemExit("killed")))
    with pytest.raises(SystemExit):
        provisioning.tenant_provision(
            slug="initech", name="Initech", region="eu", admin_email="boss@initech.test", admin_password="pw-1234567890"
        )
    monkeypatch.undo()
    connection.set_schema_to_public()
    crashed = Tenant.objects.get(slug="initech")

    operator.post("/admin/tenants/tenant/", {"action": "finish_provisioning", "_selected_action": [crashed.pk]})

    assert Tenant.objects.get(slug="initech").status == TenantStatus.ACTIVE
    with schema_context("initech"):
        admin = User.objects.get()
        assert admin.email == "boss@initech.test"
        assert admin.has_usable_password() is False


def test_object_that_exists_only_in_acme_is_not_found_by_id_on_globex(tenant, admin_user, other_tenant):
    from django_tenants.utils import tenant_context

    only_in_acme = UserFactory(email="acme-only@acme.test")
    globex = Client(HTTP_HOST="globex.localhost")
    with tenant_context(other_tenant):
        assert User.objects.filter(pk=only_in_acme.pk).exists() is False
        globex.force_login(User.objects.get(email="founder@globex.test"))  # the session lives in globex

    response = globex.get(f"/admin/identity/user/{only_in_acme.pk}/change/", follow=True)

    assert response.redirect_chain == [("/admin/", 302)]
    assert b"acme-only@acme.test" not in response.content
    assert "doesn\u2019t exist" in response.content.decode()  # Django's message, typographic apostrophe


def test_an_operators_suspension_and_resumption_land_on_the_tenants_own_trail(operator, tenant, other_tenant):
    connection.set_schema_to_public()

    operator.post("/admin/tenants/tenant/", {"action": "suspend", "_selected_action": [tenant.pk]})
    operator.post("/admin/tenants/tenant/", {"action": "resume", "_selected_action": [tenant.pk]})

    with tenant_context(tenant):
        trail = AuditEntry.objects.filter(object_type="tenants.tenant").order_by("seq")
        assert list(trail.values_list("action", "actor_type", "actor_id", "actor_label", "object_id", "changes")) == [
            (
                "tenant.suspended",
                "system",
                "",
                "platform operator operator@monopod.test",
                str(tenant.pk),
                {"status": ["active", "suspended"]},
            ),
            (
                "tenant.resumed",
                "system",
                "",
                "platform operator operator@monopod.test",
                str(tenant.pk),
                {"status": ["suspended", "active"]},
            ),
        ]
        assert audit_chain_verify().intact
    with tenant_context(other_tenant):
        assert not AuditEntry.objects.filter(object_type="tenants.tenant").exists()


def test_operators_changes_land_on_the_platforms_own_trail(operator, tenant):
    connection.set_schema_to_public()
    before = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    page = operator.get(f"/admin/tenants/tenant/{tenant.pk}/change/")
    form, domains = page.context["adminform"].form, page.context["inline_admin_formsets"][0].formset
    data = {name: form.initial[name] for name in form.fields if form.initial.get(name) is not None}
    data.update({f"{domains.prefix}-{key}": value for key, value in domains.management_form.initial.items()})
    for index, domain in enumerate(domains.forms):
        data.update({f"{domains.prefix}-{index}-{name}": value for name, value in domain.initial.items()})
        data.update({f"{domains.prefix}-{index}-id": domain.instance.pk, f"{domains.prefix}-{index}-tenant": tenant.pk})

    changed = operator.post(f"/admin/tenants/tenant/{tenant.pk}/change/", {**data, "plan": "business"})
    operator.post("/admin/tenants/tenant/", {"action": "suspend", "_selected_action": [tenant.pk]})

    assert changed.status_code == 302
    trail = AuditEntry.objects.filter(seq__gt=before).order_by("seq")
    assert list(trail.values_list("action", "actor_label", "object_type", "object_id")) == [
        ("update", "operator@monopod.test", "tenants.tenant", str(tenant.pk)),
        ("tenant.suspended", "operator@monopod.test", "tenants.tenant", str(tenant.pk)),
    ]
    update, suspension = trail
    assert (sorted(update.changes), update.changes["plan"]) == (["plan", "updated_at"], ["free", "business"])
    assert suspension.changes == {"status": ["active", "suspended"]}
    assert audit_chain_verify().intact


def test_a_suspension_from_the_command_line_is_on_the_trail(tenant):
    call_command("suspend_tenant", "acme", stdout=StringIO())

    entry = AuditEntry.objects.filter(object_type="tenants.tenant").get()
    assert (entry.action, entry.actor_label) == ("tenant.suspended", "platform (command line)")
