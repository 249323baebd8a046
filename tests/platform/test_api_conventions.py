"""The API's conventions, on a throwaway resource over ``Group``: lists, filters, errors, throttles.

The resource is declared here as any app would declare one (filterset, serializer, a few viewset
lines) and routed on tenant hosts through this module's URLs.
"""

from __future__ import annotations

import logging
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.urls import include, path
from django_tenants.utils import tenant_context
from drf_spectacular.generators import SchemaGenerator
from rest_framework import routers, serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.test import APIClient

from apps.identity.roles import ADMIN, ensure_roles
from apps.identity.services import api_key_create
from monopod.api import Conflict, CursorPagination, FilterSet, TenantModelViewSet, exception_handler
from monopod.api.throttling import TenantPlanRateThrottle, throttle_rate_for
from tests.identity.factories import UserFactory

ACME_HOST = "acme.localhost"
GLOBEX_HOST = "globex.localhost"
GROUPS_URL = "/api/v1/testing/groups/"
LOG_URL = "/api/v1/testing/group-log/"


class GroupFilterSet(FilterSet):
    class Meta:
        model = Group
        fields = {"name": ["exact"], "id": ["exact", "gte", "lte"]}


class GroupSerializer(serializers.ModelSerializer[Group]):
    class Meta:
        model = Group
        fields = ["id", "name"]


class GroupViewSet(TenantModelViewSet):
    queryset = Group.objects.order_by("pk")
    serializer_class = GroupSerializer
    filterset_class = GroupFilterSet
    search_fields = ["name"]
    ordering_fields = ["name", "id"]
    api_scope = "testing"

    @action(detail=False, methods=["get"])
    def broken(self, request: Request) -> Response:
        raise RuntimeError("boom")

    @action(detail=False, methods=["post"])
    def conflict(self, request: Request) -> Response:
        raise Conflict("A group with this name is being created.")


class GroupLogViewSet(TenantModelViewSet):
    """An append-only list: cursor pages, newest first."""

    queryset = Group.objects.all()
    serializer_class = GroupSerializer
    pagination_class = CursorPagination
    http_method_names = ["get"]
    api_scope = "testing"


router = routers.SimpleRouter()
router.register("groups", GroupViewSet, basename="testing-group")
router.register("group-log", GroupLogViewSet, basename="testing-group-log")
urlpatterns = [path("api/v1/testing/", include(router.urls))]

resource = pytest.mark.urls(__name__)


@pytest.fixture(autouse=True)
def _fresh_throttle_history():
    # Throttle counters live in the cache, which outlives each test's database transaction.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def client(api_client) -> APIClient:
    """acme's admin, signed in on acme's host."""
    return api_client


@pytest.fixture
def groups(tenant) -> list[Group]:
    return [Group.objects.create(name=name) for name in ("zz-alpha", "zz-beta", "zz-gamma")]


def error_of(response) -> dict:
    """The envelope's content, once its request id is checked against the response's."""
    body = response.json()
    assert list(body) == ["error"]
    error = dict(body["error"])
    assert error.pop("request_id") == response["X-Request-ID"]
    return error


def unknown_parameter(name: str) -> dict:
    return {
        "code": "VALIDATION_ERROR",
        "message": f"{name}: Unknown query parameter.",
        "details": [{"field": name, "message": "Unknown query parameter.", "code": "invalid"}],
    }


# --- Lists: filters, search, ordering, pages


@resource
def test_list_filters_by_exact_value(client, groups):
    response = client.get(GROUPS_URL, {"name": "zz-beta"})

    assert response.status_code == 200
    assert response.json() == {
        "count": 1,
        "next": None,
        "previous": None,
        "results": [{"id": groups[1].pk, "name": "zz-beta"}],
    }


@resource
def test_list_filters_by_range(client, groups):
    response = client.get(GROUPS_URL, {"id__gte": groups[1].pk, "id__lte": groups[2].pk})

    assert response.status_code == 200
    assert [row["name"] for row in response.json()["results"]] == ["zz-beta", "zz-gamma"]


