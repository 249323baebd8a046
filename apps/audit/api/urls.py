"""Routes under /api/v1/audit/."""

from rest_framework.routers import SimpleRouter

from apps.audit.api.views import AuditEntryViewSet

router = SimpleRouter()
router.register("entries", AuditEntryViewSet, basename="audit-entry")
urlpatterns = router.urls
