"""Deliveries as the API shows them: read-only."""

from __future__ import annotations

from apps.events.deliveries.models import Delivery
from monopod.api import ModelSerializer


class DeliverySerializer(ModelSerializer):
    class Meta:
        model = Delivery
        fields = [
            "id",
            "subscriber",
            "event_id",
            "event_type",
            "status",
            "attempts",
            "last_error",
            "next_attempt_at",
            "created_at",
            "updated_at",
            "done_at",
            "envelope",
        ]
        read_only_fields = fields
