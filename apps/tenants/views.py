"""The public landing page and each tenant's home page."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def public_home(request: HttpRequest) -> HttpResponse:
    return render(request, "tenants/public_home.html", {"base_domain": settings.BASE_DOMAIN})


def tenant_home(request: HttpRequest) -> HttpResponse:
    return render(request, "tenants/home.html", {"tenant": request.tenant})  # type: ignore[attr-defined]
