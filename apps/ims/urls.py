"""The inventory's pages, under /ims/ (namespace ``ims``)."""

from django.urls import path

from apps.ims import views
from monopod.web.urls import object_urls

app_name = "ims"
urlpatterns = [
    path("products/import/", views.ProductImportView.as_view(), name="product_import"),
    path("stock/move/", views.StockMovementView.as_view(), name="stock_move"),
    path("cards/low-stock/", views.low_stock_card, name="low_stock_card"),
    path(
        "purchase-orders/<int:pk>/receive/",
        views.PurchaseOrderReceiveView.as_view(),
        name="purchaseorder_receive",
    ),
    path(
        "purchase-orders/<int:pk>/<slug:step>/",
        views.PurchaseOrderStepView.as_view(),
        name="purchaseorder_step",
    ),
    *object_urls(
        "products",
        list_view=views.ProductListView,
        detail_view=views.ProductDetailView,
        edit_view=views.ProductEditView,
        delete_view=views.ProductDeleteView,
    ),
    *object_urls("stock", list_view=views.StockLevelListView),
    *object_urls("purchase-orders", list_view=views.PurchaseOrderListView, detail_view=views.PurchaseOrderDetailView),
    *object_urls(
        "categories",
        list_view=views.CategoryListView,
        detail_view=views.CategoryDetailView,
        edit_view=views.CategoryEditView,
        delete_view=views.CategoryDeleteView,
    ),
    *object_urls(
        "suppliers",
        list_view=views.SupplierListView,
        detail_view=views.SupplierDetailView,
        edit_view=views.SupplierEditView,
        delete_view=views.SupplierDeleteView,
    ),
    *object_urls(
        "warehouses",
        list_view=views.WarehouseListView,
        detail_view=views.WarehouseDetailView,
        edit_view=views.WarehouseEditView,
        delete_view=views.WarehouseDeleteView,
    ),
]