@resource
def test_list_searches_and_orders_by_an_allowed_field(client, groups):
    response = client.get(GROUPS_URL, {"search": "zz-", "ordering": "-name"})

    assert response.status_code == 200
    assert [row["name"] for row in response.json()["results"]] == ["zz-gamma", "zz-beta", "zz-alpha"]


@resource
def test_ordering_by_a_field_not_allowed_is_400(client, groups):
    response = client.get(GROUPS_URL, {"ordering": "permissions"})

    assert response.status_code == 400
    message = "Cannot order by permissions; allowed: id, name."
    assert error_of(response) == {
        "code": "VALIDATION_ERROR",
        "message": f"ordering: {message}",
        "details": [{"field": "ordering", "message": message, "code": "invalid"}],
    }


@resource
def test_unknown_query_parameter_is_400_naming_it(client, groups):
    response = client.get(GROUPS_URL, {"nmae": "zz-beta"})

    assert response.status_code == 400
    assert error_of(response) == unknown_parameter("nmae")


@resource
def test_search_and_ordering_are_unknown_to_a_view_that_allows_neither(client, groups):
    response = client.get(LOG_URL, {"search": "zz", "ordering": "name"})

    assert response.status_code == 400
    assert error_of(response)["details"] == [
        {"field": "ordering", "message": "Unknown query parameter.", "code": "invalid"},
        {"field": "search", "message": "Unknown query parameter.", "code": "invalid"},
    ]


@resource
def test_filter_value_of_the_wrong_type_is_400(client, groups):
    response = client.get(GROUPS_URL, {"id__gte": "abc"})

    assert response.status_code == 400
    assert error_of(response) == {
        "code": "VALIDATION_ERROR",
        "message": "id__gte: Enter a number.",
        "details": [{"field": "id__gte", "message": "Enter a number.", "code": "invalid"}],
    }


@resource
def test_pages_are_50_by_default_and_never_more_than_200(client, tenant):
    Group.objects.bulk_create(Group(name=f"zz-{number:03}") for number in range(205))

    default = client.get(GROUPS_URL, {"search": "zz-"}).json()
    capped = client.get(GROUPS_URL, {"search": "zz-", "page_size": 500}).json()
    last = client.get(GROUPS_URL, {"search": "zz-", "page_size": 200, "page": 2}).json()

    assert (default["count"], len(default["results"])) == (205, 50)
    assert (capped["count"], len(capped["results"])) == (205, 200)
    assert [row["name"] for row in last["results"]] == ["zz-200", "zz-201", "zz-202", "zz-203", "zz-204"]
    assert last["next"] is None


@resource
def test_cursor_pages_run_newest_first(client, groups):
    first = client.get(LOG_URL, {"page_size": 2})
    second = client.get(first.json()["next"])

    assert first.status_code == 200
    assert list(first.json()) == ["next", "previous", "results"]
    newest = sorted(Group.objects.values_list("pk", flat=True), reverse=True)
    assert [row["id"] for row in first.json()["results"]] == newest[:2]
    assert [row["id"] for row in second.json()["results"]] == newest[2:4]


@resource
def test_list_query_count_is_pinned(client, groups, django_assert_num_queries):
    client.get(GROUPS_URL)  # the first request of a test also loads content types and the session's user
    # Session, user; then count and page. Permissions come from the cache.
    with django_assert_num_queries(4):
        client.get(GROUPS_URL, {"search": "zz-"})


# --- Errors: one envelope for each


@resource
def test_unauthenticated_request_is_401(tenant, groups):
    response = APIClient(HTTP_HOST=ACME_HOST).get(GROUPS_URL)

    assert response.status_code == 401
    assert error_of(response) == {
        "code": "NOT_AUTHENTICATED",
        "message": "Authentication credentials were not provided.",
        "details": [],
    }


