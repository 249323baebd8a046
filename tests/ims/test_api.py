"""The inventory API's resources through the shared suite (tests/api_cases.py), and what each adds to it."""

from __future__ import annotations

import uuid
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django_tenants.utils import tenant_context
from rest_framework.test import APIClient

from apps.identity.roles import ADMIN, INVENTORY_MANAGER, MANAGER, SALES_REP, VIEWER
from apps.identity.services import api_key_create
from apps.ims import services
from apps.ims.models import Category, Product, PurchaseOrder, StockLevel, StockMovement, Supplier, Warehouse
from tests.api_cases import ACME_HOST, GLOBEX_HOST, APIResourceTests, bearer_client, error_of, role_user

EVERYTHING = {"view", "add", "change", "delete"}
# Inventory managers and Admins run the inventory, Viewers read it; every other role, the Manager
# included, sees nothing of it (docs/decisions/0007-domain-module-access.md).
IMS_ROLES: dict[str, set[str]] = {
    ADMIN: EVERYTHING,
    INVENTORY_MANAGER: EVERYTHING,
    MANAGER: set(),
    VIEWER: {"view"},
    SALES_REP: set(),
}


def product(sku: str, name: str, **fields: Any) -> Product:
    return services.product_create(actor=None, sku=sku, name=name, **fields)


def receive(item: Product, warehouse: Warehouse, quantity: str, cost: str = "1.00") -> StockMovement:
    return services.movement_post(
        product=item, warehouse=warehouse, kind="receipt", quantity=Decimal(quantity), unit_cost=Decimal(cost)
    )[0]


class KeyedClient(APIClient):
    """Sends a fresh Idempotency-Key with every POST that brings none: these resources require one."""

    def post(self, path: str, data: Any = None, format: str | None = None, **extra: Any) -> Any:
        extra.setdefault("HTTP_IDEMPOTENCY_KEY", f"test-{uuid.uuid4()}")
        return super().post(path, data, format=format, **extra)


def keyed_client(user: Any, host: str = ACME_HOST) -> KeyedClient:
    client = KeyedClient(HTTP_HOST=host)
    client.credentials(HTTP_AUTHORIZATION=bearer_client(user, host)._credentials["HTTP_AUTHORIZATION"])
    return client


class TestCategoryAPI(APIResourceTests):
    url = "/api/v1/ims/categories/"
    model = Category
    api_scope = "ims"
    create_data = [{"name": "Fasteners"}, {"name": "Paint", "description": "Indoor and outdoor"}]
    update_data = {"name": "Hand tools", "description": "Hammers, saws"}
    invalid_data = ({"name": ""}, "name")
    filter_cases = [({"parent__isnull": "false"}, [2]), ({"parent__isnull": "true"}, [0, 1])]
    search_case = ("elec", [0])
    ordering_field = "name"
    role_actions = IMS_ROLES

    def make_objects(self):
        abrasives = Category.objects.create(name="Abrasives")
        return [
            Category.objects.create(name="Electrical"),
            abrasives,
            Category.objects.create(name="Sandpaper", parent=abrasives),
        ]

    def test_filters_by_parent(self, client, objects):
        child = Category.objects.create(name="Cables", parent=objects[0])

        assert self.ids(client.get(self.url, {"parent": objects[0].pk})) == [child.pk]


class TestSupplierAPI(APIResourceTests):
    url = "/api/v1/ims/suppliers/"
    model = Supplier
    api_scope = "ims"
    create_data = [
        {"name": "Forge Ltd"},
        {"name": "Bolt & Co", "email": "orders@bolt.test", "lead_time_days": 3, "active": False},
    ]
    update_data = {"contact_name": "Ada", "lead_time_days": 14}
    invalid_data = ({"name": "Bad mail", "email": "not-an-address"}, "email")
    filter_cases = [({"active": "false"}, [1]), ({"lead_time_days__lte": "5"}, [0])]
    search_case = ("acme steel", [2])
    ordering_field = "lead_time_days"
    role_actions = IMS_ROLES

    def make_objects(self):
        return [
            Supplier.objects.create(name="Anvil Works", lead_time_days=2),
            Supplier.objects.create(name="Hammer House", lead_time_days=10, active=False),
            Supplier.objects.create(name="Acme Steel", lead_time_days=30),
        ]


