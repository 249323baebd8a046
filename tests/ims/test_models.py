"""Model guarantees: the ledger is immutable in Python and in SQL; constraints the database holds."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models.signals import post_save
from django.db.utils import InternalError, ProgrammingError
from django.test.utils import CaptureQueriesContext

from apps.audit.models import AuditEntry
from apps.events.models import OutboxEvent
from apps.ims import services
from apps.ims.models import ImmutableMovement, StockLevel, StockMovement
from tests.ims.factories import ProductFactory, WarehouseFactory

D = Decimal


@pytest.fixture
def movement(tenant):
    product, warehouse = ProductFactory(sku="TAPE"), WarehouseFactory(code="main")
    [receipt] = services.movement_post(product=product, warehouse=warehouse, kind="receipt", quantity=5, unit_cost=1)
    return receipt


def test_a_movement_is_never_saved_again(movement):
    movement.reason = "edited"

    with pytest.raises(ImmutableMovement, match="never changed"):
        movement.save()

    assert StockMovement.objects.get(pk=movement.pk).reason == ""


def test_a_movement_is_never_deleted(movement):
    with pytest.raises(ImmutableMovement, match="never deleted"):
        movement.delete()
    with pytest.raises(ImmutableMovement, match="never deleted"):
        StockMovement.objects.all().delete()
    with pytest.raises(ImmutableMovement, match="never changed"):
        StockMovement.objects.update(reason="bulk")

    assert StockMovement.objects.count() == 1


@pytest.mark.parametrize(
    ("statement", "operation"),
    [
        ("UPDATE ims_stockmovement SET quantity = 500", "UPDATE"),
        ("DELETE FROM ims_stockmovement", "DELETE"),
    ],
)
def test_the_database_refuses_changing_or_deleting_movements(movement, statement, operation):
    refused = pytest.raises((InternalError, ProgrammingError), match=f"stock movements are append-only \\({operation}")
    with refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)

    assert StockMovement.objects.get(pk=movement.pk).quantity == D("5")


def test_a_movement_is_recorded_on_the_audit_trail(movement):
    entry = AuditEntry.objects.get(object_type="ims.stockmovement", object_id=str(movement.pk))

    assert entry.action == "create"
    assert entry.changes["quantity"] == [None, "5.000"]
    assert entry.changes["kind"] == [None, "receipt"]


def test_the_database_refuses_a_negative_reservation(movement):
    with pytest.raises(IntegrityError, match="ims_stock_level_reserved_not_negative"), transaction.atomic():
        StockLevel.objects.filter(product=movement.product).update(reserved=-1)


def test_the_database_refuses_a_zero_movement(movement):
    with pytest.raises(IntegrityError, match="ims_movement_quantity_not_zero"), transaction.atomic():
        StockMovement.objects.create(
            product=movement.product,
            warehouse=movement.warehouse,
            kind="receipt",
            quantity=0,
            on_hand_after=5,
            reserved_after=0,
        )


def test_a_sku_is_unique(tenant):
    ProductFactory(sku="ONE")
    with pytest.raises(IntegrityError), transaction.atomic():
        ProductFactory._meta.model.objects.create(sku="ONE", name="Again")


def test_a_level_knows_what_is_available(movement):
    services.movement_post(product=movement.product, warehouse=movement.warehouse, kind="reservation", quantity=2)

    level = StockLevel.objects.get()
    assert (level.on_hand, level.reserved, level.available) == (D("5"), D("2"), D("3"))
    assert str(level) == f"{movement.product_id}@{movement.warehouse_id}: 5.000"


ADMIN_PAGES = [
    "category",
    "supplier",
    "warehouse",
    "location",
    "product",
    "reorderrule",
    "stocklevel",
    "stockmovement",
    "purchaseorder",
    "numbersequence",
]


@pytest.mark.parametrize("model", ADMIN_PAGES)
def test_the_admin_lists_every_inventory_model(movement, tenant_client, admin_user, model):
    tenant_client.force_login(admin_user)

    assert tenant_client.get(f"/admin/ims/{model}/").status_code == 200


def test_the_admin_never_adds_or_changes_movements_or_levels(movement, tenant_client, admin_user):
    tenant_client.force_login(admin_user)
    level = StockLevel.objects.get()

    assert tenant_client.get("/admin/ims/stockmovement/add/").status_code == 403
    assert tenant_client.get(f"/admin/ims/stockmovement/{movement.pk}/change/").status_code == 200
    assert tenant_client.post(f"/admin/ims/stockmovement/{movement.pk}/delete/").status_code == 403
    assert tenant_client.get("/admin/ims/stocklevel/add/").status_code == 403
    assert tenant_client.post(f"/admin/ims/stocklevel/{level.pk}/delete/").status_code == 403
    assert StockMovement.objects.count() == 1


def test_a_product_added_in_the_admin_goes_through_the_service(tenant, tenant_client, admin_user):
    from apps.events.models import OutboxEvent

    tenant_client.force_login(admin_user)
    form = {
        "sku": "ADMIN-1",
        "name": "From the admin",
        "unit": "box",
        "cost_price": "1.00",
        "sale_price": "2.00",
        "active": "on",
        "reorder_rules-TOTAL_FORMS": "0",
        "reorder_rules-INITIAL_FORMS": "0",
    }

    response = tenant_client.post("/admin/ims/product/add/", form)

    assert response.status_code == 302
    created = OutboxEvent.objects.get(tenant_schema="acme", event_type="ims.product.created")
    assert created.envelope["data"]["sku"] == "ADMIN-1"
    assert created.envelope["userId"] == str(admin_user.pk)


def test_a_product_changed_in_the_admin_goes_through_the_service(movement, tenant_client, admin_user):
    from apps.events.models import OutboxEvent

    tenant_client.force_login(admin_user)
    product = movement.product
    form = {
        "sku": product.sku,
        "name": "Renamed in the admin",
        "unit": product.unit,
        "cost_price": str(product.cost_price),
        "sale_price": str(product.sale_price),
        "active": "on",
        "reorder_rules-TOTAL_FORMS": "0",
        "reorder_rules-INITIAL_FORMS": "0",
    }

    response = tenant_client.post(f"/admin/ims/product/{product.pk}/change/", form)

    assert response.status_code == 302
    updated = OutboxEvent.objects.get(tenant_schema="acme", event_type="ims.product.updated")
    assert updated.envelope["data"]["changed"] == ["name"]
    product.refresh_from_db()
    assert product.name == "Renamed in the admin"


def test_a_movement_with_its_level_audit_entry_and_event_is_one_round_trip_after_the_lock(tenant):
    product, warehouse = ProductFactory(sku="GLUE"), WarehouseFactory(code="main")
    services.movement_post(product=product, warehouse=warehouse, kind="receipt", quantity=5, unit_cost=1)
    heard: list[tuple[int, bool]] = []

    def listener(sender, instance, created, **kwargs):
        heard.append((instance.pk, created))

    post_save.connect(listener, sender=StockMovement)
    try:
        with CaptureQueriesContext(connection) as queries:
            [issue] = services.movement_post(product=product, warehouse=warehouse, kind="issue", quantity=2)
    finally:
        post_save.disconnect(listener, sender=StockMovement)

    ours = [
        query["sql"] for query in queries if not query["sql"].startswith(("SET search_path", "SAVEPOINT", "RELEASE"))
    ]
    statements = [sql.split()[0:3] for sql in ours]
    # The level lock; then the level, the ledger row, its audit entry and its event in one round trip.
    assert statements == [["SELECT", "sl.id,", "sl.warehouse_id,"], ["WITH", "level", "AS"]]
    sent = [part.split()[0:3] for part in ours[1].split(";")]
    assert sent == [
        ["WITH", "level", "AS"],
        ["SELECT", "pg_advisory_xact_lock(hashtextextended('monopod.audit:'", "||"],
        ["INSERT", "INTO", "audit_auditentry"],
        ["WITH", "numbered", "AS"],
    ]
    assert OutboxEvent.objects.filter(event_type="ims.stock.moved", envelope__data__movement=issue.pk).count() == 1
    assert heard == [(issue.pk, True)]  # other receivers still hear of the row
    entries = AuditEntry.objects.filter(object_type="ims.stockmovement", object_id=str(issue.pk))
    assert [(entry.action, entry.changes["quantity"]) for entry in entries] == [("create", [None, "-2.000"])]
