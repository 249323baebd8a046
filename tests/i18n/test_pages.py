"""Pages in the chosen language: Arabic right to left, and the language chosen through set_language sticks."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client

from apps.tenants.provisioning import tenant_domain_name
from tests.catalog.models import Product

HTML_TAG = {
    "ar": '<html lang="ar" dir="rtl">',
    "fr": '<html lang="fr" dir="ltr">',
    "de": '<html lang="de" dir="ltr">',
    "en": '<html lang="en" dir="ltr">',
}
SIGN_IN_PROMPT = {
    "ar": "سجّل الدخول للمتابعة",
    "fr": "Connectez-vous pour continuer",
    "de": "Melden Sie sich an, um fortzufahren",
    "en": "Sign in to continue",
}


def _client_on(tenant, language: str | None = None) -> Client:
    client = Client(HTTP_HOST=tenant_domain_name(tenant.schema_name))
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


@pytest.mark.parametrize("which", ["tenant", "other_tenant"])
def test_a_tenants_page_in_arabic_is_right_to_left(request, which):
    client = _client_on(request.getfixturevalue(which), "ar")

    response = client.get("/")

    html = response.content.decode()
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "ar"
    assert html.count(HTML_TAG["ar"]) == 1
    assert f"<h2>{SIGN_IN_PROMPT['ar']}</h2>" in html


@pytest.mark.parametrize("language", ["fr", "de"])
def test_french_and_german_pages_are_left_to_right(tenant, language):
    response = _client_on(tenant, language).get("/")

    html = response.content.decode()
    assert html.count(HTML_TAG[language]) == 1
    assert f"<h2>{SIGN_IN_PROMPT[language]}</h2>" in html


def test_a_signed_in_members_list_page_is_translated_throughout(tenant, admin_user):
    Product.objects.create(sku="ANV-1", name="Anvil", unit_price=Decimal("99.00"), quantity=4)
    client = _client_on(tenant, "ar")
    client.force_login(admin_user)

    html = client.get("/catalog/products/").content.decode()

    assert html.count(HTML_TAG["ar"]) == 1
    for arabic in ("انتقل إلى المحتوى", "تسجيل الخروج", "تصدير CSV", "حذف المحدد", "عنصر واحد · الصفحة 1 من 1"):
        assert arabic in html
    for english in ("Skip to content", "Sign out", "Export CSV", "Delete selected", "1 item · page 1 of 1"):
        assert english not in html


@pytest.mark.parametrize("which", ["tenant", "other_tenant"])
def test_a_language_chosen_with_set_language_sticks(request, which):
    client = _client_on(request.getfixturevalue(which))
    assert HTML_TAG["en"] in client.get("/").content.decode()

    response = client.post("/i18n/setlang/", {"language": "de", "next": "/"})

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "de"
    for _visit in range(2):
        html = client.get("/").content.decode()
        assert html.count(HTML_TAG["de"]) == 1
        assert f"<h2>{SIGN_IN_PROMPT['de']}</h2>" in html


def test_set_language_ignores_a_language_nobody_translates_into(tenant):
    client = _client_on(tenant, "fr")

    response = client.post("/i18n/setlang/", {"language": "tlh", "next": "/"})

    assert response.status_code == 302
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    assert HTML_TAG["fr"] in client.get("/").content.decode()


def test_the_chosen_language_beats_the_api_clients_accept_language(tenant, admin_user):
    client = _client_on(tenant)
    client.force_login(admin_user)
    client.post("/i18n/setlang/", {"language": "ar", "next": "/"})

    response = client.get("/api/v1/catalog/products/999999/", HTTP_ACCEPT_LANGUAGE="fr")

    assert response.headers["Content-Language"] == "ar"
    assert response.json()["error"]["message"] == "لا يوجد كائن من النوع Product يطابق الاستعلام."
