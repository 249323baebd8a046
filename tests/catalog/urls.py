"""A tenant's URLs with the catalog resource added, as a module's URLs would be."""

from django.urls import include, path

from monopod.urls_tenant import handler400, handler403, handler404, handler500  # noqa: F401
from monopod.urls_tenant import urlpatterns as tenant_urlpatterns
from monopod.web.urls import object_urls
from tests.catalog import views
from tests.catalog.api import router

web_urlpatterns = object_urls(
    "products",
    list_view=views.ProductListView,
    detail_view=views.ProductDetailView,
    edit_view=views.ProductEditView,
    delete_view=views.ProductDeleteView,
    bulk_delete_view=views.ProductBulkDeleteView,
)

urlpatterns = [
    path("api/v1/catalog/", include(router.urls)),
    path("catalog/", include((web_urlpatterns, "catalog"))),
    *tenant_urlpatterns,
]
