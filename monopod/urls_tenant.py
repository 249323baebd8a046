"""URLs of a tenant's site: its home page, admin console and API."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from monopod.web.dashboard import dashboard

urlpatterns = [
    path("", include("monopod.urls_common")),
    path("", dashboard, name="tenant-home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("audit/", include("apps.audit.urls")),
    path("", include("apps.features.urls")),
    path("ims/", include("apps.ims.urls")),
    path("api/v1/auth/", include("apps.identity.api.urls")),
    path("api/v1/audit/", include("apps.audit.api.urls")),
    path("api/v1/events/", include("apps.events.deliveries.urls")),
    path("api/v1/webhooks/", include("apps.events.webhooks.urls")),
    path("api/v1/features/", include("apps.features.api.urls")),
    path("api/v1/ims/", include("apps.ims.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]

# Under /api/ errors answer the JSON envelope; elsewhere Django's pages.
handler400 = "monopod.api.errors.bad_request"
handler403 = "monopod.api.errors.permission_denied"
handler404 = "monopod.api.errors.page_not_found"
handler500 = "monopod.api.errors.server_error"
