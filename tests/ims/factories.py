"""factory_boy factories for the inventory; rows are made in whatever schema is current.

Stock is never made by factories: post movements through apps.ims.services so levels follow the ledger.
"""

from __future__ import annotations

from decimal import Decimal

import factory

from apps.ims.models import Category, Location, Product, ReorderRule, Supplier, Warehouse


class CategoryFactory(factory.django.DjangoModelFactory):  # type: ignore[misc]
    class Meta:
        model = Category
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Category {n}")


class SupplierFactory(factory.django.DjangoModelFactory):  # type: ignore[misc]
    class Meta:
        model = Supplier
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Supplier {n}")
    email = factory.Sequence(lambda n: f"orders{n}@supplier.test")
    contact_name = "Pat Jones"
    lead_time_days = 5


class WarehouseFactory(factory.django.DjangoModelFactory):  # type: ignore[misc]
    class Meta:
        model = Warehouse
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"wh{n}")
    name = factory.Sequence(lambda n: f"Warehouse {n}")


class LocationFactory(factory.django.DjangoModelFactory):  # type: ignore[misc]
    class Meta:
        model = Location

    warehouse = factory.SubFactory(WarehouseFactory)
    code = factory.Sequence(lambda n: f"A-{n:02d}")


class ProductFactory(factory.django.DjangoModelFactory):  # type: ignore[misc]
    class Meta:
        model = Product
        django_get_or_create = ("sku",)

    sku = factory.Sequence(lambda n: f"SKU-{n:04d}")
    name = factory.Sequence(lambda n: f"Product {n}")
    cost_price = Decimal("10.00")
    sale_price = Decimal("15.00")


class ReorderRuleFactory(factory.django.DjangoModelFactory):  # type: ignore[misc]
    class Meta:
        model = ReorderRule

    product = factory.SubFactory(ProductFactory)
    warehouse = factory.SubFactory(WarehouseFactory)
    reorder_point = Decimal("10")
    reorder_quantity = Decimal("50")