@resource
def test_viewer_reads_but_may_not_write(tenant, viewer_user, groups):
    viewer = APIClient(HTTP_HOST=ACME_HOST)
    viewer.force_login(viewer_user)

    read = viewer.get(GROUPS_URL, {"name": "zz-alpha"})
    write = viewer.post(GROUPS_URL, {"name": "zz-delta"}, format="json")

    assert read.status_code == 200
    assert write.status_code == 403
    assert error_of(write) == {
        "code": "PERMISSION_DENIED",
        "message": "You do not have permission to perform this action.",
        "details": [],
    }
    assert Group.objects.filter(name="zz-delta").count() == 0


@resource
def test_api_key_reads_with_the_read_scope_and_writes_only_with_the_write_scope(tenant, admin_user, groups):
    _key, raw_key = api_key_create(name="reader", scopes=["testing:read"], user=admin_user)
    keyed = APIClient(HTTP_HOST=ACME_HOST, HTTP_AUTHORIZATION=f"Api-Key {raw_key}")

    read = keyed.get(GROUPS_URL, {"name": "zz-alpha"})
    write = keyed.post(GROUPS_URL, {"name": "zz-delta"}, format="json")

    assert read.status_code == 200
    assert read.json()["count"] == 1
    assert write.status_code == 403
    assert error_of(write) == {
        "code": "PERMISSION_DENIED",
        "message": "This API key does not have the scopes this endpoint requires.",
        "details": [],
    }
    assert Group.objects.filter(name="zz-delta").count() == 0


@resource
def test_create_validates_and_names_the_field(client, groups):
    response = client.post(GROUPS_URL, {"name": "zz-alpha"}, format="json")

    assert response.status_code == 400
    assert error_of(response) == {
        "code": "VALIDATION_ERROR",
        "message": "name: group with this name already exists.",
        "details": [{"field": "name", "message": "group with this name already exists.", "code": "unique"}],
    }


def test_nested_validation_errors_are_flat_details_with_dotted_fields():
    exc = ValidationError(
        {"lines": [{}, {"sku": [ErrorDetail("Required.", code="required")]}], "non_field_errors": ["Bad."]}
    )

    response = exception_handler(exc, {})

    assert response.status_code == 400
    assert response.data == {
        "error": {
            "code": "VALIDATION_ERROR",
            "message": "lines.1.sku: Required.",
            "details": [
                {"field": "lines.1.sku", "message": "Required.", "code": "required"},
                {"field": None, "message": "Bad.", "code": "invalid"},
            ],
            "request_id": None,
        }
    }


@resource
def test_path_parameter_of_the_wrong_type_is_400(client, groups):
    response = client.get(f"{GROUPS_URL}abc/")

    assert response.status_code == 400
    message = "“abc” value must be an integer."
    assert error_of(response) == {
        "code": "VALIDATION_ERROR",
        "message": f"pk: {message}",
        "details": [{"field": "pk", "message": message, "code": "invalid"}],
    }


@resource
def test_missing_object_is_404(client, groups):
    response = client.get(f"{GROUPS_URL}{groups[2].pk + 1000}/")

    assert response.status_code == 404
    assert error_of(response) == {"code": "NOT_FOUND", "message": "No Group matches the given query.", "details": []}


@resource
def test_method_not_allowed_is_405(client, groups):
    response = client.delete(LOG_URL + f"{groups[0].pk}/")

    assert response.status_code == 405
    assert error_of(response) == {
        "code": "METHOD_NOT_ALLOWED",
        "message": 'Method "DELETE" not allowed.',
        "details": [],
    }
    assert Group.objects.filter(pk=groups[0].pk).count() == 1


@resource
def test_malformed_json_is_400(client, tenant):
    response = client.post(GROUPS_URL, '{"name": ', content_type="application/json")

    assert response.status_code == 400
    error = error_of(response)
    assert (error["code"], error["details"]) == ("PARSE_ERROR", [])
    assert error["message"].startswith("JSON parse error")


