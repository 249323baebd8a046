"""The catalog resource through the shared API suite: the lines a module writes per resource."""

from decimal import Decimal

from tests.api_cases import APIResourceTests
from tests.catalog.models import Product


class TestProductAPI(APIResourceTests):
    url = "/api/v1/catalog/products/"
    urlconf = "tests.catalog.urls"
    model = Product
    api_scope = "catalog"
    create_data = [
        {"sku": "BLT-1", "name": "Bolt", "unit_price": "0.25", "quantity": 500},
        {"sku": "SUP-1", "name": "Support plan", "category": "service", "unit_price": "120.00", "active": False},
    ]
    update_data = {"name": "Heavy anvil", "quantity": 9}
    invalid_data = ({"sku": "NEG-1", "name": "Negative", "unit_price": "-1.00"}, "unit_price")
    filter_cases = [
        ({"category": "service"}, [2]),
        ({"unit_price__gte": "10", "unit_price__lte": "100"}, [0]),
        ({"active": "false"}, [1]),
        ({"sku": "HAM-1"}, [1]),
    ]
    search_case = ("anvil", [0])
    ordering_field = "unit_price"

    def make_objects(self):
        return [
            Product.objects.create(sku="ANV-1", name="Anvil", unit_price=Decimal("99.00"), quantity=4),
            Product.objects.create(sku="HAM-1", name="Hammer", unit_price=Decimal("5.50"), active=False),
            Product.objects.create(sku="INS-1", name="Installation", category="service", unit_price=Decimal("250")),
        ]
