"""Reads of deliveries."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from apps.events.deliveries.models import Delivery
from apps.identity.roles import domains_hidden_from


def deliveries_visible_to(user: Any, deliveries: QuerySet[Delivery] | None = None) -> QuerySet[Delivery]:
    """The deliveries whose events ``user`` may see: none of a domain module they have no permission in
    (their envelopes carry the module's data; docs/decisions/0007-domain-module-access.md)."""
    visible = Delivery.objects.all() if deliveries is None else deliveries
    for module in sorted(domains_hidden_from(user)):
        visible = visible.exclude(event_type__startswith=f"{module}.")
    return visible
