"""The inventory API's stock-changing POSTs, purchase order actions, valuation and pinned query counts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context
from rest_framework.test import APIClient

from apps.identity.roles import ADMIN, INVENTORY_MANAGER, SALES_REP
from apps.ims import services
from apps.ims.models import StockLevel, StockMovement, Warehouse
from tests.api_cases import ACME_HOST, GLOBEX_HOST, bearer_client, error_of, role_user
from tests.ims import test_api
from tests.ims.test_api import keyed_client, product, receive

MOVEMENTS = "/api/v1/ims/movements/"
STOCK = "/api/v1/ims/stock/"
ORDERS = "/api/v1/ims/purchase-orders/"
VALUATION = "/api/v1/ims/valuation/"
D = Decimal
world = test_api.world


@pytest.fixture
def client(admin_user):
    return keyed_client(admin_user)


def level(item, warehouse) -> tuple[Decimal, Decimal]:
    row = StockLevel.objects.get(product=item, warehouse=warehouse)
    return row.on_hand, row.reserved


def movement(world, **fields):
    return {"product": world.anvil.pk, "warehouse": world.main.pk, **fields}


# --- movements


def test_a_receipt_adds_stock_and_answers_its_ledger_row(client, world):
    response = client.post(
        MOVEMENTS, movement(world, kind="receipt", quantity="10", reason="Delivery", unit_cost="42.5"), format="json"
    )

    body = response.json()
    assert response.status_code == 201
    assert {
        key: body[key] for key in ("kind", "quantity", "unit_cost", "on_hand_after", "reserved_after", "reason")
    } == {
        "kind": "receipt",
        "quantity": "10.000",
        "unit_cost": "42.5000",
        "on_hand_after": "10.000",
        "reserved_after": "0.000",
        "reason": "Delivery",
    }
    assert level(world.anvil, world.main) == (D("10"), D("0"))


def test_an_issue_is_posted_positive_and_recorded_negative(client, world):
    receive(world.anvil, world.main, "10")

    response = client.post(MOVEMENTS, movement(world, kind="issue", quantity="4", reason="Order 7"), format="json")

    assert response.status_code == 201
    assert (response.json()["quantity"], response.json()["on_hand_after"]) == ("-4.000", "6.000")
    assert level(world.anvil, world.main) == (D("6"), D("0"))


def test_an_adjustment_is_signed_and_needs_a_reason(client, world):
    receive(world.anvil, world.main, "10")

    refused = client.post(MOVEMENTS, movement(world, kind="adjustment", quantity="-3"), format="json")
    accepted = client.post(
        MOVEMENTS, movement(world, kind="adjustment", quantity="-3", reason="Stocktake"), format="json"
    )

    assert refused.status_code == 400
    assert error_of(refused) == {
        "code": "VALIDATION_ERROR",
        "message": "reason: An adjustment needs a reason.",
        "details": [{"field": "reason", "message": "An adjustment needs a reason.", "code": "invalid"}],
    }
    assert (accepted.status_code, accepted.json()["quantity"]) == (201, "-3.000")
    assert level(world.anvil, world.main) == (D("7"), D("0"))


def test_a_transfer_writes_two_rows_sharing_a_group(client, world):
    receive(world.anvil, world.main, "10")

    response = client.post(
        MOVEMENTS, movement(world, kind="transfer", quantity="4", to_warehouse=world.east.pk), format="json"
    )

    body = response.json()
    assert (response.status_code, body["kind"], body["quantity"]) == (201, "transfer_out", "-4.000")
    pair = StockMovement.objects.filter(transfer_group=body["transfer_group"]).order_by("pk")
    assert [(row.kind, row.warehouse_id, row.quantity) for row in pair] == [
        ("transfer_out", world.main.pk, D("-4")),
        ("transfer_in", world.east.pk, D("4")),
    ]
    assert (level(world.anvil, world.main), level(world.anvil, world.east)) == ((D("6"), D("0")), (D("4"), D("0")))


def test_a_transfer_needs_another_warehouse(client, world):
    missing = client.post(MOVEMENTS, movement(world, kind="transfer", quantity="1"), format="json")
    same = client.post(
        MOVEMENTS, movement(world, kind="transfer", quantity="1", to_warehouse=world.main.pk), format="json"
    )

    assert [detail["field"] for detail in error_of(missing)["details"]] == ["to_warehouse"]
    assert error_of(same)["message"] == "to_warehouse: Transfer to a different warehouse."


def test_insufficient_stock_is_a_409_that_says_what_is_available(client, world):
    receive(world.anvil, world.main, "3")

    response = client.post(MOVEMENTS, movement(world, kind="issue", quantity="5"), format="json")

    assert response.status_code == 409
    assert error_of(response) == {
        "code": "CONFLICT",
        "message": "Only 3.000 of ANV-1 is available in MAIN.",
        "details": [],
    }
    assert level(world.anvil, world.main) == (D("3"), D("0"))
    assert StockMovement.objects.count() == 1


def test_a_zero_quantity_is_a_400_with_the_reason(client, world):
    response = client.post(MOVEMENTS, movement(world, kind="receipt", quantity="0"), format="json")

    assert response.status_code == 400
    assert error_of(response)["message"] == "Quantity cannot be zero."
    assert StockMovement.objects.count() == 0


def test_a_negative_receipt_is_refused(client, world):
    response = client.post(MOVEMENTS, movement(world, kind="receipt", quantity="-2"), format="json")

    assert response.status_code == 400
    assert error_of(response)["message"] == "Quantity must be positive; the kind says which way stock moves."


def test_reservations_are_not_posted_over_the_api(client, world):
    response = client.post(MOVEMENTS, movement(world, kind="reservation", quantity="1"), format="json")

    assert response.status_code == 400
    assert [detail["field"] for detail in error_of(response)["details"]] == ["kind"]


def test_a_movement_needs_an_idempotency_key(admin_user, world):
    response = bearer_client(admin_user).post(MOVEMENTS, movement(world, kind="receipt", quantity="1"), format="json")

    assert response.status_code == 400
    assert error_of(response)["code"] == "IDEMPOTENCY_KEY_INVALID"
    assert StockMovement.objects.count() == 0


def test_a_repeated_movement_acts_once(client, world):
    payload = movement(world, kind="receipt", quantity="2")

    first = client.post(MOVEMENTS, payload, format="json", HTTP_IDEMPOTENCY_KEY="delivery-77")
    repeat = client.post(MOVEMENTS, payload, format="json", HTTP_IDEMPOTENCY_KEY="delivery-77")

    assert (first.status_code, repeat.status_code) == (201, 201)
    assert repeat.json() == first.json()
    assert repeat["Idempotent-Replayed"] == "true"
    assert level(world.anvil, world.main) == (D("2"), D("0"))


def test_a_refused_movement_leaves_its_key_free_for_the_corrected_one(client, world):
    refused = client.post(
        MOVEMENTS, movement(world, kind="issue", quantity="1"), format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    receive(world.anvil, world.main, "5")
    accepted = client.post(
        MOVEMENTS, movement(world, kind="issue", quantity="1"), format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )

    assert (refused.status_code, accepted.status_code) == (409, 201)
    assert level(world.anvil, world.main) == (D("4"), D("0"))


def test_a_movement_is_reversed_by_another(client, world):
    posted = receive(world.anvil, world.main, "5")

    response = client.post(f"{MOVEMENTS}{posted.pk}/reverse/", {"reason": "Wrong product"}, format="json")
    again = client.post(f"{MOVEMENTS}{posted.pk}/reverse/", {"reason": "Twice"}, format="json")

    assert response.status_code == 201
    assert (response.json()["quantity"], response.json()["reverses"]) == ("-5.000", posted.pk)
    assert level(world.anvil, world.main) == (D("0"), D("0"))
    assert (again.status_code, error_of(again)["message"]) == (400, "This movement has already been reversed.")


def test_a_viewer_reads_the_ledger_but_posts_nothing(viewer_user, world):
    receive(world.anvil, world.main, "5")
    client = keyed_client(viewer_user)

    assert client.get(MOVEMENTS).status_code == 200
    response = client.post(MOVEMENTS, movement(world, kind="receipt", quantity="1"), format="json")
    assert (response.status_code, error_of(response)["code"]) == (403, "PERMISSION_DENIED")
    assert StockMovement.objects.count() == 1


def test_an_inventory_manager_posts_movements_and_a_sales_rep_sees_nothing(tenant, world):
    manager = keyed_client(role_user(INVENTORY_MANAGER, "im@acme.test"))
    sales = keyed_client(role_user(SALES_REP, "rep@acme.test"))

    posted = manager.post(MOVEMENTS, movement(world, kind="receipt", quantity="1"), format="json")

    assert posted.status_code == 201
    assert [sales.get(url).status_code for url in (MOVEMENTS, STOCK, ORDERS, VALUATION)] == [403, 403, 403, 403]


def test_another_tenants_product_cannot_be_moved(client, world, other_tenant):
    with tenant_context(other_tenant):
        theirs = product("GLX-1", "Globex gadget")
        their_warehouse = Warehouse.objects.create(code="GLX", name="Globex")

    response = client.post(
        MOVEMENTS,
        {"product": theirs.pk, "warehouse": their_warehouse.pk, "kind": "receipt", "quantity": "1"},
        format="json",
    )

    assert response.status_code == 400
    assert sorted(detail["field"] for detail in error_of(response)["details"]) == ["product", "warehouse"]


def test_another_tenant_sees_no_stock_and_no_ledger(world, other_tenant):
    receive(world.anvil, world.main, "5")

    with tenant_context(other_tenant):
        globex = keyed_client(role_user(ADMIN, "owner@globex.test"), GLOBEX_HOST)
        stock = globex.get(STOCK).json()
        ledger = globex.get(MOVEMENTS).json()
        valuation = globex.get(VALUATION).json()

    assert (stock["count"], ledger["results"], valuation) == (0, [], {"total_value": "0.00", "results": []})


# --- stock level filters


def test_stock_filters_below_the_reorder_point(client, world):
    services.reorder_rule_set(product=world.anvil, warehouse=world.main, reorder_point=D("5"), reorder_quantity=D("10"))
    receive(world.anvil, world.main, "8")
    receive(world.hammer, world.main, "2")
    client.post(MOVEMENTS, movement(world, kind="issue", quantity="4"), format="json")

    rows = client.get(STOCK, {"below_reorder_point": "true"}).json()["results"]

    assert [(row["sku"], row["available"], row["reorder_point"]) for row in rows] == [("ANV-1", "4.000", "5.000")]


# --- purchase orders


@pytest.fixture
def draft(world):
    return services.purchase_order_create(
        supplier=world.supplier,
        warehouse=world.main,
        lines=[
            {"product": world.anvil, "quantity": D("10"), "unit_cost": D("40")},
            {"product": world.nails, "quantity": D("2.5"), "unit_cost": D("3")},
        ],
        actor=None,
    )


def act(client, order, step, payload=None):
    return client.post(f"{ORDERS}{order.pk}/{step}/", payload or {}, format="json")


def test_a_draft_is_ordered_once(client, draft):
    ordered = act(client, draft, "order")
    again = act(client, draft, "order")

    assert (ordered.status_code, ordered.json()["status"]) == (200, "ordered")
    assert ordered.json()["ordered_at"] is not None
    assert again.status_code == 409
    assert error_of(again) == {
        "code": "CONFLICT",
        "message": f"Purchase order {draft.number} is ordered and cannot be ordered.",
        "details": [],
    }


def test_a_draft_is_not_received(client, draft):
    response = act(client, draft, "receive")

    assert response.status_code == 409
    assert error_of(response)["message"] == f"Purchase order {draft.number} is draft and cannot be received."
    assert StockMovement.objects.count() == 0


def test_receiving_part_then_the_rest(client, world, draft):
    act(client, draft, "order")
    anvil_line, _nails_line = draft.lines.order_by("pk")

    part = act(client, draft, "receive", {"lines": [{"line": anvil_line.pk, "quantity": "4"}]})
    assert (part.status_code, part.json()["status"]) == (200, "partially_received")
    assert [line["received_quantity"] for line in part.json()["lines"]] == ["4.000", "0.000"]
    assert level(world.anvil, world.main) == (D("4"), D("0"))

    rest = act(client, draft, "receive")
    assert (rest.status_code, rest.json()["status"]) == (200, "received")
    assert level(world.anvil, world.main) == (D("10"), D("0"))
    assert level(world.nails, world.main) == (D("2.5"), D("0"))
    receipts = StockMovement.objects.filter(reference=draft.number).order_by("pk")
    assert [(row.product_id, row.quantity) for row in receipts] == [
        (world.anvil.pk, D("4")),
        (world.anvil.pk, D("6")),
        (world.nails.pk, D("2.5")),
    ]

    again = act(client, draft, "receive")
    assert (again.status_code, error_of(again)["code"]) == (409, "CONFLICT")
    closed = act(client, draft, "close")
    assert (closed.status_code, closed.json()["status"]) == (200, "closed")


def test_receiving_more_than_outstanding_is_a_400(client, draft):
    act(client, draft, "order")
    line = draft.lines.order_by("pk").first()

    response = act(client, draft, "receive", {"lines": [{"line": line.pk, "quantity": "11"}]})

    assert response.status_code == 400
    assert error_of(response)["message"] == f"Only 10.000 of ANV-1 is outstanding on {draft.number}."
    assert StockMovement.objects.count() == 0


def test_receiving_a_line_of_another_order_is_a_400_naming_it(client, world, draft):
    act(client, draft, "order")

    response = act(client, draft, "receive", {"lines": [{"line": 999999, "quantity": "1"}]})

    assert response.status_code == 400
    assert error_of(response)["details"] == [
        {"field": "lines.0.line", "message": "Line 999999 is not on this order.", "code": "invalid"}
    ]


def test_cancelling_a_draft_and_an_ordered_order_but_not_a_received_one(client, world, draft):
    ordered = services.purchase_order_order(
        order=services.purchase_order_create(
            supplier=world.supplier, warehouse=world.main, lines=[{"product": world.hammer, "quantity": 1}], actor=None
        ),
        actor=None,
    )
    act(client, ordered, "receive")

    assert act(client, draft, "cancel").json()["status"] == "cancelled"
    refused = act(client, ordered, "cancel")
    assert refused.status_code == 409
    assert error_of(refused)["message"] == f"Purchase order {ordered.number} is received and cannot be cancelled."
    assert act(client, draft, "order").status_code == 409


def test_a_viewer_cannot_act_on_an_order(viewer_user, draft):
    response = act(keyed_client(viewer_user), draft, "order")

    assert (response.status_code, error_of(response)["code"]) == (403, "PERMISSION_DENIED")
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_an_action_needs_an_idempotency_key(admin_user, draft):
    response = bearer_client(admin_user).post(f"{ORDERS}{draft.pk}/order/", {}, format="json")

    assert (response.status_code, error_of(response)["code"]) == (400, "IDEMPOTENCY_KEY_INVALID")


def test_another_tenant_cannot_act_on_an_order(draft, other_tenant):
    with tenant_context(other_tenant):
        globex = keyed_client(role_user(ADMIN, "owner@globex.test"), GLOBEX_HOST)
        response = act(globex, draft, "order")

    assert response.status_code == 404
    draft.refresh_from_db()
    assert draft.status == "draft"


# --- valuation


def test_valuation_at_weighted_average_cost(client, world):
    receive(world.anvil, world.main, "10", cost="40")
    receive(world.anvil, world.main, "10", cost="50")
    receive(world.nails, world.east, "2.5", cost="3.10")

    everything = client.get(VALUATION).json()
    east = client.get(VALUATION, {"warehouse": world.east.pk}).json()

    assert everything == {
        "total_value": "907.75",
        "results": [
            {
                "warehouse": world.east.pk,
                "warehouse_code": "EAST",
                "product": world.nails.pk,
                "sku": "NAI-1",
                "on_hand": "2.500",
                "average_cost": "3.1000",
                "value": "7.75",
            },
            {
                "warehouse": world.main.pk,
                "warehouse_code": "MAIN",
                "product": world.anvil.pk,
                "sku": "ANV-1",
                "on_hand": "20.000",
                "average_cost": "45.0000",
                "value": "900.00",
            },
        ],
    }
    assert (east["total_value"], len(east["results"])) == ("7.75", 1)


def test_valuation_refuses_unknown_parameters_and_values_nothing_of_an_unknown_warehouse(client, world):
    receive(world.anvil, world.main, "1")
    unknown = client.get(VALUATION, {"colour": "red"})
    missing = client.get(VALUATION, {"warehouse": "999999"})
    wrong = client.get(VALUATION, {"warehouse": "main"})

    assert (unknown.status_code, error_of(unknown)["message"]) == (400, "colour: Unknown query parameter.")
    assert (missing.status_code, missing.json()) == (200, {"total_value": "0.00", "results": []})
    assert (wrong.status_code, error_of(wrong)["message"]) == (400, "warehouse: A valid integer is required.")


def test_a_viewer_reads_the_valuation(viewer_user, world):
    assert bearer_client(viewer_user).get(VALUATION).status_code == 200
    assert APIClient(HTTP_HOST=ACME_HOST).get(VALUATION).status_code == 401


# --- query counts, pinned: constant in the number of rows


def queries_for(client, url: str) -> int:
    query = {} if url == VALUATION else {"page_size": 200}
    client.get(url, query)  # the first request caches the user's permissions
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, query)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("url", [STOCK, MOVEMENTS, ORDERS, "/api/v1/ims/products/", VALUATION])
def test_list_queries_do_not_grow_with_rows(client, world, url):
    def grow(count: int, start: int) -> None:
        for index in range(start, start + count):
            item = product(f"Q-{index:04d}", f"Query {index}")
            receive(item, world.main, "2")
            services.purchase_order_create(
                supplier=world.supplier, warehouse=world.main, lines=[{"product": item, "quantity": 1}], actor=None
            )

    grow(2, 0)
    few = queries_for(client, url)
    grow(20, 2)
    many = queries_for(client, url)

    assert few == many
    assert few <= 6
