from __future__ import annotations

from rest_framework import serializers

from apps.audit.models import AuditEntry


class AuditEntrySerializer(serializers.ModelSerializer[AuditEntry]):
    class Meta:
        model = AuditEntry
        fields = [
            "seq",
            "occurred_at",
            "actor_type",
            "actor_id",
            "actor_label",
            "action",
            "object_type",
            "object_id",
            "changes",
            "request_id",
            "trace_id",
            "ip",
            "user_agent",
            "previous_hash",
            "hash",
        ]
        read_only_fields = fields
