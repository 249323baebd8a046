"""The API keeps the contract its OpenAPI schema states, checked by Schemathesis through the whole stack.

Schemathesis generates requests from the schema (valid ones and deliberately invalid ones) for every
operation of the tenant API, with the catalog resource standing in for a module's CRUD resource, and
sends them to the real WSGI application on acme's host: tenant middleware, authentication, roles,
throttles, filters and the error envelope all take part. Each response must then conform to the schema.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from rest_framework.throttling import SimpleRateThrottle
from schemathesis.openapi.checks import RejectedPositiveData

from apps.identity.tokens import TenantRefreshToken
from monopod.idempotency.models import IdempotencyRecord
from monopod.wsgi import application

HOST = "acme.localhost"
URLCONF = "tests.catalog.urls"
EXAMPLES_PER_OPERATION = 25


def _tenant_api_schema() -> dict[str, Any]:
    """The tenant API's schema as clients download it, with the catalog resource added."""
    generated = SchemaGenerator(urlconf=URLCONF).get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(generated))


schema = schemathesis.openapi.from_dict(
    _tenant_api_schema(),
    config=schemathesis.Config.from_dict(
        {
            "generation": {
                "deterministic": True,
                "max-examples": EXAMPLES_PER_OPERATION,
                # PostgreSQL stores no NUL character: Django refuses one in any text (400).
                "allow-x00": False,
                # The run authenticates itself (below); generated credentials would only be refused.
                "with-security-parameters": False,
            },
        }
    ),
)
schema.app = application


# Refusals of schema-valid data for what an OpenAPI schema cannot state: uniqueness (a SKU an earlier
# example already created), that a referenced id exists, that a text is more than whitespace (it is
# trimmed, then blank), a minimum of a decimal sent as a string ("0" for a quantity above zero); and,
# which the schema could state but drf-spectacular does not, that a nested list is not empty (an
# order's lines).
BEYOND_THE_SCHEMA = {"unique", "does_not_exist", "blank", "min_value", "empty"}


@schema.hook
def filter_failure(context: Any, failure: Any, case: schemathesis.Case, response: Any) -> bool:
    if isinstance(failure, RejectedPositiveData):
        details = response.json()["error"]["details"] if response.status_code == 400 else []
        return not (details and all(detail["code"] in BEYOND_THE_SCHEMA for detail in details))
    return True


pytestmark = pytest.mark.urls(URLCONF)


@pytest.fixture
def admin_token(admin_user: Any) -> str:
    """An access token of acme's Admin, who holds every permission, so every operation is reached."""
    return str(TenantRefreshToken.for_user(admin_user).access_token)


@pytest.fixture
def _whole_stack_in_test_transaction(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # The WSGI handler closes the database connection after each request, as it must in production;
    # here that would end the test's transaction. Django's test client disconnects the same receiver.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    # Throttles would answer 429 after a few requests and hide the endpoints behind them.
    settings.API_THROTTLE_RATES = {"default": "100000/min"}
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"auth_token": "100000/min", "signup": "100000/hour"})
    cache.clear()
    yield
    cache.clear()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@pytest.mark.usefixtures("_whole_stack_in_test_transaction")
@settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow], deadline=None, database=None
)
def test_api_conforms_to_its_schema(case: schemathesis.Case, admin_token: str) -> None:
    # Each generated request is a new one: a key the generator happens to repeat is not a client's retry.
    IdempotencyRecord.objects.all().delete()
    case.call_and_validate(base_url=f"http://{HOST}", headers={"Authorization": f"Bearer {admin_token}"})
