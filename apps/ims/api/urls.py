"""The inventory's API routes, under /api/v1/ims/."""

from django.urls import path
from rest_framework import routers

from apps.ims.api import views

router = routers.SimpleRouter()
router.register("products", views.ProductViewSet, basename="ims-product")
router.register("categories", views.CategoryViewSet, basename="ims-category")
router.register("suppliers", views.SupplierViewSet, basename="ims-supplier")
router.register("warehouses", views.WarehouseViewSet, basename="ims-warehouse")
router.register("stock", views.StockLevelViewSet, basename="ims-stock")
router.register("movements", views.StockMovementViewSet, basename="ims-movement")
router.register("purchase-orders", views.PurchaseOrderViewSet, basename="ims-purchase-order")

urlpatterns = [
    path("valuation/", views.ValuationViewSet.as_view({"get": "summary"}), name="ims-valuation"),
    *router.urls,
]