class TestWarehouseAPI(APIResourceTests):
    url = "/api/v1/ims/warehouses/"
    model = Warehouse
    api_scope = "ims"
    # The minimal warehouse: a code and a name.
    create_data = [{"code": "NORTH", "name": "North depot"}, {"code": "SOUTH", "name": "South", "active": False}]
    update_data = {"name": "Main warehouse", "address": "1 Quay Street"}
    invalid_data = ({"code": "not a code!", "name": "Spaces in the code"}, "code")
    filter_cases = [({"active": "false"}, [1]), ({"code": "EAST"}, [0])]
    search_case = ("west", [2])
    ordering_field = "name"
    role_actions = IMS_ROLES

    def make_objects(self):
        return [
            Warehouse.objects.create(code="EAST", name="East"),
            Warehouse.objects.create(code="MAIN", name="Main", active=False),
            Warehouse.objects.create(code="WEST", name="Annex west"),
        ]

    def test_a_warehouse_holding_stock_is_not_deleted(self, client, objects):
        receive(product("ANV-1", "Anvil"), objects[0], "1")

        response = client.delete(self.detail_url(objects[0]))

        assert response.status_code == 409
        error = error_of(response)
        assert error["code"] == "CONFLICT"
        assert error["message"].startswith("Still in use by ")
        assert Warehouse.objects.filter(pk=objects[0].pk).exists()


class TestProductAPI(APIResourceTests):
    url = "/api/v1/ims/products/"
    model = Product
    api_scope = "ims"
    # The minimal product: a SKU and a name.
    create_data = [
        {"sku": "BLT-1", "name": "Bolt"},
        {"sku": "SND-1", "name": "Sand", "unit": "kg", "sale_price": "2.50", "active": False},
    ]
    update_data = {"name": "Heavy anvil", "sale_price": "120.00"}
    invalid_data = ({"sku": "NEG-1", "name": "Negative", "sale_price": "-1.00"}, "sale_price")
    filter_cases = [
        ({"active": "false"}, [1]),
        ({"unit": "kg"}, [2]),
        ({"sku": "HAM-1"}, [1]),
        ({"sale_price__gte": "10", "sale_price__lte": "100"}, [0]),
    ]
    search_case = ("anvil", [0])
    ordering_field = "sale_price"
    role_actions = IMS_ROLES

    def make_objects(self):
        return [
            product("ANV-1", "Anvil", sale_price=Decimal("99.00")),
            product("HAM-1", "Hammer", sale_price=Decimal("5.50"), active=False),
            product("NAI-1", "Nails", unit="kg", sale_price=Decimal("250.00")),
        ]

    def test_create_answers_the_defaults_of_a_minimal_product(self, client, tenant):
        response = client.post(self.url, {"sku": "BLT-9", "name": "Bolt"}, format="json")

        body = response.json()
        assert response.status_code == 201
        assert {key: body[key] for key in ("unit", "cost_price", "sale_price", "active", "category", "barcode")} == {
            "unit": "unit",
            "cost_price": "0.00",
            "sale_price": "0.00",
            "active": True,
            "category": None,
            "barcode": "",
        }

    def test_a_duplicate_sku_is_refused_naming_the_field(self, client, objects):
        response = client.post(self.url, {"sku": "ANV-1", "name": "Anvil again"}, format="json")

        assert response.status_code == 400
        assert error_of(response)["details"] == [
            {"field": "sku", "message": "product with this SKU already exists.", "code": "unique"}
        ]

    def test_creating_and_changing_publish_the_product_events(self, client, tenant):
        from apps.events.models import OutboxEvent

        created = client.post(self.url, {"sku": "EVT-1", "name": "Evented"}, format="json").json()
        client.patch(f"{self.url}{created['id']}/", {"name": "Renamed"}, format="json")

        types = list(
            OutboxEvent.objects.filter(event_type__startswith="ims.product.")
            .order_by("pk")
            .values_list("event_type", flat=True)
        )
        assert types == ["ims.product.created", "ims.product.updated"]

    def test_a_product_with_movements_is_not_deleted(self, client, objects):
        receive(objects[0], Warehouse.objects.create(code="MAIN", name="Main"), "2")

        response = client.delete(self.detail_url(objects[0]))

        assert response.status_code == 409
        assert error_of(response)["code"] == "CONFLICT"
        assert Product.objects.filter(pk=objects[0].pk).exists()


# --- resources changed only by their own actions


@pytest.fixture
def world(tenant):
    """Two warehouses, a supplier, three products; nothing in stock yet."""
    tools = Category.objects.create(name="Tools")
    return SimpleNamespace(
        main=Warehouse.objects.create(code="MAIN", name="Main"),
        east=Warehouse.objects.create(code="EAST", name="East"),
        supplier=Supplier.objects.create(name="Forge Ltd"),
        anvil=product("ANV-1", "Anvil", category=tools, cost_price=Decimal("40.00")),
        hammer=product("HAM-1", "Hammer", category=tools),
        nails=product("NAI-1", "Nails", unit="kg"),
    )


