"""Request context for the audit trail, and a record of each request refused for lack of permission."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from apps.audit.context import RequestContext, request_context_var
from apps.audit.services import audit_record, recording_enabled


def client_ip(request: HttpRequest) -> str:
    """The client's address as DRF's throttles see it with ``NUM_PROXIES = 1``: the proxy's last entry."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    candidate = forwarded.split(",")[-1].strip() if forwarded else request.META.get("REMOTE_ADDR", "")
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return ""


class AuditContextMiddleware:
    """Binds the request for ``audit_record``; costs no query unless something is recorded."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        context = RequestContext(
            request=request, ip=client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", "")
        )
        token = request_context_var.set(context)
        try:
            response = self.get_response(request)
            if response.status_code == 403 and recording_enabled():
                audit_record(
                    action="auth.permission_denied",
                    changes={"method": [None, request.method], "path": [None, request.path]},
                )
            return response
        finally:
            request_context_var.reset(token)
