"""OpenAPI (drf-spectacular): the error envelope as a schema, and documented on every operation."""

# drf-spectacular's AutoSchema is untyped.
# mypy: disable-error-code="no-untyped-call,misc"

from __future__ import annotations

from typing import Any

from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorDetailSerializer(serializers.Serializer[Any]):
    field = serializers.CharField(
        allow_null=True, help_text="The field, dotted when nested; null for the whole request."
    )
    message = serializers.CharField()
    code = serializers.CharField(help_text="The precise reason, lower-case (required, token_not_valid, ...).")


class ErrorSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(help_text="VALIDATION_ERROR, NOT_AUTHENTICATED, NOT_FOUND, THROTTLED, ...")
    message = serializers.CharField()
    details = ErrorDetailSerializer(many=True)
    request_id = serializers.CharField(allow_null=True, help_text="The response's X-Request-ID.")


class ErrorEnvelopeSerializer(serializers.Serializer[Any]):
    error = ErrorSerializer()


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(response=ErrorEnvelopeSerializer, description=description)


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema, with the envelope documented for the errors an operation can answer."""

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        errors = {"400": _error("Invalid input, malformed body or unknown query parameter.")}
        if self.get_auth():
            errors["401"] = _error("Missing or invalid credentials.")
            errors["403"] = _error("The role or the API key's scopes do not allow this.")
        if "{" in self.path:
            errors["404"] = _error("No such object in this tenant.")
        errors["429"] = _error("Too many requests; retry after Retry-After seconds.")
        for status_code, response in errors.items():
            if status_code not in responses:
                responses[status_code] = self._get_response_for_code(response, status_code, direction=direction)
        return responses
