"""Filters for audit entries, shared by the API and the export."""

from __future__ import annotations

from apps.audit.models import AuditEntry
from monopod.api.filters import FilterSet, IsoDateTimeFilter


class AuditEntryFilterSet(FilterSet):
    since = IsoDateTimeFilter(field_name="occurred_at", lookup_expr="gte")
    until = IsoDateTimeFilter(field_name="occurred_at", lookup_expr="lt")

    class Meta:
        model = AuditEntry
        fields = ["actor_type", "actor_id", "action", "object_type", "object_id", "request_id"]
