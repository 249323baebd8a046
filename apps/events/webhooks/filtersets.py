"""Filters of the webhooks lists, for the API and the admin."""

from __future__ import annotations

from apps.events.webhooks.models import WebhookAttempt, WebhookEndpoint
from monopod.api.filters import FilterSet, IntegerFilter


class WebhookEndpointFilterSet(FilterSet):
    class Meta:
        model = WebhookEndpoint
        fields = {"active": ["exact"], "created_at": ["gte", "lte"]}


class WebhookAttemptFilterSet(FilterSet):
    # By id, whether or not such an endpoint exists: an unknown one lists nothing rather than a 400.
    endpoint = IntegerFilter(field_name="endpoint")

    class Meta:
        model = WebhookAttempt
        fields = {
            "event_id": ["exact"],
            "event_type": ["exact"],
            "status": ["exact"],
            "requested_at": ["gte", "lte"],
        }
