"""The features API: every flag with its source, and the tenant's region (changed by Admins only)."""

from __future__ import annotations

from django.db import connection
from django_tenants.utils import schema_context, tenant_context
from rest_framework.test import APIClient

from apps.audit.models import AuditEntry
from apps.features.models import FeatureOverride
from apps.tenants.models import Tenant
from apps.tenants.provisioning import tenant_domain_name

EU_FLAGS = [
    {
        "name": "gdpr-consent",
        "description": "Ask signed-in members to accept the privacy notice (GDPR consent).",
        "enabled": True,
        "source": "region",
    },
    {
        "name": "data-export",
        "description": "Members may export their personal data.",
        "enabled": True,
        "source": "region",
    },
    {
        "name": "right-to-erasure",
        "description": "Members may have their personal data erased.",
        "enabled": True,
        "source": "region",
    },
    {
        "name": "audit-evidence",
        "description": "Audit trail exports carry verifiable evidence of integrity.",
        "enabled": True,
        "source": "region",
    },
    {
        "name": "enhanced-rbac",
        "description": "Finer-grained roles for regulated teams.",
        "enabled": False,
        "source": "region",
    },
    {
        "name": "low-bandwidth",
        "description": "Light pages: no web fonts, images or live updates.",
        "enabled": False,
        "source": "region",
    },
]

EU_REGION = {
    "region": "eu",
    "languages": ["en", "fr", "de"],
    "default_language": "en",
    "text_direction": "ltr",
    "currency": "EUR",
    "number_format": {"decimal_separator": ".", "grouping_separator": ","},
    "time_zone": "Europe/Brussels",
    "vat": {
        "standard_rate": "20.00",
        "reduced_rates": {"reduced": "10.00", "super_reduced": "5.50"},
        "prices_include_tax": True,
    },
    "compliance": {
        "features": ["audit-evidence", "data-export", "gdpr-consent", "right-to-erasure"],
        "retention_days": 2190,
    },
    "notification_channels": ["email", "sms"],
    "low_bandwidth": False,
}


def _client_for(tenant: Tenant, user) -> APIClient:
    client = APIClient(HTTP_HOST=tenant_domain_name(tenant.schema_name))
    # The session and the user's last login live in the tenant's schema.
    with tenant_context(tenant):
        client.force_login(user)
    return client


def test_a_member_lists_every_flag_with_its_value_and_source(tenant, viewer_user):
    response = _client_for(tenant, viewer_user).get("/api/v1/features/")

    assert response.status_code == 200
    assert response.json() == {"count": 6, "results": EU_FLAGS}


def test_the_list_shows_the_tenants_override_as_its_source(api_client):
    FeatureOverride.objects.create(name="data-export", enabled=False)

    response = api_client.get("/api/v1/features/")

    assert response.json()["results"][1] == {
        "name": "data-export",
        "description": "Members may export their personal data.",
        "enabled": False,
        "source": "tenant",
    }


def test_the_second_tenant_lists_its_own_flags(tenant, other_tenant, other_admin):
    FeatureOverride.objects.create(name="data-export", enabled=False)

    response = _client_for(other_tenant, other_admin).get("/api/v1/features/")

    assert response.status_code == 200
    results = {item["name"]: (item["enabled"], item["source"]) for item in response.json()["results"]}
    assert results == {
        "gdpr-consent": (False, "region"),
        "data-export": (True, "region"),
        "right-to-erasure": (False, "region"),
        "audit-evidence": (False, "region"),
        "enhanced-rbac": (False, "region"),
        "low-bandwidth": (False, "region"),
    }


def test_the_plan_is_the_source_for_a_business_tenant(tenant, api_client):
    Tenant.objects.filter(pk=tenant.pk).update(plan="enterprise")

    response = api_client.get("/api/v1/features/")

    results = {item["name"]: (item["enabled"], item["source"]) for item in response.json()["results"]}
    assert results["audit-evidence"] == (True, "plan")
    assert results["enhanced-rbac"] == (True, "plan")


def test_the_list_needs_a_signed_in_member(tenant):
    response = APIClient(HTTP_HOST=tenant_domain_name(tenant.schema_name)).get("/api/v1/features/")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "NOT_AUTHENTICATED"


