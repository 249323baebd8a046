"""Reads on the audit trail."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from apps.audit.chain import CHAINED_FIELDS, ChainReport, chain_walk
from apps.audit.models import AuditEntry

VERIFY_CHUNK = 10_000


def audit_entry_list(*, since: datetime | None = None, until: datetime | None = None) -> QuerySet[AuditEntry]:
    """The current tenant's entries in chain order, within ``[since, until)`` when given."""
    entries = AuditEntry.objects.order_by("seq")
    if since is not None:
        entries = entries.filter(occurred_at__gte=since)
    if until is not None:
        entries = entries.filter(occurred_at__lt=until)
    return entries


def audit_object_history(*, object_type: str, object_id: str) -> QuerySet[AuditEntry]:
    """What happened to one object, newest first."""
    return AuditEntry.objects.filter(object_type=object_type, object_id=object_id).order_by("-seq")


def _chain_rows() -> Iterator[tuple[Any, ...]]:
    return AuditEntry.objects.order_by("seq").values_list(*CHAINED_FIELDS, "hash").iterator(chunk_size=VERIFY_CHUNK)


def audit_chain_verify() -> ChainReport:
    """Walk the current tenant's whole chain and name its first broken entry, if any."""
    return chain_walk(_chain_rows())
