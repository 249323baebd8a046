"""Demo inventory for the demo tenant: categories, 50 products, 2 warehouses, suppliers, a stock history,
an open purchase order, and two products under their reorder point. Idempotent: a second run adds nothing.
"""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from apps.ims import services
from apps.ims.models import Category, Product, PurchaseOrder, StockMovement, Supplier, Warehouse
from monopod.seeding import demo_seeder

CATEGORIES = {
    "Fasteners": ("Bolt M6", "Bolt M8", "Bolt M10", "Nut M6", "Nut M8", "Nut M10", "Washer M6", "Washer M8",
                  "Wood screw 4x40", "Wall plug 8mm"),
    "Tools": ("Claw hammer", "Screwdriver set", "Tape measure 5m", "Spirit level", "Utility knife",
              "Hacksaw", "Pliers", "Adjustable wrench", "Allen key set", "Chisel 20mm"),
    "Paint": ("White emulsion", "Magnolia emulsion", "Gloss white", "Primer", "Wood stain oak",
              "Masonry paint", "Roller 9in", "Brush 2in", "Paint tray", "Masking tape"),
    "Safety": ("Work gloves L", "Work gloves M", "Safety glasses", "Ear defenders", "Dust mask FFP2",
               "Hard hat", "Hi-vis vest", "Knee pads", "First aid kit", "Safety boots 42"),
    "Garden": ("Compost 40l", "Grass seed", "Hose 15m", "Watering can", "Secateurs",
               "Garden fork", "Rake", "Plant pots (10)", "Fertiliser", "Garden twine"),
}  # fmt: skip
UNITS = {"Compost 40l": "l", "Grass seed": "kg", "Fertiliser": "kg", "White emulsion": "l", "Magnolia emulsion": "l"}
SUPPLIERS = (
    ("Northern Fixings Ltd", "Dana Price", "orders@northernfixings.example", 5),
    ("ToolWorks Wholesale", "Sam Okafor", "trade@toolworks.example", 10),
    ("Greenfield Supplies", "Lena Fischer", "sales@greenfield.example", 14),
)
WAREHOUSES = (("main", "Main warehouse", "1 Dock Road"), ("north", "North depot", "Unit 4, Hill Park"))
REORDER_POINT = Decimal("10")
REORDER_QUANTITY = Decimal("50")
# Two products left at or under the reorder point, so the low-stock card has something to show.
LOW_STOCK = {"Bolt M8": Decimal("4"), "Dust mask FFP2": Decimal("7")}


@demo_seeder
def seed_inventory(*, tenant: Any) -> None:
    """Add the demo inventory once; later runs find it and leave it be."""
    with transaction.atomic():
        warehouses = _warehouses()
        suppliers = _suppliers()
        products = _products()
        for product in products:
            services.reorder_rule_set(
                product=product,
                warehouse=warehouses[0],
                reorder_point=REORDER_POINT,
                reorder_quantity=REORDER_QUANTITY,
            )
        if not StockMovement.objects.exists():
            _history(products, warehouses)
        if not PurchaseOrder.objects.exists():
            _open_order(products, suppliers[0], warehouses[0])


def _warehouses() -> list[Warehouse]:
    return [
        Warehouse.objects.get_or_create(code=code, defaults={"name": name, "address": address})[0]
        for code, name, address in WAREHOUSES
    ]


def _suppliers() -> list[Supplier]:
    return [
        Supplier.objects.get_or_create(
            name=name, defaults={"contact_name": contact, "email": email, "lead_time_days": lead_time}
        )[0]
        for name, contact, email, lead_time in SUPPLIERS
    ]


def _products() -> list[Product]:
    products = []
    prices = random.Random(11)  # noqa: S311 - demo data, the same every time
    for category_index, (category_name, names) in enumerate(CATEGORIES.items(), start=1):
        category = Category.objects.get_or_create(name=category_name)[0]
        for index, name in enumerate(names, start=1):
            sku = f"{category_name[:3].upper()}-{category_index}{index:02d}"
            cost = Decimal(prices.randint(50, 4000)) / 100
            product = Product.objects.filter(sku=sku).first()
            if product is None:
                product = services.product_create(
                    actor=None,
                    sku=sku,
                    name=name,
                    category=category,
                    unit=UNITS.get(name, "unit"),
                    cost_price=cost,
                    sale_price=(cost * Decimal("1.6")).quantize(Decimal("0.01")),
                    barcode=f"50{category_index:02d}{index:08d}",
                )
            products.append(product)
    return products


def _history(products: list[Product], warehouses: list[Warehouse]) -> None:
    """Receipts, sales, a transfer or two and a stock count per product, as a few weeks of trading."""
    main, north = warehouses
    rng = random.Random(7)  # noqa: S311 - demo data, the same every time
    for product in products:
        received = Decimal(rng.randint(40, 120))
        services.movement_post(
            product=product,
            warehouse=main,
            kind="receipt",
            quantity=received,
            unit_cost=product.cost_price,
            reference=f"DN-{rng.randint(1000, 9999)}",
        )
        if product.name in LOW_STOCK:
            services.movement_post(
                product=product,
                warehouse=main,
                kind="issue",
                quantity=received - LOW_STOCK[product.name],
                reference="SO-BULK",
            )
            continue
        services.movement_post(
            product=product,
            warehouse=main,
            kind="receipt",
            quantity=Decimal(rng.randint(10, 40)),
            unit_cost=(product.cost_price * Decimal("1.05")).quantize(Decimal("0.01")),
        )
        services.movement_post(
            product=product,
            warehouse=main,
            kind="issue",
            quantity=Decimal(rng.randint(1, int(received * Decimal("0.3")))),
            reference=f"SO-{rng.randint(100, 999)}",
        )
        if rng.random() < 0.4:
            services.movement_post(
                product=product, warehouse=main, kind="transfer", quantity=Decimal(5), to_warehouse=north
            )
        if rng.random() < 0.2:
            services.movement_post(
                product=product, warehouse=main, kind="adjustment", quantity=Decimal(-1), reason="Stock count"
            )
        if rng.random() < 0.2:
            services.movement_post(
                product=product, warehouse=main, kind="reservation", quantity=Decimal(2), reference="SO-HOLD"
            )


def _open_order(products: list[Product], supplier: Supplier, warehouse: Warehouse) -> None:
    low = [product for product in products if product.name in LOW_STOCK]
    order = services.purchase_order_create(
        supplier=supplier,
        warehouse=warehouse,
        lines=[{"product": product, "quantity": REORDER_QUANTITY, "unit_cost": product.cost_price} for product in low],
        expected_date=timezone.localdate() + timedelta(days=supplier.lead_time_days),
        notes="Restock of items under their reorder point.",
        actor=None,
    )
    services.purchase_order_order(order=order, actor=None)
