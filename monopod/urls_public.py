"""URLs of the public site (the public schema): landing page and platform operators' admin."""

from django.contrib import admin
from django.urls import include, path

from apps.tenants import views as tenant_views

urlpatterns = [
    path("", include("monopod.urls_common")),
    path("", tenant_views.public_home, name="public-home"),
    path("signup/", tenant_views.signup_view, name="signup"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("api/v1/tenants/", include("apps.tenants.api.urls")),
]
