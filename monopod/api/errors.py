"""The one error envelope every API answer uses, and the handlers that produce it.

Every error answers ``{"error": {"code", "message", "details", "request_id"}}``: ``code`` is one of a
fixed, upper-case set (``VALIDATION_ERROR``, ``NOT_FOUND``, ...), ``message`` is for people,
``details`` lists ``{"field", "message", "code"}`` entries (one per field message for validation
errors; the precise reason for other errors when there is one), and ``request_id`` is the response's
``X-Request-ID``.
"""

from __future__ import annotations

import logging
import re
from typing import Any, cast

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from django_guid import get_guid
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from monopod.api.exceptions import Conflict, PayloadTooLarge

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"
# Django's get_object_or_404, which DRF's views use, names the missing model in an English-only message.
_NO_MATCH = re.compile(r"No (?P<model>\w+) matches the given query\.")


# The envelope's code for each DRF exception; subclasses answer their nearest ancestor's code.
ERROR_CODES: dict[type[exceptions.APIException], str] = {
    exceptions.ValidationError: "VALIDATION_ERROR",
    exceptions.ParseError: "PARSE_ERROR",
    exceptions.NotAuthenticated: "NOT_AUTHENTICATED",
    exceptions.AuthenticationFailed: "AUTHENTICATION_FAILED",
    exceptions.PermissionDenied: "PERMISSION_DENIED",
    exceptions.NotFound: "NOT_FOUND",
    exceptions.MethodNotAllowed: "METHOD_NOT_ALLOWED",
    exceptions.NotAcceptable: "NOT_ACCEPTABLE",
    exceptions.UnsupportedMediaType: "UNSUPPORTED_MEDIA_TYPE",
    exceptions.Throttled: "THROTTLED",
    Conflict: "CONFLICT",
    PayloadTooLarge: "PAYLOAD_TOO_LARGE",
}


def error_body(*, code: str, message: str, details: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or [], "request_id": get_guid()}}


def error_response(
    *, status_code: int, code: str, message: str, details: list[dict[str, Any]] | None = None
) -> JsonResponse:
    """The envelope outside DRF views (middleware, plain Django views)."""
    return JsonResponse(error_body(code=code, message=message, details=details), status=status_code)


def _field_errors(detail: Any, path: str | None) -> list[dict[str, Any]]:
    """DRF's nested validation errors as flat entries; nested fields are dotted (``lines.0.sku``)."""
    if isinstance(detail, dict):
        entries = []
        for key, value in detail.items():
            name = None if key == api_settings.NON_FIELD_ERRORS_KEY else str(key)
            entries += _field_errors(value, name if path is None else f"{path}.{name}" if name else path)
        return entries
    if isinstance(detail, list):
        entries = []
        for index, item in enumerate(detail):
            nested = isinstance(item, dict | list)
            entries += _field_errors(item, (str(index) if path is None else f"{path}.{index}") if nested else path)
        return entries
    return [{"field": path, "message": str(detail), "code": getattr(detail, "code", "invalid")}]


def _code_for(exc: exceptions.APIException) -> str:
    for klass in type(exc).__mro__:
        if klass in ERROR_CODES:
            return ERROR_CODES[klass]
    return str(exc.default_code).upper()


def _api_error_body(exc: exceptions.APIException) -> dict[str, Any]:
    code = _code_for(exc)
    if isinstance(exc, exceptions.ValidationError):
        details = _field_errors(exc.detail, None)
        first = details[0] if details else {"field": None, "message": _("Invalid input.")}
        message = f"{first['field']}: {first['message']}" if first["field"] else str(first["message"])
        return error_body(code=code, message=message, details=details)
    entries = _field_errors(exc.detail, None)
    message = str(entries[0]["message"]) if entries else str(exc.default_detail)
    # A more precise reason than the class's own (token_not_valid, api_key_expired) goes into details.
    reasons = [entry for entry in entries if entry["code"] != exc.default_code]
    return error_body(code=code, message=message, details=reasons)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    """DRF's handler with every answer in the envelope; what DRF leaves unhandled is a logged 500."""
    exc = _drf_equivalent(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        set_rollback()
        view = context.get("view")
        logger.error("Unhandled exception in API view %s", type(view).__name__, exc_info=exc)
        body = error_body(code="SERVER_ERROR", message=_("A server error occurred."))
        return Response(body, status=status.HTTP_500_INTERNAL_SERVER_ERROR)
    response.data = _api_error_body(cast(exceptions.APIException, exc))
    return response


def _drf_equivalent(exc: Exception) -> Exception:
    """Django's exceptions that mean an API error, as DRF's own (DRF's handler converts the first two)."""
    if isinstance(exc, Http404):
        missing = _NO_MATCH.fullmatch(str(exc.args[0])) if exc.args else None
        if missing:
            return exceptions.NotFound(_("No %(model)s matches the given query.") % {"model": missing["model"]})
        return exceptions.NotFound(*exc.args)
    if isinstance(exc, PermissionDenied):
        return exceptions.PermissionDenied(*exc.args)
    if isinstance(exc, RequestDataTooBig):
        return PayloadTooLarge()
    return exc


# Django's own error views, for requests that never reach a DRF view (unknown URLs, errors in
# middleware): the envelope under /api/, Django's HTML pages everywhere else.


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        if isinstance(exception, RequestDataTooBig):
            return error_response(
                status_code=413, code="PAYLOAD_TOO_LARGE", message=str(PayloadTooLarge.default_detail)
            )
        return error_response(status_code=400, code="BAD_REQUEST", message=_("Bad request."))
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        message = str(exceptions.PermissionDenied.default_detail)
        return error_response(status_code=403, code="PERMISSION_DENIED", message=message)
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return error_response(status_code=404, code="NOT_FOUND", message=str(exceptions.NotFound.default_detail))
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return error_response(status_code=500, code="SERVER_ERROR", message=_("A server error occurred."))
    return defaults.server_error(request)
