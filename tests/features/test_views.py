"""Pages of features: the organisation's region (Admins only) and the privacy consent banner."""

from __future__ import annotations

from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context, tenant_context

from apps.audit.models import AuditEntry
from apps.features.constants import CONSENT_VERSION
from apps.features.models import Consent
from apps.identity.roles import VIEWER
from apps.tenants.models import Tenant
from apps.tenants.provisioning import tenant_domain_name
from tests.features.conftest import member_of

BANNER = b'class="banner consent-banner"'


def _signed_in(client: Client, user) -> Client:
    client.force_login(user)
    return client


def test_the_admin_sees_the_organisation_page_with_its_region(tenant_client, admin_user):
    response = _signed_in(tenant_client, admin_user).get("/settings/organisation/")

    assert response.status_code == 200
    assert response.context["form"]["region"].value() == "eu"
    assert b'<option value="eu" selected>European Union</option>' in response.content
    assert b'<form method="post" class="organisation-region"' in response.content


def test_a_viewer_gets_403(tenant_client, viewer_user):
    response = _signed_in(tenant_client, viewer_user).get("/settings/organisation/")

    assert response.status_code == 403


def test_a_manager_gets_403_on_a_change(tenant_client, manager_user, tenant):
    response = _signed_in(tenant_client, manager_user).post("/settings/organisation/", {"region": "usa"})

    assert response.status_code == 403
    tenant.refresh_from_db()
    assert tenant.region == "eu"


def test_a_visitor_is_sent_to_sign_in(tenant_client):
    response = tenant_client.get("/settings/organisation/")

    assert (response.status_code, response.headers["Location"]) == (
        302,
        "/accounts/login/?next=/settings/organisation/",
    )


def test_the_admin_changes_the_region_without_javascript(tenant_client, admin_user, tenant):
    response = _signed_in(tenant_client, admin_user).post("/settings/organisation/", {"region": "africa"})

    assert (response.status_code, response.headers["Location"]) == (302, "/settings/organisation/")
    tenant.refresh_from_db()
    assert (tenant.region, tenant.time_zone, tenant.currency) == ("africa", "Africa/Lagos", "NGN")
    assert AuditEntry.objects.filter(action="tenant.region_changed").count() == 1
    with schema_context("public"):
        assert AuditEntry.objects.filter(action="tenant.region_changed").count() == 1
    page = tenant_client.get("/settings/organisation/")
    assert [str(message) for message in page.context["messages"]] == ["The organisation's region is saved."]
    assert page.context["form"]["region"].value() == "africa"


def test_an_unknown_region_is_a_form_error(tenant_client, admin_user, tenant):
    response = _signed_in(tenant_client, admin_user).post("/settings/organisation/", {"region": "mars"})

    assert response.status_code == 400
    assert response.context["form"].errors == {
        "region": ["Select a valid choice. mars is not one of the available choices."]
    }
    tenant.refresh_from_db()
    assert tenant.region == "eu"
    assert AuditEntry.objects.filter(action="tenant.region_changed").count() == 0


def test_the_second_tenants_admin_changes_only_their_own_region(tenant, other_tenant, other_client):
    response = other_client.post("/settings/organisation/", {"region": "gulf"})

    assert response.status_code == 302
    other_tenant.refresh_from_db()
    tenant.refresh_from_db()
    assert (tenant.region, other_tenant.region) == ("eu", "gulf")
    assert AuditEntry.objects.filter(action="tenant.region_changed").count() == 1  # the client left us in globex
    connection.set_tenant(tenant)
    assert AuditEntry.objects.filter(action="tenant.region_changed").count() == 0


def test_a_member_of_an_eu_tenant_sees_the_consent_banner(tenant_client, admin_user):
    response = _signed_in(tenant_client, admin_user).get("/settings/organisation/")

    assert response.content.count(BANNER) == 1
    assert f'data-consent-version="{CONSENT_VERSION}"'.encode() in response.content
    assert b'action="/features/consent/"' in response.content


def test_accepting_records_the_version_once_and_goes_back(tenant_client, admin_user):
    client = _signed_in(tenant_client, admin_user)

    first = client.post("/features/consent/", {"next": "/settings/organisation/"})
    second = client.post("/features/consent/", {"next": "/settings/organisation/"})

    assert (first.status_code, first.headers["Location"]) == (302, "/settings/organisation/")
    assert second.status_code == 302
    assert list(Consent.objects.values_list("user_id", "version")) == [(admin_user.pk, "2026-11")]
    assert CONSENT_VERSION == "2026-11"
    assert client.get("/settings/organisation/").content.count(BANNER) == 0
    created = AuditEntry.objects.filter(object_type="features.consent", action="create")
    assert [entry.changes["version"] for entry in created] == [[None, "2026-11"]]


def test_accepting_never_redirects_off_site(tenant_client, admin_user):
    response = _signed_in(tenant_client, admin_user).post("/features/consent/", {"next": "https://evil.test/"})

    assert response.headers["Location"] == "/"


def test_accepting_needs_a_post(tenant_client, admin_user):
    response = _signed_in(tenant_client, admin_user).get("/features/consent/")

    assert response.status_code == 405
    assert Consent.objects.count() == 0


def test_a_visitor_sees_no_banner(tenant_client):
    response = tenant_client.get("/accounts/login/")

    assert response.status_code == 200
    assert response.content.count(BANNER) == 0


def test_a_tenant_override_switches_the_banner_off(tenant_client, admin_user):
    from apps.features.models import FeatureOverride

    FeatureOverride.objects.create(name="gdpr-consent", enabled=False)

    response = _signed_in(tenant_client, admin_user).get("/settings/organisation/")

    assert response.content.count(BANNER) == 0


def test_a_usa_tenant_shows_no_banner(tenant, other_tenant, other_client):
    response = other_client.get("/settings/organisation/")

    assert response.status_code == 200
    assert response.content.count(BANNER) == 0
    assert response.context["consent"].required is False


def test_a_consent_in_one_tenant_is_not_one_in_the_other(tenant, other_tenant, admin_user, tenant_client):
    Tenant.objects.filter(pk=other_tenant.pk).update(region="eu")
    other_admin = member_of(other_tenant, role=VIEWER, email=admin_user.email)
    _signed_in(tenant_client, admin_user).post("/features/consent/", {"next": "/"})
    other = Client(HTTP_HOST=tenant_domain_name(other_tenant.schema_name))
    with tenant_context(other_tenant):
        other.force_login(other_admin)
        assert Consent.objects.count() == 0

    response = other.get("/accounts/email/")

    assert response.context["consent"].required is True


def test_an_africa_tenant_gets_low_bandwidth_pages(tenant_client, admin_user, tenant):
    Tenant.objects.filter(pk=tenant.pk).update(region="africa")

    response = _signed_in(tenant_client, admin_user).get("/settings/organisation/")

    assert bool(response.context["low_bandwidth"]) is True
    assert b"htmx.min.js" not in response.content


def test_an_eu_tenant_gets_full_pages(tenant_client, admin_user):
    response = _signed_in(tenant_client, admin_user).get("/settings/organisation/")

    assert bool(response.context["low_bandwidth"]) is False
    assert b"htmx.min.js" in response.content