class WritesRefused(APIResourceTests):
    """A resource whose objects are never changed or deleted over the API: those methods answer 405.

    ``role_actions`` holds the model permissions of each role: a role with the permission is told the
    method is not allowed (405), one without it is refused (403).
    """

    def test_update_changes_the_object_and_audits_it(self, client, objects):
        before = client.get(self.detail_url(objects[0])).json()

        for response in (
            client.patch(self.detail_url(objects[0]), {}, format="json"),
            client.put(self.detail_url(objects[0]), {}, format="json"),
        ):
            assert response.status_code == 405
            assert error_of(response)["code"] == "METHOD_NOT_ALLOWED"
        assert client.get(self.detail_url(objects[0])).json() == before

    # Nothing is updated: If-Match has nothing to guard.
    test_update_with_a_stale_etag_is_a_412 = None

    def test_delete_removes_the_object_and_audits_it(self, client, objects):
        response = client.delete(self.detail_url(objects[0]))

        assert response.status_code == 405
        assert self.model._default_manager.filter(pk=objects[0].pk).exists()

    def attempt_create(self, client):
        return client.post(self.url, self.create_data[0], format="json")

    def test_each_role_may_do_what_it_is_granted(self, role, objects):
        allowed = self.role_actions.get(role, set())
        client = keyed_client(role_user(role, f"{role.lower()}-suite@acme.test"))
        outcome = {
            "view": client.get(self.detail_url(objects[0])).status_code,
            "add": self.attempt_create(client).status_code,
            "change": client.patch(self.detail_url(objects[1]), {}, format="json").status_code,
            "delete": client.delete(self.detail_url(objects[2])).status_code,
        }
        expected = {"view": 200, "add": self.created_status, "change": 405, "delete": 405}

        assert outcome == {action: expected[action] if action in allowed else 403 for action in expected}

    created_status = 405

    def test_api_keys_need_the_resources_scopes(self, admin_user, objects):
        _key, reader = api_key_create(name="reader", scopes=["ims:read"], user=admin_user)
        _key, writer = api_key_create(name="writer", scopes=["ims:write"], user=admin_user)
        _key, other = api_key_create(name="other", scopes=["elsewhere:read", "elsewhere:write"], user=admin_user)
        client = KeyedClient(HTTP_HOST=ACME_HOST)

        def status(key: str, method: str) -> int:
            client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
            return client.get(self.url).status_code if method == "get" else self.attempt_create(client).status_code

        assert (status(reader, "get"), status(reader, "post")) == (200, 403)
        assert (status(other, "get"), status(other, "post")) == (403, 403)
        if self.created_status == 405:
            assert status(writer, "post") == 405
            return
        # The writer's scope lets it through to the Idempotency-Key check these resources make.
        unkeyed = APIClient(HTTP_HOST=ACME_HOST, HTTP_AUTHORIZATION=f"Api-Key {writer}")
        response = unkeyed.post(self.url, self.create_data[0], format="json")
        assert response.status_code == 400
        assert error_of(response)["code"] == "IDEMPOTENCY_KEY_INVALID"

    def test_a_second_tenant_sees_none_of_it(self, client, objects, other_tenant):
        with tenant_context(other_tenant):
            globex = bearer_client(role_user(ADMIN, "owner-suite@globex.test"), GLOBEX_HOST)
            listed = globex.get(self.url)
            fetched = globex.get(self.detail_url(objects[0]))

        assert (listed.status_code, listed.json()["count"]) == (200, 0)
        assert fetched.status_code == 404


