"""A tenant's URLs with the catalog resource added, as a module's URLs would be."""

from django.urls import include, path

from monopod.urls_tenant import handler400, handler403, handler404, handler500  # noqa: F401
from monopod.urls_tenant import urlpatterns as tenant_urlpatterns
from tests.catalog.api import router

urlpatterns = [path("api/v1/catalog/", include(router.urls)), *tenant_urlpatterns]
