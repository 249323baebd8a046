"""The tenant console's webhooks: endpoints editable, attempts to look at only."""

from __future__ import annotations

from django.contrib import admin

from apps.events.webhooks.models import WebhookAttempt, WebhookEndpoint
from monopod.admin_site import ReadOnlyAdminMixin


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["url", "active", "description", "created_at"]
    list_filter = ["active"]
    search_fields = ["url", "description"]
    exclude = ["secret"]


@admin.register(WebhookAttempt)
class WebhookAttemptAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["event_type", "endpoint", "attempt", "status", "response_status", "latency_ms", "requested_at"]
    list_filter = ["status"]
    search_fields = ["event_id", "event_type"]
    list_select_related = ["endpoint"]