def test_a_member_reads_the_region(tenant, viewer_user):
    response = _client_for(tenant, viewer_user).get("/api/v1/features/region/")

    assert response.status_code == 200
    assert response.json() == EU_REGION


def test_the_admin_moves_the_tenant_to_another_region(tenant, api_client, admin_user):
    response = api_client.patch("/api/v1/features/region/", {"region": "gulf"}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert (body["region"], body["default_language"], body["text_direction"], body["currency"]) == (
        "gulf",
        "ar",
        "rtl",
        "AED",
    )
    tenant.refresh_from_db()
    assert (tenant.region, tenant.language, tenant.time_zone, tenant.currency) == ("gulf", "ar", "Asia/Dubai", "AED")
    changes = {
        "region": ["eu", "gulf"],
        "language": ["en", "ar"],
        "time_zone": ["Europe/Brussels", "Asia/Dubai"],
        "currency": ["EUR", "AED"],
    }
    own = list(
        AuditEntry.objects.filter(action="tenant.region_changed").values_list(
            "object_type", "object_id", "changes", "actor_id", "actor_label"
        )
    )
    assert own == [("tenants.tenant", str(tenant.pk), changes, str(admin_user.pk), "owner@acme.test")]
    with schema_context("public"):
        platform = list(
            AuditEntry.objects.filter(action="tenant.region_changed").values_list(
                "object_type", "object_id", "changes", "actor_label"
            )
        )
    assert platform == [("tenants.tenant", str(tenant.pk), changes, "owner@acme.test (acme)")]
    assert connection.schema_name == "acme"


def test_the_region_answers_the_new_region_on_the_next_request(tenant, api_client):
    api_client.patch("/api/v1/features/region/", {"region": "usa"}, format="json")

    response = api_client.get("/api/v1/features/region/")

    assert response.json()["region"] == "usa"


def test_moving_to_the_same_region_records_nothing(tenant, api_client):
    response = api_client.patch("/api/v1/features/region/", {"region": "eu"}, format="json")

    assert response.status_code == 200
    assert AuditEntry.objects.filter(action="tenant.region_changed").count() == 0


def test_a_viewer_may_not_change_the_region(tenant, viewer_user):
    response = _client_for(tenant, viewer_user).patch("/api/v1/features/region/", {"region": "gulf"}, format="json")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "PERMISSION_DENIED"
    assert response.json()["error"]["message"] == "Only the organisation's Admins may change this."
    tenant.refresh_from_db()
    assert tenant.region == "eu"
    assert AuditEntry.objects.filter(action="tenant.region_changed").count() == 0


def test_an_unknown_region_is_a_400_with_the_envelope(tenant, api_client):
    response = api_client.patch("/api/v1/features/region/", {"region": "mars"}, format="json")

    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], error["details"]) == (
        "VALIDATION_ERROR",
        [{"field": "region", "message": '"mars" is not a valid choice.', "code": "invalid_choice"}],
    )
    tenant.refresh_from_db()
    assert tenant.region == "eu"


def test_a_patch_without_a_region_changes_nothing(tenant, api_client):
    response = api_client.patch("/api/v1/features/region/", {}, format="json")

    assert (response.status_code, response.json()["region"]) == (200, "eu")
    assert AuditEntry.objects.filter(action="tenant.region_changed").count() == 0


def test_a_region_that_is_no_string_is_a_400_with_the_envelope(tenant, api_client):
    response = api_client.patch("/api/v1/features/region/", {"region": 5}, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["details"] == [
        {"field": "region", "message": '"5" is not a valid choice.', "code": "invalid_choice"}
    ]


def test_a_change_in_one_tenant_leaves_the_second_alone(tenant, other_tenant, api_client, other_admin):
    api_client.patch("/api/v1/features/region/", {"region": "gulf"}, format="json")

    response = _client_for(other_tenant, other_admin).get("/api/v1/features/region/")

    assert response.json()["region"] == "usa"
    other_tenant.refresh_from_db()
    assert other_tenant.region == "usa"
