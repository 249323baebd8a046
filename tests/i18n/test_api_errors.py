"""The API's error messages speak the language of the request's Accept-Language header."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from apps.tenants.provisioning import tenant_domain_name

MISSING_PRODUCT = {
    "en": "No Product matches the given query.",
    "fr": "Aucun objet Product ne correspond à la requête.",
    "de": "Kein Objekt vom Typ Product entspricht der Anfrage.",
    "ar": "لا يوجد كائن من النوع Product يطابق الاستعلام.",
}
UNKNOWN_URL = {"en": "Not found.", "fr": "Non trouvé.", "de": "Nicht gefunden.", "ar": "غير موجود."}
REQUIRED = {
    "en": "This field is required.",
    "fr": "Ce champ est obligatoire.",
    "de": "Dieses Feld ist zwingend erforderlich.",
    "ar": "هذا الحقل مطلوب.",
}
UNKNOWN_PARAMETER = {
    "en": "Unknown query parameter.",
    "fr": "Paramètre de requête inconnu.",
    "de": "Unbekannter Abfrageparameter.",
    "ar": "معامل استعلام غير معروف.",
}
LANGUAGES = ["en", "fr", "de", "ar"]


def _error(response):
    body = response.json()["error"]
    return {key: body[key] for key in ("code", "message", "details")}


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_missing_objects_404_is_in_the_accepted_language(api_client, language):
    response = api_client.get("/api/v1/catalog/products/999999/", HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 404
    assert response.headers["Content-Language"] == language
    assert _error(response) == {"code": "NOT_FOUND", "message": MISSING_PRODUCT[language], "details": []}


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_unknown_api_urls_404_is_in_the_accepted_language(api_client, language):
    response = api_client.get("/api/v1/no-such-resource/", HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 404
    assert _error(response) == {"code": "NOT_FOUND", "message": UNKNOWN_URL[language], "details": []}


@pytest.mark.parametrize("language", LANGUAGES)
def test_validation_errors_are_in_the_accepted_language(api_client, language):
    response = api_client.post(
        "/api/v1/catalog/products/", {"name": "Anvil"}, format="json", HTTP_ACCEPT_LANGUAGE=language
    )

    assert response.status_code == 400
    required = REQUIRED[language]
    assert _error(response) == {
        "code": "VALIDATION_ERROR",
        "message": f"sku: {required}",
        "details": [
            {"field": "sku", "message": required, "code": "required"},
            {"field": "unit_price", "message": required, "code": "required"},
        ],
    }


@pytest.mark.parametrize("language", LANGUAGES)
def test_monopods_own_error_messages_are_in_the_accepted_language(api_client, language):
    response = api_client.get("/api/v1/catalog/products/?colour=red", HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 400
    message = UNKNOWN_PARAMETER[language]
    assert _error(response) == {
        "code": "VALIDATION_ERROR",
        "message": f"colour: {message}",
        "details": [{"field": "colour", "message": message, "code": "invalid"}],
    }


def test_the_first_supported_language_of_the_header_is_taken(api_client):
    response = api_client.get("/api/v1/catalog/products/999999/", HTTP_ACCEPT_LANGUAGE="ja, de-AT;q=0.9, fr;q=0.8")

    assert response.headers["Content-Language"] == "de"
    assert _error(response)["message"] == MISSING_PRODUCT["de"]


def test_without_the_header_the_api_answers_in_the_regions_language(api_client):
    response = api_client.get("/api/v1/catalog/products/999999/")

    assert response.headers["Content-Language"] == "en"
    assert _error(response)["message"] == MISSING_PRODUCT["en"]


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_another_tenant_answers_in_the_accepted_language_too(other_tenant, language):
    client = APIClient(HTTP_HOST=tenant_domain_name(other_tenant.schema_name))

    response = client.get("/api/v1/no-such-resource/", HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 404
    assert response.headers["Content-Language"] == language
    assert _error(response) == {"code": "NOT_FOUND", "message": UNKNOWN_URL[language], "details": []}