@resource
def test_unsupported_content_type_is_415(client, tenant):
    response = client.post(GROUPS_URL, "name=zz-delta", content_type="text/plain")

    assert response.status_code == 415
    assert error_of(response) == {
        "code": "UNSUPPORTED_MEDIA_TYPE",
        "message": 'Unsupported media type "text/plain" in request.',
        "details": [],
    }


@resource
def test_body_over_the_upload_limit_is_413_and_creates_nothing(client, tenant, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100

    response = client.post(GROUPS_URL, {"name": "zz-" + "x" * 120}, format="json")
    form = client.post(GROUPS_URL, {"name": "zz-" + "x" * 120})

    assert response.status_code == 413
    assert error_of(response) == {"code": "PAYLOAD_TOO_LARGE", "message": "Request body is too large.", "details": []}
    assert (form.status_code, error_of(form)["code"]) == (413, "PAYLOAD_TOO_LARGE")
    assert Group.objects.filter(name__startswith="zz-").count() == 0


@resource
def test_conflict_is_409(client, tenant):
    response = client.post(GROUPS_URL + "conflict/")

    assert response.status_code == 409
    assert error_of(response) == {
        "code": "CONFLICT",
        "message": "A group with this name is being created.",
        "details": [],
    }


@resource
def test_unhandled_exception_is_a_logged_500(client, tenant, caplog):
    with caplog.at_level(logging.ERROR, logger="monopod.api.errors"):
        response = client.get(GROUPS_URL + "broken/")

    assert response.status_code == 500
    assert error_of(response) == {"code": "SERVER_ERROR", "message": "A server error occurred.", "details": []}
    logged = [record for record in caplog.records if record.name == "monopod.api.errors"]
    assert [(record.getMessage(), repr(record.exc_info[1])) for record in logged if record.exc_info] == [
        ("Unhandled exception in API view GroupViewSet", "RuntimeError('boom')")
    ]
    assert len(logged) == 1


def test_unknown_api_url_is_a_404_envelope_and_other_urls_keep_their_page(tenant):
    acme = APIClient(HTTP_HOST=ACME_HOST)

    api = acme.get("/api/v1/no-such-module/")
    page = acme.get("/no-such-page/")

    assert api.status_code == 404
    assert api["Content-Type"] == "application/json"
    assert error_of(api) == {"code": "NOT_FOUND", "message": "Not found.", "details": []}
    assert page.status_code == 404
    assert page["Content-Type"] == "text/html; charset=utf-8"


# --- Throttles


WINDOW_START = 1_800_000_000.0  # a whole number of minutes since the epoch


@resource
def test_user_over_the_rate_gets_429_until_the_next_window(client, groups, settings, monkeypatch):
    settings.API_THROTTLE_RATES = {"default": "3/min"}
    monkeypatch.setattr(TenantPlanRateThrottle, "timer", staticmethod(lambda: WINDOW_START + 10))

    statuses = [client.get(GROUPS_URL).status_code for _ in range(3)]
    response = client.get(GROUPS_URL)
    monkeypatch.setattr(TenantPlanRateThrottle, "timer", staticmethod(lambda: WINDOW_START + 60))
    next_window = client.get(GROUPS_URL)

    assert statuses == [200, 200, 200]
    assert response.status_code == 429
    assert response["Retry-After"] == "50"
    assert error_of(response) == {
        "code": "THROTTLED",
        "message": "Request was throttled. Expected available in 50 seconds.",
        "details": [],
    }
    assert next_window.status_code == 200


@resource
def test_api_key_has_its_own_allowance_apart_from_its_user(client, admin_user, groups, settings):
    settings.API_THROTTLE_RATES = {"default": "2/min"}
    _key, raw_key = api_key_create(name="reader", scopes=["testing:read"], user=admin_user)
    keyed = APIClient(HTTP_HOST=ACME_HOST, HTTP_AUTHORIZATION=f"Api-Key {raw_key}")

    by_user = [client.get(GROUPS_URL).status_code for _ in range(3)]
    by_key = [keyed.get(GROUPS_URL).status_code for _ in range(3)]

    assert by_user == [200, 200, 429]
    assert by_key == [200, 200, 429]


@resource
def test_rate_follows_the_tenants_plan(client, tenant, groups, settings):
    settings.API_THROTTLE_RATES = {"default": "1/min", f"plan:{tenant.plan}": "3/min"}

    statuses = [client.get(GROUPS_URL).status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]


def test_most_specific_rate_wins(settings):
    settings.API_THROTTLE_RATES = {
        "default": "100/min",
        "plan:business": "600/min",
        "region:eu": "200/min",
        "plan:business:region:eu": "900/min",
    }

    rates = [
        throttle_rate_for(SimpleNamespace(plan=plan, region=region))
        for plan, region in (("business", "eu"), ("business", "usa"), ("free", "eu"), ("free", "usa"))
    ]

    assert rates == ["900/min", "600/min", "200/min", "100/min"]
    assert throttle_rate_for(None) == "100/min"


# --- Tenants


@resource
def test_second_tenant_sees_nothing_of_the_first(groups, other_tenant):
    with tenant_context(other_tenant):
        globex_admin = UserFactory(email="owner@globex.test")
        globex_admin.groups.add(*ensure_roles().filter(name=ADMIN))
        globex = APIClient(HTTP_HOST=GLOBEX_HOST)
        globex.force_login(globex_admin)

    listed = globex.get(GROUPS_URL, {"search": "zz-"})
    fetched = globex.get(f"{GROUPS_URL}{groups[0].pk}/")

    assert listed.status_code == 200
    assert listed.json() == {"count": 0, "next": None, "previous": None, "results": []}
    assert fetched.status_code == 404
    assert error_of(fetched)["code"] == "NOT_FOUND"


# --- OpenAPI


def test_schema_and_docs_are_served_on_tenant_hosts(tenant):
    acme = APIClient(HTTP_HOST=ACME_HOST)

    schema = acme.get("/api/schema/", {"format": "json"})
    docs = acme.get("/api/docs/")

    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/auth/token/" in paths
    assert "/api/v1/tenants/signup/" not in paths
    assert set(schema.json()["components"]["securitySchemes"]) == {"apiKeyAuth", "cookieAuth", "jwtAuth"}
    assert paths["/api/v1/auth/me/"]["get"]["tags"] == ["auth"]
    assert set(paths["/api/v1/auth/me/"]["get"]["responses"]) == {"200", "400", "401", "403", "429"}
    assert docs.status_code == 200


def test_schema_on_the_public_host_documents_signup(public_client):
    schema = public_client.get("/api/schema/", {"format": "json"})

    assert schema.status_code == 200
    assert list(schema.json()["paths"]) == ["/api/v1/tenants/signup/"]


@resource
def test_schema_documents_only_the_query_parameters_a_view_takes(tenant):
    schema = SchemaGenerator(urlconf=__name__).get_schema(request=None, public=True)

    def parameters(url: str) -> list[str]:
        return [parameter["name"] for parameter in schema["paths"][url]["get"]["parameters"]]

    assert parameters(GROUPS_URL) == ["id", "id__gte", "id__lte", "name", "ordering", "page", "page_size", "search"]
    assert parameters(LOG_URL) == ["cursor", "page_size"]
    assert set(schema["paths"][GROUPS_URL]["get"]["responses"]) == {"200", "400", "401", "403", "404", "429"}
    assert set(schema["paths"][f"{GROUPS_URL}{{id}}/"]["get"]["responses"]) == {
        "200",
        "304",
        "400",
        "401",
        "403",
        "404",
        "429",
    }
