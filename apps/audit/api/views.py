"""The audit trail over the API: read-only, Admins only; API keys need the ``audit:read`` scope."""

from __future__ import annotations

from rest_framework import viewsets
from rest_framework.permissions import IsAuthenticated

from apps.audit.api.serializers import AuditEntrySerializer
from apps.audit.filtersets import AuditEntryFilterSet
from apps.audit.models import AuditEntry
from apps.audit.permissions import IsTenantAdmin
from apps.identity.permissions import ApiKeyScopes
from monopod.api.pagination import CursorPagination


class AuditEntryViewSet(viewsets.ReadOnlyModelViewSet):  # type: ignore[type-arg]
    """Audit entries, newest first; filter by actor, action, object and period (``since``, ``until``)."""

    queryset = AuditEntry.objects.order_by("-seq")
    serializer_class = AuditEntrySerializer
    filterset_class = AuditEntryFilterSet
    pagination_class = CursorPagination
    permission_classes = [IsAuthenticated, ApiKeyScopes, IsTenantAdmin]
    required_scopes = ("audit:read",)
