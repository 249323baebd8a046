"""The shared test suite of an API resource: every module's resource gets it in a few declarative lines.

A resource's tests subclass ``APIResourceTests`` and declare what is particular to it::

    class TestProductAPI(APIResourceTests):
        url = "/api/v1/catalog/products/"
        model = Product
        api_scope = "catalog"
        create_data = [{"sku": "B-1", "name": "Bolt", "unit_price": "0.25"}]
        update_data = {"quantity": 9}
        invalid_data = ({"sku": "B-2", "name": "Bolt", "unit_price": "-1"}, "unit_price")
        filter_cases = [({"category": "service"}, [2])]
        search_case = ("anvil", [0])
        ordering_field = "unit_price"

        def make_objects(self):
            return [Product.objects.create(...), Product.objects.create(...), Product.objects.create(...)]

and inherit the tests of everything a resource promises (docs/api.md): list and its pages, filters,
search and ordering (and the 400 for what is not allowed), retrieve with its ETag, create, update and
delete with their audit entries, the validation envelope, If-Match, Idempotency-Key, role
permissions, API key scopes, and isolation from a second tenant. Objects are named by their index in
``make_objects()``; lists are compared in the resource's default order.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any, ClassVar

import pytest
from django.core.cache import cache
from django.db.models import Model
from django.urls import clear_url_caches, set_urlconf
from django_tenants.utils import tenant_context
from rest_framework.test import APIClient

from apps.audit.models import AuditEntry
from apps.identity.models import User
from apps.identity.roles import ADMIN, MANAGER, VIEWER, ensure_roles
from apps.identity.services import api_key_create
from apps.identity.tokens import TenantRefreshToken
from tests.identity.factories import UserFactory

ACME_HOST = "acme.localhost"
GLOBEX_HOST = "globex.localhost"
ACTIONS = ("view", "add", "change", "delete")


def bearer_client(user: User, host: str = ACME_HOST) -> APIClient:
    """An API client on ``host`` sending a JWT of ``user`` (minted in the current schema)."""
    client = APIClient(HTTP_HOST=host)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {TenantRefreshToken.for_user(user).access_token}")
    return client


def role_user(role: str, email: str) -> User:
    user = UserFactory(email=email, is_staff=role == ADMIN)
    user.groups.add(*ensure_roles().filter(name=role))
    return user


def error_of(response: Any) -> dict[str, Any]:
    """The envelope's content, once its shape and request id are checked."""
    body = response.json()
    assert list(body) == ["error"], body
    error = dict(body["error"])
    assert sorted(error) == ["code", "details", "message", "request_id"]
    assert error.pop("request_id") == response["X-Request-ID"]
    return error


