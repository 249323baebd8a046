"""The request's region: language choice, time zone, flags, and money written for the region and language."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone, translation

from apps.features.formatting import current_region_var, money_format, number_format
from apps.features.middleware import RegionMiddleware
from apps.features.regions import region_get
from apps.tenants.models import Tenant

NBSP = "\u00a0"


def _served(tenant: Tenant, path: str = "/", **headers: str) -> tuple[HttpResponse, dict[str, object]]:
    """The middleware around a view that reports what it saw."""
    seen: dict[str, object] = {}

    def view(request):
        seen.update(
            language=translation.get_language(),
            time_zone=timezone.get_current_timezone_name(),
            region=request.region.name,
            features=request.features,
            LANGUAGE_CODE=request.LANGUAGE_CODE,
        )
        return HttpResponse("ok")

    request = RequestFactory().get(path, **headers)
    request.tenant = tenant
    with translation.override("en"):
        response = RegionMiddleware(view)(request)
    return response, seen


@pytest.fixture
def gulf(tenant: Tenant) -> Tenant:
    tenant.region = "gulf"
    return tenant


def test_a_gulf_tenants_pages_come_in_arabic_by_default(gulf):
    response, seen = _served(gulf)

    assert (seen["language"], seen["LANGUAGE_CODE"], seen["region"]) == ("ar", "ar", "gulf")
    assert response.headers["Content-Language"] == "ar"
    assert translation.get_language_bidi() is False  # outside the request, nothing stays switched


def test_the_language_cookie_beats_the_region_default(gulf):
    _response, seen = _served(gulf, HTTP_COOKIE=f"{settings.LANGUAGE_COOKIE_NAME}=fr")

    assert seen["language"] == "fr"


def test_the_cookie_beats_accept_language_on_the_api(gulf):
    cookie = f"{settings.LANGUAGE_COOKIE_NAME}=fr"
    _response, seen = _served(gulf, "/api/v1/features/", HTTP_COOKIE=cookie, HTTP_ACCEPT_LANGUAGE="de")

    assert seen["language"] == "fr"


def test_accept_language_beats_the_region_default_on_the_api(gulf):
    _response, seen = _served(gulf, "/api/v1/features/", HTTP_ACCEPT_LANGUAGE="de-CH,de;q=0.9,en;q=0.5")

    assert seen["language"] == "de"


def test_accept_language_does_not_choose_for_pages(gulf):
    _response, seen = _served(gulf, "/", HTTP_ACCEPT_LANGUAGE="de")

    assert seen["language"] == "ar"


def test_an_unsupported_cookie_or_header_falls_back_to_the_region_default(gulf):
    cookie = f"{settings.LANGUAGE_COOKIE_NAME}=xx"
    _response, seen = _served(gulf, "/api/v1/features/", HTTP_COOKIE=cookie, HTTP_ACCEPT_LANGUAGE="ja")

    assert seen["language"] == "ar"


def test_the_regions_time_zone_is_active_during_the_request_only(tenant, other_tenant):
    _response, seen_eu = _served(tenant)
    _response, seen_usa = _served(other_tenant)

    assert seen_eu["time_zone"] == "Europe/Brussels"
    assert seen_usa["time_zone"] == "America/New_York"
    assert timezone.get_current_timezone_name() == "UTC"


def test_the_api_answers_in_utc_whatever_the_region(tenant, other_tenant):
    _response, seen_eu = _served(tenant, "/api/v1/features/")
    _response, seen_usa = _served(other_tenant, "/api/v1/features/")

    assert (seen_eu["time_zone"], seen_usa["time_zone"]) == ("UTC", "UTC")


def test_the_request_carries_its_tenants_flags(tenant, other_tenant):
    _response, seen_eu = _served(tenant)
    _response, seen_usa = _served(other_tenant)

    assert seen_eu["features"].is_active("gdpr-consent") is True
    assert seen_usa["features"].is_active("gdpr-consent") is False


def test_the_public_site_takes_the_platforms_region(db):
    request = RequestFactory().get("/")
    seen = {}
    RegionMiddleware(lambda r: seen.update(region=r.region.name) or HttpResponse())(request)

    assert seen == {"region": settings.REGION}


def test_pages_of_the_tenant_answer_in_the_regions_language(tenant_client, tenant):
    Tenant.objects.filter(pk=tenant.pk).update(region="gulf")

    response = tenant_client.get("/accounts/login/")

    assert response.status_code == 200
    assert response.headers["Content-Language"] == "ar"
    assert b'dir="rtl"' in response.content


GULF = region_get("gulf")
EU = region_get("eu")


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ar", f"1,234,567.50{NBSP}د.إ."),
        ("fr", f"1{NBSP}234{NBSP}567,50{NBSP}AED"),
        ("en", f"AED{NBSP}1,234,567.50"),
    ],
)
def test_money_in_the_gulf_region(language, expected):
    assert money_format(Decimal("1234567.5"), region=GULF, language=language) == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "€1,234.50"),
        ("fr", f"1{NBSP}234,50{NBSP}€"),
        ("de", f"1.234,50{NBSP}€"),
        ("ar", f"1.234,50{NBSP}€"),
    ],
)
def test_money_in_the_eu_region(language, expected):
    assert money_format("1234.5", region=EU, language=language) == expected


def test_money_rounds_half_up_to_the_currencys_minor_unit_and_keeps_the_sign():
    assert money_format("-0.005", region=EU, language="en") == "-€0.01"
    assert money_format("1000", region=EU, currency="JPY", language="en") == "JPY\u00a01,000"
    assert money_format("1.2345", region=EU, currency="KWD", language="fr") == f"1,235{NBSP}KWD"


def test_numbers_are_grouped_with_the_asked_decimals():
    assert number_format(1234567, decimals=0, region=GULF, language="ar") == "1,234,567"
    assert number_format("0.5", decimals=2, region=EU, language="fr") == "0,50"


def test_a_value_that_is_no_number_is_refused():
    with pytest.raises(ValueError, match=r"^'abc' is not a number$"):
        number_format("abc", decimals=2, region=EU, language="en")


def test_the_template_filters_use_the_requests_region_and_the_active_language():
    template = Template(
        '{% load features %}{{ price|money }} {{ price|money:"USD" }} {{ count|number:0 }} {{ bad|money }}.'
    )
    token = current_region_var.set(GULF)
    try:
        with translation.override("ar"):
            arabic = template.render(Context({"price": Decimal("99.9"), "count": 12000, "bad": "x"}))
        with translation.override("fr"):
            french = template.render(Context({"price": Decimal("99.9"), "count": 12000, "bad": "x"}))
    finally:
        current_region_var.reset(token)

    assert arabic == f"99.90{NBSP}د.إ. 99.90{NBSP}$ 12,000 ."
    assert french == f"99,90{NBSP}AED 99,90{NBSP}$ 12{NBSP}000 ."
