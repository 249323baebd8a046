"""Request and trace ids, and the JSON log line every request writes."""

from __future__ import annotations

import io
import json
import logging
import logging.config
import uuid

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from apps.identity.tokens import TenantRefreshToken
from monopod.observability import trace_id_from_header


@pytest.fixture
def json_log():
    """Capture records of the access logger through MonoPod's own JSON formatter and context filter."""
    stream = io.StringIO()
    config = settings.LOGGING
    formatter = logging.config.DictConfigurator(config).configure_custom(dict(config["formatters"]["json"]))
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    handler.addFilter(logging.config.DictConfigurator(config).configure_custom(dict(config["filters"]["context"])))
    logger = logging.getLogger("monopod.access")
    logger.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)


def test_well_formed_request_id_is_kept_and_returned(tenant_client):
    request_id = uuid.uuid4().hex

    response = tenant_client.get("/health/live", HTTP_X_REQUEST_ID=request_id)

    assert response["X-Request-ID"] == request_id


@pytest.mark.parametrize("given", ["not-a-uuid", "x" * 300, "1; DROP TABLE", ""])
def test_malformed_request_id_is_replaced(tenant_client, given):
    response = tenant_client.get("/health/live", HTTP_X_REQUEST_ID=given)

    returned = response["X-Request-ID"]
    assert returned != given
    assert uuid.UUID(returned).hex == returned


def test_trace_id_comes_from_a_well_formed_traceparent():
    header = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

    assert trace_id_from_header(header) == "4bf92f3577b34da6a3ce929d0e0e4736"


@pytest.mark.parametrize(
    "header", [None, "garbage", "00-00000000000000000000000000000000-00f067aa0ba902b7-01", "00-xyz-abc-01"]
)
def test_trace_id_is_made_anew_otherwise(header):
    trace_id = trace_id_from_header(header)

    assert len(trace_id) == 32
    assert int(trace_id, 16) != 0


def test_access_line_carries_request_trace_tenant_and_user(tenant_client, admin_user, json_log):
    tenant_client.force_login(admin_user)
    traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

    response = tenant_client.get("/", HTTP_TRACEPARENT=traceparent)

    (line,) = json_log()
    assert line["message"] == "GET / 200"
    assert line["level"] == "INFO"
    assert line["logger"] == "monopod.access"
    assert line["request_id"] == response["X-Request-ID"]
    assert line["trace_id"] == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert response["X-Trace-ID"] == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert line["tenant"] == "acme"
    assert line["user"] == str(admin_user.pk)
    assert line["status"] == 200
    assert set(line) >= {"timestamp", "duration_ms", "method", "path"}


def test_access_line_names_the_user_of_a_bearer_token(tenant, admin_user, json_log):
    client = APIClient(HTTP_HOST="acme.localhost")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {TenantRefreshToken.for_user(admin_user).access_token}")

    client.get("/api/v1/auth/me/")

    (line,) = json_log()
    assert (line["message"], line["user"]) == ("GET /api/v1/auth/me/ 200", str(admin_user.pk))


def test_anonymous_access_line_has_no_user(tenant_client, json_log):
    tenant_client.get("/")

    (line,) = json_log()
    assert line["user"] is None
    assert line["tenant"] == "acme"
