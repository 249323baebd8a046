"""URLs of a tenant's site: its home page, admin console and API."""

from django.contrib import admin
from django.urls import include, path

from apps.tenants import views as tenant_views

urlpatterns = [
    path("", include("monopod.urls_common")),
    path("", tenant_views.tenant_home, name="tenant-home"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("api/v1/auth/", include("apps.identity.api.urls")),
]
