"""Tenant URL conf of the API benchmark: the plain baseline views, then the catalog's and MonoPod's URLs.

The baseline answers the same rows as the catalog's API (the serializer's fields, the model's
ordering) through ``.values()`` and ``JsonResponse``. It runs behind the same middleware stack and
tenant resolution, and skips DRF: no authentication, role permissions, throttle, filters, count query,
serializer, renderer or ETag.
"""

from django.http import Http404, HttpRequest, JsonResponse
from django.urls import path

from monopod.urls_tenant import handler400, handler403, handler404, handler500  # noqa: F401
from tests.catalog.api import ProductSerializer
from tests.catalog.models import Product
from tests.catalog.urls import urlpatterns as catalog_urlpatterns

FIELDS = tuple(ProductSerializer.Meta.fields)
PAGE_SIZE = 50  # monopod.api.PageNumberPagination's


def product_list(request: HttpRequest) -> JsonResponse:
    """The first page of products, as plain rows."""
    return JsonResponse({"results": list(Product.objects.values(*FIELDS)[:PAGE_SIZE])})


def product_detail(request: HttpRequest, pk: int) -> JsonResponse:
    """One product, as a plain row."""
    try:
        return JsonResponse(Product.objects.values(*FIELDS).get(pk=pk))
    except Product.DoesNotExist:
        raise Http404 from None


urlpatterns = [
    path("bench/products/", product_list),
    path("bench/products/<int:pk>/", product_detail),
    *catalog_urlpatterns,
]
