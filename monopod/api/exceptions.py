"""API errors DRF has no class for.

Kept apart from the handlers: DRF's settings name parsers that raise these, and must import them
before DRF's views exist.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status


class Conflict(exceptions.APIException):
    """The request contradicts the resource's current state (a duplicate, a stale version)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The request conflicts with the current state of the resource.")
    default_code = "conflict"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("Request body is too large.")
    default_code = "payload_too_large"


class PreconditionFailed(exceptions.APIException):
    """``If-Match`` names a version the resource no longer has: someone else changed it first."""

    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = _("The resource has changed since it was read; fetch it again and retry.")
    default_code = "precondition_failed"


class PreconditionRequired(exceptions.APIException):
    """The resource accepts changes only with ``If-Match``."""

    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = _("This resource is changed only with an If-Match header carrying its ETag.")
    default_code = "precondition_required"


class IdempotencyKeyInvalid(exceptions.APIException):
    """The ``Idempotency-Key`` header is missing where required, or malformed."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = _("Send an Idempotency-Key header of 1 to 255 visible ASCII characters.")
    default_code = "idempotency_key_invalid"


class IdempotencyKeyReused(exceptions.APIException):
    """The key was first used with another request (method, path or body)."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = _("This Idempotency-Key was already used for a different request.")
    default_code = "idempotency_key_reused"
