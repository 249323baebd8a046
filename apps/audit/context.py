"""Who is acting and from where, for the entries recorded while a request (or a command) runs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.apps import AppConfig, apps
from django.http import HttpRequest


@dataclass(frozen=True)
class RequestContext:
    """The request being served; its user and API key are read when an entry is recorded, not before."""

    request: HttpRequest
    ip: str
    user_agent: str


request_context_var: ContextVar[RequestContext | None] = ContextVar("audit_request", default=None)
# Set while migrations run: what they write (permissions, roles) is schema set-up, not activity.
suspended_var: ContextVar[bool] = ContextVar("audit_suspended", default=False)


@contextmanager
def audit_suspended() -> Iterator[None]:
    """Record nothing inside the block."""
    token = suspended_var.set(True)
    try:
        yield
    finally:
        suspended_var.reset(token)


def suspend_for_migrations(**kwargs: Any) -> None:
    """``pre_migrate``: stop recording until the migration's last ``post_migrate`` receiver has run."""
    suspended_var.set(True)


def resume_after_migrations(app_config: AppConfig, **kwargs: Any) -> None:
    """``post_migrate``, sent once per app: the last app's comes last (after the roles are synced)."""
    if app_config is list(apps.get_app_configs())[-1]:
        suspended_var.set(False)
