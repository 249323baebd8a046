"""Tenant URL conf of the tenancy benchmark: the trivial view first, then MonoPod's tenant URLs."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from monopod.urls_tenant import urlpatterns as tenant_urlpatterns


def ok(request: HttpRequest) -> HttpResponse:
    """The calibration's bare Django view (``tests/bench/apps/bare_django.py``): ``ok``, no I/O."""
    return HttpResponse(b"ok", content_type="text/plain")


TRIVIAL_PATHS = [path("bench/trivial", ok), path("health/bench-trivial", ok)]
urlpatterns = [*TRIVIAL_PATHS, *tenant_urlpatterns]