class TestStockLevelAPI(WritesRefused):
    url = "/api/v1/ims/stock/"
    model = StockLevel
    api_scope = "ims"
    create_data = [{"on_hand": "5.000"}]
    update_data = {}
    invalid_data = ({}, "")
    filter_cases = [({"below_reorder_point": "true"}, [1]), ({"below_reorder_point": "false"}, [0, 2])]
    search_case = ("hammer", [1])
    ordering_field = "on_hand"
    role_actions = IMS_ROLES

    def make_objects(self):
        world = self.world
        services.reorder_rule_set(
            product=world.hammer, warehouse=world.main, reorder_point=Decimal("5"), reorder_quantity=Decimal("20")
        )
        receive(world.anvil, world.main, "10")
        receive(world.hammer, world.main, "3")
        receive(world.anvil, world.east, "7.5")
        return [
            StockLevel.objects.get(product=world.anvil, warehouse=world.east),
            StockLevel.objects.get(product=world.hammer, warehouse=world.main),
            StockLevel.objects.get(product=world.anvil, warehouse=world.main),
        ]

    @pytest.fixture(autouse=True)
    def _world(self, world):
        self.world = world

    def test_create_stores_the_object_and_audits_it(self, client, tenant):
        response = client.post(self.url, self.create_data[0], format="json")

        assert response.status_code == 405
        assert error_of(response)["code"] == "METHOD_NOT_ALLOWED"
        assert StockLevel.objects.count() == 0

    # Nothing is created here: stock changes by posting movements (tests/ims/test_api_actions.py).
    test_create_refuses_invalid_data_naming_the_field = None
    test_create_with_an_idempotency_key_acts_once = None

    def test_a_row_shows_on_hand_reserved_available_and_reorder_point(self, client, objects):
        services.movement_post(
            product=self.world.hammer, warehouse=self.world.main, kind="reservation", quantity=Decimal("1")
        )

        row = client.get(self.detail_url(objects[1])).json()

        assert {key: row[key] for key in row if key not in ("id", "updated_at")} == {
            "product": self.world.hammer.pk,
            "sku": "HAM-1",
            "product_name": "Hammer",
            "warehouse": self.world.main.pk,
            "warehouse_code": "MAIN",
            "on_hand": "3.000",
            "reserved": "1.000",
            "available": "2.000",
            "reorder_point": "5.000",
            "below_reorder_point": True,
            "average_cost": "1.0000",
        }

    def test_filters_by_product_and_warehouse(self, client, objects):
        anvil, main = self.world.anvil.pk, self.world.main.pk

        assert self.ids(client.get(self.url, {"product": anvil})) == [objects[0].pk, objects[2].pk]
        assert self.ids(client.get(self.url, {"warehouse": main})) == [objects[2].pk, objects[1].pk]
        assert self.ids(client.get(self.url, {"product": anvil, "warehouse": main})) == [objects[2].pk]

    def test_a_filter_of_the_wrong_type_is_a_400(self, client, objects):
        response = client.get(self.url, {"below_reorder_point": "yes"})

        assert response.status_code == 400
        assert error_of(response)["details"] == [
            {"field": "below_reorder_point", "message": "Enter true or false.", "code": "invalid"}
        ]


class TestStockMovementAPI(WritesRefused):
    url = "/api/v1/ims/movements/"
    model = StockMovement
    api_scope = "ims"
    update_data = {}
    filter_cases = [({"kind": "adjustment"}, [1]), ({"reference": "PO-00007"}, [2]), ({"kind": "issue"}, [])]
    ordering_field = None
    role_actions = IMS_ROLES
    created_status = 201

    @pytest.fixture(autouse=True)
    def _world(self, world):
        self.world = world

    @pytest.fixture
    def client(self, admin_user):
        return keyed_client(admin_user)

    @property
    def create_data(self):  # type: ignore[override]
        world = self.world
        base = {"product": world.nails.pk, "warehouse": world.main.pk}
        return [
            # The minimal movement: product, warehouse, quantity, kind and reason.
            {**base, "quantity": "12.500", "kind": "receipt", "reason": "Delivery"},
            {**base, "quantity": "-2.000", "kind": "adjustment", "reason": "Count found fewer"},
        ]

    @property
    def invalid_data(self):  # type: ignore[override]
        world = self.world
        return ({"product": world.nails.pk, "warehouse": world.main.pk, "quantity": 3, "kind": "receipt"}, "quantity")

    def make_objects(self):
        world = self.world
        return [
            receive(world.anvil, world.main, "10"),
            services.movement_post(
                product=world.anvil, warehouse=world.main, kind="adjustment", quantity=Decimal("-1"), reason="Broken"
            )[0],
            services.movement_post(
                product=world.hammer, warehouse=world.east, kind="receipt", quantity=Decimal("4"), reference="PO-00007"
            )[0],
        ]

    def test_an_api_key_posts_with_an_idempotency_key(self, admin_user, objects):
        _key, writer = api_key_create(name="writer", scopes=["ims:write"], user=admin_user)
        client = KeyedClient(HTTP_HOST=ACME_HOST)
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {writer}")

        assert self.attempt_create(client).status_code == self.created_status

    def test_list_answers_a_page_of_every_object(self, client, objects):
        response = client.get(self.url)

        body = response.json()
        assert (response.status_code, body["next"], body["previous"]) == (200, None, None)
        assert [row["id"] for row in body["results"]] == [objects[2].pk, objects[1].pk, objects[0].pk]

    def test_list_pages_by_page_size(self, client, objects):
        first = client.get(self.url, {"page_size": 2}).json()
        second = client.get(first["next"]).json()

        assert [row["id"] for row in first["results"]] == [objects[2].pk, objects[1].pk]
        assert [row["id"] for row in second["results"]] == [objects[0].pk]
        assert second["next"] is None

    def test_a_second_tenant_sees_none_of_it(self, client, objects, other_tenant):
        with tenant_context(other_tenant):
            globex = bearer_client(role_user(ADMIN, "owner-suite@globex.test"), GLOBEX_HOST)
            listed = globex.get(self.url)
            fetched = globex.get(self.detail_url(objects[0]))

        assert (listed.status_code, listed.json()["results"]) == (200, [])
        assert fetched.status_code == 404


