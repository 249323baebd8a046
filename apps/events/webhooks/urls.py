"""Routes under /api/v1/webhooks/."""

from rest_framework import routers

from apps.events.webhooks.api.views import WebhookAttemptViewSet, WebhookEndpointViewSet

router = routers.SimpleRouter()
router.register("endpoints", WebhookEndpointViewSet, basename="webhooks-endpoint")
router.register("attempts", WebhookAttemptViewSet, basename="webhooks-attempt")
urlpatterns = router.urls
