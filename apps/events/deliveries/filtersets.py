"""Filters of deliveries, shared by the API and the admin's questions."""

from __future__ import annotations

from apps.events.deliveries.models import Delivery
from monopod.api import FilterSet


class DeliveryFilterSet(FilterSet):
    class Meta:
        model = Delivery
        fields = {"status": ["exact"], "subscriber": ["exact"], "event_type": ["exact"]}
