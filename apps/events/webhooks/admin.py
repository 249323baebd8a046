"""The tenant console's webhooks: endpoints editable, attempts to look at only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from apps.events.webhooks.models import WebhookAttempt, WebhookEndpoint


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["url", "active", "description", "created_at"]
    list_filter = ["active"]
    search_fields = ["url", "description"]
    exclude = ["secret"]


@admin.register(WebhookAttempt)
class WebhookAttemptAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["event_type", "endpoint", "attempt", "status", "response_status", "latency_ms", "requested_at"]
    list_filter = ["status"]
    search_fields = ["event_id", "event_type"]
    list_select_related = ["endpoint"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