class TestPurchaseOrderAPI(WritesRefused):
    url = "/api/v1/ims/purchase-orders/"
    model = PurchaseOrder
    api_scope = "ims"
    update_data = {}
    filter_cases = [({"status": "ordered"}, [1]), ({"status": "cancelled"}, [2]), ({"status": "draft"}, [0])]
    search_case = ("rush", [1])
    ordering_field = "expected_date"
    role_actions = IMS_ROLES
    created_status = 201

    @pytest.fixture(autouse=True)
    def _world(self, world):
        self.world = world

    @pytest.fixture
    def client(self, admin_user):
        return keyed_client(admin_user)

    @property
    def create_data(self):  # type: ignore[override]
        world = self.world
        line = {"product": world.anvil.pk, "quantity": "4.000", "unit_cost": "40.0000"}
        return [
            {"supplier": world.supplier.pk, "warehouse": world.main.pk, "lines": [line]},
            {
                "supplier": world.supplier.pk,
                "warehouse": world.east.pk,
                "expected_date": "2026-12-01",
                "notes": "Before the holidays",
                "lines": [line, {"product": world.nails.pk, "quantity": "25.500", "unit_cost": "1.2000"}],
            },
        ]

    @property
    def invalid_data(self):  # type: ignore[override]
        return ({"supplier": self.world.supplier.pk, "warehouse": self.world.main.pk, "lines": []}, "lines")

    def order(self, expected: str, notes: str = "") -> PurchaseOrder:
        world = self.world
        return services.purchase_order_create(
            supplier=world.supplier,
            warehouse=world.main,
            lines=[{"product": world.hammer, "quantity": Decimal("10"), "unit_cost": Decimal("3.25")}],
            expected_date=expected,
            notes=notes,
            actor=None,
        )

    def make_objects(self):
        draft = self.order("2026-12-10")
        ordered = services.purchase_order_order(order=self.order("2026-12-03", notes="Rush order"), actor=None)
        cancelled = services.purchase_order_cancel(order=self.order("2026-12-20"), actor=None)
        return [draft, ordered, cancelled]

    def test_create_stores_the_object_and_audits_it(self, client, tenant):
        for payload in self.create_data:
            response = client.post(self.url, payload, format="json")

            body = response.json()
            assert response.status_code == 201, body
            assert {field: body[field] for field in payload if field != "lines"} == {
                field: value for field, value in payload.items() if field != "lines"
            }
            shown = [{key: line[key] for key in ("product", "quantity", "unit_cost")} for line in body["lines"]]
            assert shown == payload["lines"]
            assert self.audit_actions(body["id"]) == ["create"]

    def test_create_numbers_the_order_and_totals_its_lines(self, client, tenant):
        response = client.post(self.url, self.create_data[1], format="json")

        body = response.json()
        assert response.status_code == 201
        assert (body["number"], body["status"], body["total"]) == ("PO-00001", "draft", "190.60")
        assert [(line["quantity"], line["received_quantity"]) for line in body["lines"]] == [
            ("4.000", "0.000"),
            ("25.500", "0.000"),
        ]

    def test_a_line_of_zero_is_refused_naming_it(self, client, tenant):
        payload = {
            **self.create_data[0],
            "lines": [{"product": self.world.anvil.pk, "quantity": "0", "unit_cost": "1"}],
        }

        response = client.post(self.url, payload, format="json")

        assert response.status_code == 400
        assert [detail["field"] for detail in error_of(response)["details"]] == ["lines.0.quantity"]
        assert PurchaseOrder.objects.count() == 0
