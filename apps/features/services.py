"""Writes of the features app: consents and region changes."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from apps.features.constants import CONSENT_VERSION
from apps.features.models import Consent
from apps.tenants.models import Tenant
from apps.tenants.services import tenant_region_change


def consent_accept(*, user: Any, version: str = CONSENT_VERSION) -> Consent:
    """Record that ``user`` accepted ``version`` of the privacy notice; once per version (idempotent)."""
    with transaction.atomic():
        consent, _created = Consent.objects.get_or_create(user=user, version=version)
    return consent


def region_change(*, tenant: Tenant, region: str, actor: Any) -> Tenant:
    """Move ``tenant`` to ``region`` on its Admin's behalf; recorded on both trails (receivers)."""
    return tenant_region_change(tenant=tenant, region=region, actor=actor)
