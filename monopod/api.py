"""API conventions shared by every app: the one error envelope.

Every API error answers ``{"error": {"code", "message", "details", "request_id"}}``: ``code`` is
machine-readable, ``message`` is for people, ``details`` maps field names to their messages (for
validation errors), and ``request_id`` is the ``X-Request-ID`` of the response.
"""

from __future__ import annotations

from typing import Any

from django.http import JsonResponse
from django_guid import get_guid
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def error_body(*, code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or {}, "request_id": get_guid()}}


def error_response(*, status_code: int, code: str, message: str, details: dict[str, Any] | None = None) -> JsonResponse:
    """The envelope outside DRF views (middleware, plain Django views)."""
    return JsonResponse(error_body(code=code, message=message, details=details), status=status_code)


def _first_message(details: Any) -> str:
    if isinstance(details, dict):
        for value in details.values():
            return _first_message(value)
    if isinstance(details, list) and details:
        return _first_message(details[0])
    return str(details)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, with its answer wrapped in the envelope."""
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        details = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        field = next(iter(details), "non_field_errors")
        message = f"{field}: {_first_message(details)}" if field != "non_field_errors" else _first_message(details)
        response.data = error_body(code="invalid", message=message, details=details)
    elif isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else "error"
        response.data = error_body(code=code, message=_first_message(exc.detail))
    if response.status_code == status.HTTP_429_TOO_MANY_REQUESTS:
        response.data["error"]["code"] = "throttled"
    return response
