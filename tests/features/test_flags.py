"""Feature flags: resolution order, the per-tenant cache of overrides, and every reader."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.http import Http404, HttpResponse
from django.template import Context, Template
from django.test import RequestFactory
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from apps.features.caching import OVERRIDES_KEY, overrides_get
from apps.features.decorators import feature_required
from apps.features.flags import Flag, FlagDeclarationError, flag_register, flags_all
from apps.features.models import FeatureOverride
from apps.features.permissions import FeatureEnabled
from apps.features.resolver import Resolution
from apps.tenants.choices import Plan
from tests.features.conftest import resolver_for


def test_the_default_decides_when_nothing_else_has_a_value(tenant, declare):
    declare("reports", default=True)

    assert resolver_for(tenant).resolve("reports") == Resolution("reports", True, "default")


def test_the_region_beats_the_default(tenant, declare):
    declare("reports", default=False, regions={"eu": True})

    assert resolver_for(tenant).resolve("reports") == Resolution("reports", True, "region")


def test_a_value_for_another_region_does_not_apply(tenant, declare):
    declare("reports", default=False, regions={"usa": True})

    assert resolver_for(tenant).resolve("reports") == Resolution("reports", False, "default")


def test_the_plan_beats_the_region(tenant, declare):
    declare("reports", default=True, plans={"free": False}, regions={"eu": True})

    assert tenant.plan == Plan.FREE
    assert resolver_for(tenant).resolve("reports") == Resolution("reports", False, "plan")


def test_the_tenants_override_beats_the_plan(tenant, declare):
    declare("reports", default=False, plans={"free": False}, regions={"eu": False})
    FeatureOverride.objects.create(name="reports", enabled=True)

    assert resolver_for(tenant).resolve("reports") == Resolution("reports", True, "tenant")


def test_an_override_can_switch_a_region_feature_off(tenant):
    FeatureOverride.objects.create(name="gdpr-consent", enabled=False)

    assert resolver_for(tenant).resolve("gdpr-consent") == Resolution("gdpr-consent", False, "tenant")


def test_an_unknown_flag_is_off(tenant):
    resolver = resolver_for(tenant)

    assert resolver.resolve("no-such-flag") is None
    assert resolver.is_active("no-such-flag") is False


def test_a_flag_is_declared_once(declare):
    declare("reports")

    with pytest.raises(FlagDeclarationError) as caught:
        flag_register(Flag(name="reports", description="Again."))

    assert str(caught.value) == "Feature flag 'reports' is declared twice."


def test_a_flag_value_for_an_unknown_region_or_plan_is_refused():
    with pytest.raises(FlagDeclarationError) as region_error:
        flag_register(Flag(name="x", description="X.", regions={"mars": True}))
    with pytest.raises(FlagDeclarationError) as plan_error:
        flag_register(Flag(name="x", description="X.", plans={"gold": True}))

    assert str(region_error.value) == "Feature flag 'x': 'mars' is not a region."
    assert str(plan_error.value) == "Feature flag 'x': 'gold' is not a plan."
    assert "x" not in flags_all()


def test_the_platform_declares_the_compliance_flags_and_low_bandwidth():
    assert list(flags_all())[:6] == [
        "gdpr-consent",
        "data-export",
        "right-to-erasure",
        "audit-evidence",
        "enhanced-rbac",
        "low-bandwidth",
    ]
    assert dict(flags_all()["gdpr-consent"].regions) == {
        "global": False,
        "eu": True,
        "gulf": False,
        "africa": False,
        "usa": False,
    }


def test_overrides_are_read_once_then_served_from_the_cache(tenant, django_assert_num_queries):
    FeatureOverride.objects.create(name="data-export", enabled=False)
    with django_assert_num_queries(1):
        assert overrides_get() == {"data-export": False}
    with django_assert_num_queries(0):
        assert overrides_get() == {"data-export": False}


def test_a_request_reads_the_overrides_once_for_every_flag(tenant, django_assert_num_queries):
    resolver = resolver_for(tenant)
    assert FeatureOverride.objects.exists() is False  # the connection's search path is set

    with django_assert_num_queries(1):
        assert [resolver.is_active(name) for name in ("gdpr-consent", "data-export", "low-bandwidth")] == [
            True,
            True,
            False,
        ]
        assert len(resolver.all()) == len(flags_all())


def test_a_saved_override_is_seen_at_once(tenant):
    assert overrides_get() == {}

    override = FeatureOverride.objects.create(name="data-export", enabled=False)
    assert overrides_get() == {"data-export": False}

    override.enabled = True
    override.save()
    assert overrides_get() == {"data-export": True}

    override.delete()
    assert overrides_get() == {}


def test_another_tenants_override_is_not_seen_and_has_its_own_cache_key(tenant, other_tenant):
    acme_key = cache.make_key(OVERRIDES_KEY)
    assert overrides_get() == {}
    connection.set_tenant(other_tenant)
    FeatureOverride.objects.create(name="data-export", enabled=False)
    globex_key = cache.make_key(OVERRIDES_KEY)
    assert overrides_get() == {"data-export": False}
    connection.set_tenant(tenant)

    assert acme_key != globex_key
    assert (acme_key.split(":")[0], globex_key.split(":")[0]) == ("acme", "globex")
    assert overrides_get() == {}
    assert resolver_for(tenant).resolve("data-export") == Resolution("data-export", True, "region")
    assert resolver_for(other_tenant).resolve("data-export") == Resolution("data-export", False, "tenant")


def test_an_override_names_a_declared_flag():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        FeatureOverride(name="no-such-flag", enabled=True).full_clean()

    assert caught.value.message_dict == {"name": ["no-such-flag is not a feature flag."]}


def _request_for(tenant):
    request = RequestFactory().get("/")
    request.tenant = tenant
    request.features = resolver_for(tenant)
    return request


def test_the_decorator_answers_404_when_the_flag_is_off(tenant, declare):
    declare("reports", default=False)

    @feature_required("reports")
    def view(request):
        return HttpResponse("reports")

    with pytest.raises(Http404):
        view(_request_for(tenant))


def test_the_decorator_lets_the_view_run_when_the_flag_is_on(tenant, declare):
    declare("reports", default=False, regions={"eu": True})

    @feature_required("reports")
    def view(request):
        return HttpResponse("reports")

    assert view(_request_for(tenant)).content == b"reports"


class ReportsView(APIView):
    permission_classes = [FeatureEnabled.of("reports")]
    authentication_classes: list[type] = []

    def get(self, request):
        return Response({"reports": []})


def _api_call(tenant):
    request = APIRequestFactory().get("/api/v1/reports/")
    request.tenant = tenant
    request.features = resolver_for(tenant)
    response = ReportsView.as_view()(request)
    response.render()
    return response


def test_the_api_permission_refuses_when_the_flag_is_off(tenant, declare):
    declare("reports", default=False)

    response = _api_call(tenant)

    assert response.status_code == 403
    assert response.data["error"]["code"] == "PERMISSION_DENIED"
    assert response.data["error"]["message"] == "This feature is not enabled for your organisation."


def test_the_api_permission_allows_when_the_flag_is_on(tenant, declare):
    declare("reports", default=True)

    response = _api_call(tenant)

    assert (response.status_code, response.data) == (200, {"reports": []})


def test_the_api_permission_follows_the_second_tenants_own_flags(tenant, other_tenant, declare):
    declare("reports", default=False, regions={"usa": True})

    assert _api_call(tenant).status_code == 403
    assert _api_call(other_tenant).status_code == 200


TEMPLATE = Template('{% load features %}{% feature "reports" %}on{% else %}off{% endfeature %}')


def test_the_template_tag_renders_the_block_when_on_and_the_else_part_when_off(tenant, other_tenant, declare):
    declare("reports", default=False, regions={"usa": True})

    assert TEMPLATE.render(Context({"request": _request_for(tenant)})) == "off"
    assert TEMPLATE.render(Context({"request": _request_for(other_tenant)})) == "on"


def test_the_template_tag_without_a_request_renders_the_else_part(declare):
    declare("reports", default=True)

    assert TEMPLATE.render(Context({})) == "off"


def test_the_facade_answers_for_a_tenant_outside_a_request(tenant, other_tenant):
    from apps.features.facade import tenant_features, tenant_region

    connection.set_tenant(other_tenant)
    FeatureOverride.objects.create(name="gdpr-consent", enabled=True)
    connection.set_tenant(tenant)

    assert (tenant_region(tenant).name, tenant_region(other_tenant).name) == ("eu", "usa")
    assert tenant_features(other_tenant).resolve("gdpr-consent") == Resolution("gdpr-consent", True, "tenant")
    assert tenant_features(tenant).resolve("gdpr-consent") == Resolution("gdpr-consent", True, "region")
    assert connection.schema_name == "acme"
