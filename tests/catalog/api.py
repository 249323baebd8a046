"""The catalog's API: all a module writes for one resource."""

from rest_framework import routers

from monopod.api import ModelSerializer, TenantModelViewSet
from tests.catalog.filtersets import ProductFilterSet
from tests.catalog.models import Product


class ProductSerializer(ModelSerializer):
    class Meta:
        model = Product
        fields = [
            "id",
            "sku",
            "name",
            "description",
            "category",
            "unit_price",
            "quantity",
            "active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


class ProductViewSet(TenantModelViewSet):
    queryset = Product.objects.all()
    serializer_class = ProductSerializer
    filterset_class = ProductFilterSet
    search_fields = ["sku", "name"]
    ordering_fields = ["sku", "name", "unit_price", "quantity", "created_at"]
    api_scope = "catalog"


router = routers.SimpleRouter()
router.register("products", ProductViewSet, basename="catalog-product")
