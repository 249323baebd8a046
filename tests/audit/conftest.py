"""Audit fixtures: the chain of a tenant as the tests read it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection

from apps.audit.context import suspended_var
from apps.audit.models import AuditEntry


@pytest.fixture(autouse=True)
def _recording() -> Iterator[None]:
    """Every audit test starts recording, whatever a migration run earlier in the process left behind."""
    token = suspended_var.set(False)
    yield
    suspended_var.reset(token)


def entries(**filters: object) -> list[AuditEntry]:
    """The current schema's entries in chain order."""
    return list(AuditEntry.objects.filter(**filters).order_by("seq"))


def tamper(statement: str, params: list[object] | None = None) -> None:
    """Run ``statement`` as the table's owner or a superuser could, with the append-only trigger disabled
    for the moment (all of it rolled back with the test)."""
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_append_only")
        cursor.execute(statement, params or [])
        cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER audit_entry_append_only")
