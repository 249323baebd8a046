"""URLs of the public site (the public schema): landing page and platform operators' admin."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from apps.tenants import views as tenant_views

urlpatterns = [
    path("", include("monopod.urls_common")),
    path("", tenant_views.public_home, name="public-home"),
    path("signup/", tenant_views.signup_view, name="signup"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("api/v1/tenants/", include("apps.tenants.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(urlconf="monopod.urls_public"), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]

# Under /api/ errors answer the JSON envelope; elsewhere Django's pages.
handler400 = "monopod.api.errors.bad_request"
handler403 = "monopod.api.errors.permission_denied"
handler404 = "monopod.api.errors.page_not_found"
handler500 = "monopod.api.errors.server_error"
