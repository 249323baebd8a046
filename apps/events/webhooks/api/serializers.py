"""Serializers of the webhooks API."""

from __future__ import annotations

from typing import Any

from django.db import models
from drf_spectacular.utils import extend_schema_field

from apps.events.webhooks.models import WebhookAttempt, WebhookEndpoint
from monopod.api import ModelSerializer, StrictCharField
from monopod.api.serializers import StrictURLField

# What the schema promises: an http(s) URL with a DNS name (the API also takes IP literals, then
# checks any host as the SSRF guard does, security.py).
URL_PATTERN = (
    r"^[Hh][Tt][Tt][Pp][Ss]?://([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,4}[A-Za-z]{2,63}"
    r"(:[1-9][0-9]{0,3})?(/[A-Za-z0-9._~-]*)*$"
)


@extend_schema_field({"type": "string", "format": "uri", "maxLength": 2000, "pattern": URL_PATTERN})
class WebhookURLField(StrictURLField):
    default_error_messages = {"invalid": "Enter a valid URL."}


class WebhookEndpointSerializer(ModelSerializer):
    """An endpoint; its secret can be set but is never shown again after creation."""

    serializer_field_mapping = {**ModelSerializer.serializer_field_mapping, models.URLField: WebhookURLField}

    secret = StrictCharField(write_only=True, required=False, min_length=16, max_length=128)

    class Meta:
        model = WebhookEndpoint
        fields = ["id", "url", "patterns", "secret", "active", "description", "created_at"]
        read_only_fields = ["created_at"]
        extra_kwargs = {"patterns": {"min_length": 1}}


class WebhookEndpointCreatedSerializer(WebhookEndpointSerializer):
    """The create response: the one time the secret, given or generated, is shown."""

    secret = StrictCharField(required=False, min_length=16, max_length=128)

    def to_representation(self, instance: Any) -> dict[str, Any]:
        return {**super().to_representation(instance), "secret": instance.secret}


class WebhookAttemptSerializer(ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = [
            "id",
            "endpoint",
            "event_id",
            "event_type",
            "attempt",
            "requested_at",
            "response_status",
            "latency_ms",
            "response_excerpt",
            "error",
            "next_retry_at",
            "status",
        ]
        read_only_fields = fields