class APIResourceTests:
    """Tests every resource inherits; see the module's docstring for what a subclass declares."""

    url: ClassVar[str]
    model: ClassVar[type[Model]]
    api_scope: ClassVar[str]
    # A tenant URLconf that routes the resource, when it is not (yet) in monopod.urls_tenant.
    urlconf: ClassVar[str | None] = None
    create_data: ClassVar[Sequence[dict[str, Any]]]
    update_data: ClassVar[dict[str, Any]]
    # A payload the resource refuses, and the field the error names.
    invalid_data: ClassVar[tuple[dict[str, Any], str]]
    # (query, indexes of make_objects() the list answers, in default order).
    filter_cases: ClassVar[Sequence[tuple[dict[str, Any], list[int]]]] = ()
    search_case: ClassVar[tuple[str, list[int]] | None] = None
    # A field of ordering_fields whose values differ between the objects.
    ordering_field: ClassVar[str | None] = None
    # What each role may do ("view", "add", "change", "delete"); a module adds its own roles.
    role_actions: ClassVar[dict[str, set[str]]] = {
        ADMIN: {"view", "add", "change", "delete"},
        MANAGER: {"view", "add", "change"},
        VIEWER: {"view"},
    }

    @staticmethod
    def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
        """One test of role permissions per role the subclass names."""
        if "role" in metafunc.fixturenames and metafunc.cls is not None:
            metafunc.parametrize("role", sorted(metafunc.cls.role_actions))

    def make_objects(self) -> list[Model]:
        """At least three objects in the current tenant, differing in what filters and ordering use."""
        raise NotImplementedError

    # --- fixtures

    @pytest.fixture(autouse=True)
    def _resource_urls(self, settings: Any) -> Iterator[None]:
        if self.urlconf:
            settings.ROOT_URLCONF = self.urlconf
            clear_url_caches()
            set_urlconf(None)
        cache.clear()  # throttle counters outlive each test's transaction
        yield
        if self.urlconf:
            clear_url_caches()
            set_urlconf(None)
        cache.clear()

    @pytest.fixture
    def objects(self, tenant: Any) -> list[Model]:
        made = self.make_objects()
        assert len(made) >= 3, "make_objects() must make at least three objects"
        return made

    @pytest.fixture
    def client(self, admin_user: User) -> APIClient:
        """acme's Admin, with a bearer token, as integrations call the API."""
        return bearer_client(admin_user)

    def detail_url(self, obj: Model) -> str:
        return f"{self.url}{obj.pk}/"

    def ids(self, response: Any) -> list[Any]:
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    def in_order(self, objects: list[Model], indexes: list[int]) -> list[Any]:
        """The pks of ``objects[indexes]`` in the resource's default order."""
        wanted = {objects[index].pk for index in indexes}
        return [pk for pk in self.model._default_manager.values_list("pk", flat=True) if pk in wanted]

    def audit_actions(self, pk: Any) -> list[str]:
        entries = AuditEntry.objects.filter(object_type=self.model._meta.label_lower, object_id=str(pk))
        return list(entries.order_by("seq").values_list("action", flat=True))

    # --- list

    def test_list_answers_a_page_of_every_object(self, client, objects):
        response = client.get(self.url)

        assert response.status_code == 200
        body = response.json()
        assert (body["count"], body["next"], body["previous"]) == (len(objects), None, None)
        assert [row["id"] for row in body["results"]] == self.in_order(objects, list(range(len(objects))))

    def test_list_pages_by_page_size(self, client, objects):
        first = client.get(self.url, {"page_size": 2})
        second = client.get(self.url, {"page_size": 2, "page": 2})

        everything = self.in_order(objects, list(range(len(objects))))
        assert first.json()["count"] == len(objects)
        assert self.ids(first) + self.ids(second) == everything[:4]
        assert first.json()["next"].endswith("page=2&page_size=2")

    def test_list_refuses_an_unknown_parameter(self, client, objects):
        response = client.get(self.url, {"colour": "red"})

        assert response.status_code == 400
        assert error_of(response) == {
            "code": "VALIDATION_ERROR",
            "message": "colour: Unknown query parameter.",
            "details": [{"field": "colour", "message": "Unknown query parameter.", "code": "invalid"}],
        }

    def test_list_filters(self, client, objects):
        assert self.filter_cases, "declare filter_cases: every list filters"
        for query, indexes in self.filter_cases:
            assert self.ids(client.get(self.url, query)) == self.in_order(objects, indexes), query

    def test_list_searches(self, client, objects):
        if self.search_case is None:
            assert client.get(self.url, {"search": "x"}).status_code == 400
            return
        term, indexes = self.search_case
        assert self.ids(client.get(self.url, {"search": term})) == self.in_order(objects, indexes)

    def test_list_orders_by_allowed_fields_only(self, client, objects):
        refused = client.get(self.url, {"ordering": "pk_but_not_allowed"})
        assert refused.status_code == 400
        assert error_of(refused)["details"][0]["field"] == "ordering"
        if self.ordering_field is None:
            return
        field = self.ordering_field
        ordered = self.model._default_manager.order_by(field, "pk").values_list("pk", flat=True)
        reverse = self.model._default_manager.order_by(f"-{field}", "-pk").values_list("pk", flat=True)
        assert self.ids(client.get(self.url, {"ordering": field})) == list(ordered)
        assert self.ids(client.get(self.url, {"ordering": f"-{field}"})) == list(reverse)

    # --- retrieve

    def test_retrieve_answers_the_object_with_an_etag(self, client, objects):
        response = client.get(self.detail_url(objects[0]))

        assert response.status_code == 200
        assert response.json()["id"] == objects[0].pk
        assert re.fullmatch(r'"[0-9a-f]{32}"', response["ETag"])

    def test_retrieve_of_a_missing_object_is_a_404(self, client, objects):
        missing = max(obj.pk for obj in objects) + 1000

        response = client.get(f"{self.url}{missing}/")

        assert response.status_code == 404
        message = f"No {self.model._meta.object_name} matches the given query."
        assert error_of(response) == {"code": "NOT_FOUND", "message": message, "details": []}

    def test_retrieve_with_a_key_of_the_wrong_type_is_a_400(self, client, objects):
        response = client.get(f"{self.url}not-a-key/")

        assert response.status_code == 400
        assert error_of(response)["details"][0]["field"] == "pk"

    # --- create, update, delete

    def test_create_stores_the_object_and_audits_it(self, client, tenant):
        for payload in self.create_data:
            response = client.post(self.url, payload, format="json")

            assert response.status_code == 201, response.content
            body = response.json()
            assert {field: body[field] for field in payload} == payload
            assert self.model._default_manager.filter(pk=body["id"]).exists()
            assert self.audit_actions(body["id"]) == ["create"]
            entry = AuditEntry.objects.get(object_id=str(body["id"]), object_type=self.model._meta.label_lower)
            assert entry.request_id == response["X-Request-ID"]

    def test_create_refuses_invalid_data_naming_the_field(self, client, tenant):
        payload, field = self.invalid_data
        before = self.model._default_manager.count()

        response = client.post(self.url, payload, format="json")

        assert response.status_code == 400
        error = error_of(response)
        assert error["code"] == "VALIDATION_ERROR"
        assert [detail["field"] for detail in error["details"]] == [field]
        assert self.model._default_manager.count() == before

    def test_create_with_an_idempotency_key_acts_once(self, client, tenant):
        payload = self.create_data[0]
        first = client.post(self.url, payload, format="json", HTTP_IDEMPOTENCY_KEY="suite-1")
        repeat = client.post(self.url, payload, format="json", HTTP_IDEMPOTENCY_KEY="suite-1")

        assert (first.status_code, repeat.status_code) == (201, 201)
        assert repeat.json() == first.json()
        assert repeat["Idempotent-Replayed"] == "true"
        assert self.model._default_manager.filter(pk=first.json()["id"]).count() == 1

    def test_update_changes_the_object_and_audits_it(self, client, objects):
        response = client.patch(self.detail_url(objects[0]), self.update_data, format="json")

        assert response.status_code == 200, response.content
        assert {field: response.json()[field] for field in self.update_data} == self.update_data
        fetched = client.get(self.detail_url(objects[0])).json()
        assert {field: fetched[field] for field in self.update_data} == self.update_data
        assert self.audit_actions(objects[0].pk)[-1] == "update"

    def test_update_with_a_stale_etag_is_a_412(self, client, objects):
        stale = client.get(self.detail_url(objects[0]))["ETag"]
        client.patch(self.detail_url(objects[0]), self.update_data, format="json")
        current = client.get(self.detail_url(objects[0])).json()

        response = client.patch(self.detail_url(objects[0]), {}, format="json", HTTP_IF_MATCH=stale)

        assert response.status_code == 412
        assert error_of(response)["code"] == "PRECONDITION_FAILED"
        assert client.get(self.detail_url(objects[0])).json() == current

    def test_delete_removes_the_object_and_audits_it(self, client, objects):
        response = client.delete(self.detail_url(objects[0]))

        assert response.status_code == 204
        assert not self.model._default_manager.filter(pk=objects[0].pk).exists()
        assert self.audit_actions(objects[0].pk)[-1] == "delete"
        assert client.get(self.detail_url(objects[0])).status_code == 404

    # --- who may

    def test_anonymous_requests_are_refused(self, objects):
        anonymous = APIClient(HTTP_HOST=ACME_HOST)

        for response in (anonymous.get(self.url), anonymous.get(self.detail_url(objects[0]))):
            assert response.status_code == 401
            assert error_of(response)["code"] == "NOT_AUTHENTICATED"

    def test_each_role_may_do_what_it_is_granted(self, role, objects):
        allowed = self.role_actions.get(role, set())
        client = bearer_client(role_user(role, f"{role.lower()}-suite@acme.test"))
        attempts = {
            "view": lambda: client.get(self.detail_url(objects[0])),
            "add": lambda: client.post(self.url, self.create_data[0], format="json"),
            "change": lambda: client.patch(self.detail_url(objects[1]), self.update_data, format="json"),
            "delete": lambda: client.delete(self.detail_url(objects[2])),
        }
        expected = {"view": 200, "add": 201, "change": 200, "delete": 204}

        outcome = {action: attempts[action]().status_code for action in ACTIONS}

        assert outcome == {action: expected[action] if action in allowed else 403 for action in ACTIONS}

    def test_a_member_without_a_role_is_refused(self, objects):
        response = bearer_client(UserFactory(email="no-role-suite@acme.test")).get(self.url)

        assert response.status_code == 403
        assert error_of(response)["code"] == "PERMISSION_DENIED"

    def test_api_keys_need_the_resources_scopes(self, admin_user, objects):
        _key, reader = api_key_create(name="reader", scopes=[f"{self.api_scope}:read"], user=admin_user)
        _key, writer = api_key_create(name="writer", scopes=[f"{self.api_scope}:write"], user=admin_user)
        _key, other = api_key_create(name="other", scopes=["elsewhere:read", "elsewhere:write"], user=admin_user)
        client = APIClient(HTTP_HOST=ACME_HOST)

        def status(key: str, method: str) -> int:
            client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
            if method == "get":
                return client.get(self.url).status_code
            return client.post(self.url, self.create_data[0], format="json").status_code

        assert (status(reader, "get"), status(reader, "post")) == (200, 403)
        assert (status(other, "get"), status(other, "post")) == (403, 403)
        assert status(writer, "post") == 201

    # --- a second tenant

    def test_a_second_tenant_sees_none_of_it(self, client, objects, other_tenant):
        with tenant_context(other_tenant):
            globex = bearer_client(role_user(ADMIN, "owner-suite@globex.test"), GLOBEX_HOST)

            listed = globex.get(self.url)
            fetched = globex.get(self.detail_url(objects[0]))
            changed = globex.patch(self.detail_url(objects[0]), self.update_data, format="json")
            deleted = globex.delete(self.detail_url(objects[0]))

        assert (listed.status_code, listed.json()["count"]) == (200, 0)
        assert (fetched.status_code, changed.status_code, deleted.status_code) == (404, 404, 404)
        assert self.model._default_manager.filter(pk=objects[0].pk).exists()

    def test_credentials_of_one_tenant_are_refused_on_another(self, admin_user, objects):
        token = TenantRefreshToken.for_user(admin_user).access_token
        response = APIClient(HTTP_HOST=GLOBEX_HOST).get(self.url, HTTP_AUTHORIZATION=f"Bearer {token}")

        assert response.status_code == 401
        assert error_of(response)["code"] == "AUTHENTICATION_FAILED"
