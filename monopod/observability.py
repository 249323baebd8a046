"""Request, trace, tenant and user context for every log record.

The request id comes from django-guid (``X-Request-ID``, accepted from the caller when it is a
well-formed UUID). The trace id comes from a W3C ``traceparent`` header when one is well-formed, and is
made anew otherwise. Both travel to Celery tasks with the tenant (see ``monopod.celery``).
"""

from __future__ import annotations

import logging
import re
import secrets
import time
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from celery.signals import before_task_publish, task_postrun, task_prerun
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django_guid import get_guid

TRACEPARENT = re.compile(r"^[0-9a-f]{2}-(?P<trace_id>[0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$")
NULL_TRACE_ID = "0" * 32

trace_id_var: ContextVar[str | None] = ContextVar("trace_id", default=None)
user_var: ContextVar[str | None] = ContextVar("user", default=None)
access_logger = logging.getLogger("monopod.access")


def trace_id_from_header(header: str | None) -> str:
    """The caller's trace id when its ``traceparent`` is well-formed, else a new random one."""
    if header:
        match = TRACEPARENT.match(header.strip().lower())
        if match and match["trace_id"] != NULL_TRACE_ID:
            return match["trace_id"]
    return secrets.token_hex(16)


class RequestContextMiddleware:
    """Binds the trace id, answers with it in ``X-Trace-ID``, and logs one access line per request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        trace_token = trace_id_var.set(trace_id_from_header(request.headers.get("traceparent")))
        user_token = user_var.set(None)
        try:
            response = self.get_response(request)
            response["X-Trace-ID"] = trace_id_var.get() or ""
            access_logger.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                },
            )
            return response
        finally:
            user_var.reset(user_token)
            trace_id_var.reset(trace_token)


class UserContextMiddleware:
    """Binds the authenticated user's id for log records; anonymous requests cost no query.

    ``RequestContextMiddleware`` (outermost) resets it once the access line is written.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            user_var.set(str(user.pk))
        return self.get_response(request)


def current_tenant() -> str | None:
    """The schema the default connection points at, without touching the database."""
    return getattr(connection, "schema_name", None)


TRACE_HEADER = "monopod_trace_id"


@before_task_publish.connect
def _send_trace_id_with_task(headers: dict[str, Any] | None = None, **kwargs: Any) -> None:
    """A task sent during a request (or another task) carries that trace id to its worker."""
    if headers is not None and (trace_id := trace_id_var.get()):
        headers[TRACE_HEADER] = trace_id


@task_prerun.connect
def _bind_trace_id_in_worker(task: Any = None, **kwargs: Any) -> None:
    received = getattr(task.request, TRACE_HEADER, None) if task is not None else None
    trace_id_var.set(received if isinstance(received, str) and len(received) == 32 else secrets.token_hex(16))


@task_postrun.connect
def _unbind_trace_id_in_worker(**kwargs: Any) -> None:
    trace_id_var.set(None)


class LogContextFilter(logging.Filter):
    """Adds request_id, trace_id, tenant and user to every record (JSON fields)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = get_guid()
        record.trace_id = trace_id_var.get()
        record.tenant = current_tenant()
        record.user = user_var.get()
        return True
