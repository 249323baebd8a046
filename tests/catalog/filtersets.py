"""The catalog's filters, shared by its API and its web pages."""

from monopod.api import FilterSet
from tests.catalog.models import Product


class ProductFilterSet(FilterSet):
    class Meta:
        model = Product
        fields = {
            "sku": ["exact"],
            "category": ["exact"],
            "active": ["exact"],
            "unit_price": ["gte", "lte"],
            "quantity": ["gte", "lte"],
        }
