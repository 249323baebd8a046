"""API errors DRF has no class for.

Kept apart from the handlers: DRF's settings name parsers that raise these, and must import them
before DRF's views exist.
"""

from __future__ import annotations

from rest_framework import exceptions, status


class Conflict(exceptions.APIException):
    """The request contradicts the resource's current state (a duplicate, a stale version)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state of the resource."
    default_code = "conflict"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "Request body is too large."
    default_code = "payload_too_large"
