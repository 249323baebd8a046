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
    """Run ``statement`` as a superuser would, past the append-only trigger (rolled back with the test)."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(statement, params or [])
        cursor.execute("SET LOCAL session_replication_role = origin")
