"""The webhooks API: endpoints (written by Admins only) and the attempts log (read-only)."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.serializers import BaseSerializer

from apps.events.webhooks.api.serializers import (
    WebhookAttemptSerializer,
    WebhookEndpointCreatedSerializer,
    WebhookEndpointSerializer,
)
from apps.events.webhooks.filtersets import WebhookAttemptFilterSet, WebhookEndpointFilterSet
from apps.events.webhooks.models import WebhookAttempt, WebhookEndpoint
from apps.identity.roles import ADMIN
from monopod.api import CursorPagination, TenantModelViewSet


class AdminWrites(BasePermission):
    """Writes only by Admins: an endpoint sends every matching event, and its secret, out of the tenant."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in SAFE_METHODS:
            return True
        user = request.user
        return bool(user.is_superuser or user.groups.filter(name=ADMIN).exists())


class WebhookEndpointViewSet(TenantModelViewSet):
    """The tenant's webhook endpoints."""

    queryset = WebhookEndpoint.objects.all()
    serializer_class = WebhookEndpointSerializer
    filterset_class = WebhookEndpointFilterSet
    search_fields = ["url", "description"]
    ordering_fields = ["url", "created_at"]
    api_scope = "webhooks"
    extra_permission_classes = [AdminWrites]

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        return WebhookEndpointCreatedSerializer if self.action == "create" else WebhookEndpointSerializer


class WebhookAttemptViewSet(TenantModelViewSet):
    """Every delivery attempt, newest first: filter by ``endpoint``, ``event_id`` or ``status``."""

    queryset = WebhookAttempt.objects.all()
    serializer_class = WebhookAttemptSerializer
    filterset_class = WebhookAttemptFilterSet
    pagination_class = CursorPagination
    http_method_names = ["get", "head", "options"]
    api_scope = "webhooks"
