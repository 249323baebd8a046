"""The webhooks API: endpoints through the shared resource suite, the secret, the URL guard, attempts."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from django_tenants.utils import tenant_context

from apps.events.webhooks.models import WebhookAttempt, WebhookEndpoint
from apps.identity.roles import ADMIN, MANAGER, VIEWER
from tests.api_cases import GLOBEX_HOST, APIResourceTests, bearer_client, error_of, role_user

ENDPOINTS = "/api/v1/webhooks/endpoints/"
ATTEMPTS = "/api/v1/webhooks/attempts/"
# Literal public addresses: validation resolves nothing, so the tests need no DNS.
PUBLIC = "https://93.184.215.14"


class TestWebhookEndpointAPI(APIResourceTests):
    url = ENDPOINTS
    model = WebhookEndpoint
    api_scope = "webhooks"
    create_data = [
        {"url": f"{PUBLIC}/hooks/stock", "patterns": ["ims.stock.*"], "description": "Stock feed"},
        {"url": f"{PUBLIC}/hooks/all", "patterns": ["*.*.*"], "secret": "a-secret-of-our-choosing", "active": False},
    ]
    update_data = {"description": "Orders feed", "patterns": ["commerce.order.*", "*.*.created"]}
    invalid_data = ({"url": "http://127.0.0.1/hook", "patterns": ["*.*.*"]}, "url")
    filter_cases = [({"active": "false"}, [1]), ({"active": "true"}, [0, 2])]
    search_case = ("crm", [2])
    ordering_field = "url"
    # Writes are Admins' only: an endpoint sends the tenant's events, and their data, outside.
    role_actions = {ADMIN: {"view", "add", "change", "delete"}, MANAGER: {"view"}, VIEWER: {"view"}}

    def make_objects(self):
        return [
            WebhookEndpoint.objects.create(url=f"{PUBLIC}/b", patterns=["ims.*.*"]),
            WebhookEndpoint.objects.create(url=f"{PUBLIC}/c", patterns=["*.*.*"], active=False),
            WebhookEndpoint.objects.create(url=f"{PUBLIC}/a", patterns=["crm.*.*"], description="CRM sync"),
        ]


@pytest.fixture
def client(admin_user):
    return bearer_client(admin_user)


def test_create_answers_a_generated_secret_once(client):
    created = client.post(ENDPOINTS, {"url": f"{PUBLIC}/hook", "patterns": ["*.*.*"]}, format="json")

    assert created.status_code == 201
    secret = created.json()["secret"]
    endpoint = WebhookEndpoint.objects.get(pk=created.json()["id"])
    assert endpoint.secret == secret
    assert len(secret) == 43
    fetched = client.get(f"{ENDPOINTS}{endpoint.pk}/").json()
    assert "secret" not in fetched
    assert "secret" not in client.get(ENDPOINTS).json()["results"][0]


def test_a_secret_can_be_set_and_is_not_shown_after(client, tenant):
    endpoint = WebhookEndpoint.objects.create(url=f"{PUBLIC}/hook", patterns=["*.*.*"])

    response = client.patch(f"{ENDPOINTS}{endpoint.pk}/", {"secret": "rotated-secret-0123456789"}, format="json")

    assert response.status_code == 200
    assert "secret" not in response.json()
    endpoint.refresh_from_db()
    assert endpoint.secret == "rotated-secret-0123456789"


def test_a_short_secret_is_refused(client):
    response = client.post(
        ENDPOINTS, {"url": f"{PUBLIC}/hook", "patterns": ["*.*.*"], "secret": "short"}, format="json"
    )

    assert response.status_code == 400
    assert [detail["field"] for detail in error_of(response)["details"]] == ["secret"]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://127.0.0.1/hook", "The host '127.0.0.1' resolves to 127.0.0.1, a private or reserved address."),
        ("http://10.1.2.3/hook", "The host '10.1.2.3' resolves to 10.1.2.3, a private or reserved address."),
        (
            "http://169.254.169.254/latest/meta-data/",
            "The host '169.254.169.254' resolves to 169.254.169.254, a private or reserved address.",
        ),
        ("http://[::1]:8000/hook", "The host '::1' resolves to ::1, a private or reserved address."),
        ("http://localhost/hook", "The host 'localhost' resolves to"),
        ("ftp://example.com/hook", "Only http and https URLs are allowed."),
    ],
)
def test_a_url_that_is_not_public_http_is_refused_at_registration(client, url, message):
    response = client.post(ENDPOINTS, {"url": url, "patterns": ["*.*.*"]}, format="json")

    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "VALIDATION_ERROR"
    assert [detail["field"] for detail in error["details"]] == ["url"]
    assert [detail["message"] for detail in error["details"] if detail["message"].startswith(message)]
    assert WebhookEndpoint.objects.count() == 0


def test_a_host_that_does_not_resolve_yet_is_accepted(client):
    response = client.post(ENDPOINTS, {"url": "https://hooks.example.invalid/in", "patterns": ["*.*.*"]}, format="json")

    assert response.status_code == 201


def test_a_private_url_is_accepted_when_private_networks_are_allowed(client, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = True

    response = client.post(ENDPOINTS, {"url": "http://127.0.0.1:9000/hook", "patterns": ["*.*.*"]}, format="json")

    assert response.status_code == 201


@pytest.mark.parametrize("patterns", [["ims.stock"], ["IMS.stock.*"], ["ims.**.x"], ["ims.stock.*.x"]])
def test_a_pattern_the_registry_would_refuse_is_refused(client, patterns):
    response = client.post(ENDPOINTS, {"url": f"{PUBLIC}/hook", "patterns": patterns}, format="json")

    assert response.status_code == 400
    assert [detail["field"] for detail in error_of(response)["details"]] == ["patterns.0"]


def test_an_endpoint_needs_a_pattern(client):
    response = client.post(ENDPOINTS, {"url": f"{PUBLIC}/hook", "patterns": []}, format="json")

    assert response.status_code == 400
    assert [detail["field"] for detail in error_of(response)["details"]] == ["patterns"]


# --- attempts


def attempt_of(endpoint: WebhookEndpoint, number: int, status: str = "retrying") -> WebhookAttempt:
    return WebhookAttempt.objects.create(
        endpoint=endpoint,
        event_id=uuid.UUID(int=number),
        event_type="ims.stock.low_threshold_reached",
        attempt=number,
        requested_at=datetime(2026, 11, 23, 10, number, tzinfo=UTC),
        response_status=500,
        latency_ms=12,
        response_excerpt="boom",
        status=status,
    )


def test_attempts_list_newest_first_and_filter_by_endpoint(client, tenant):
    first = WebhookEndpoint.objects.create(url=f"{PUBLIC}/a", patterns=["*.*.*"])
    second = WebhookEndpoint.objects.create(url=f"{PUBLIC}/b", patterns=["*.*.*"])
    one, two = attempt_of(first, 1), attempt_of(first, 2, "dead")
    attempt_of(second, 3)

    response = client.get(ATTEMPTS, {"endpoint": first.pk})

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["id"] for row in rows] == [two.pk, one.pk]
    assert rows[0] == {
        "id": two.pk,
        "endpoint": first.pk,
        "event_id": str(uuid.UUID(int=2)),
        "event_type": "ims.stock.low_threshold_reached",
        "attempt": 2,
        "requested_at": "2026-11-23T10:02:00Z",
        "response_status": 500,
        "latency_ms": 12,
        "response_excerpt": "boom",
        "error": "",
        "next_retry_at": None,
        "status": "dead",
    }
    assert [row["id"] for row in client.get(ATTEMPTS, {"status": "dead"}).json()["results"]] == [two.pk]


def test_attempts_are_read_only(client, tenant):
    endpoint = WebhookEndpoint.objects.create(url=f"{PUBLIC}/a", patterns=["*.*.*"])
    attempt = attempt_of(endpoint, 1)

    created = client.post(ATTEMPTS, {"endpoint": endpoint.pk}, format="json")
    changed = client.patch(f"{ATTEMPTS}{attempt.pk}/", {"status": "delivered"}, format="json")
    deleted = client.delete(f"{ATTEMPTS}{attempt.pk}/")

    assert (created.status_code, changed.status_code, deleted.status_code) == (405, 405, 405)
    assert WebhookAttempt.objects.get(pk=attempt.pk).status == "retrying"


def test_globex_sees_none_of_acmes_attempts(client, tenant, other_tenant):
    endpoint = WebhookEndpoint.objects.create(url=f"{PUBLIC}/a", patterns=["*.*.*"])
    attempt = attempt_of(endpoint, 1)

    with tenant_context(other_tenant):
        globex = bearer_client(role_user(ADMIN, "owner-hooks@globex.test"), GLOBEX_HOST)
        listed: Any = globex.get(ATTEMPTS)
        fetched = globex.get(f"{ATTEMPTS}{attempt.pk}/")

    assert (listed.status_code, listed.json()["results"], fetched.status_code) == (200, [], 404)
