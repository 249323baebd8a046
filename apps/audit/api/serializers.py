from __future__ import annotations

from rest_framework import serializers

from apps.audit.chain import CHAINED_FIELDS
from apps.audit.models import AuditEntry


class AuditEntrySerializer(serializers.ModelSerializer[AuditEntry]):
    class Meta:
        model = AuditEntry
        # Exactly what the chain covers, and the hash: a reader can recompute every link.
        fields = [*CHAINED_FIELDS, "hash"]
        read_only_fields = fields
