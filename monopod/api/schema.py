"""OpenAPI (drf-spectacular): the error envelope as a schema, and documented on every operation."""

# drf-spectacular's AutoSchema is untyped.
# mypy: disable-error-code="no-untyped-call,misc"

from __future__ import annotations

from typing import Any

from drf_spectacular import openapi
from drf_spectacular.plumbing import get_doc
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers

# The actions of a resource viewset (monopod.api.TenantModelViewSet) that answer or check an ETag.
_TAGGED_ACTIONS = frozenset({"retrieve", "create", "update", "partial_update"})
_OBJECT_WRITE_ACTIONS = frozenset({"update", "partial_update", "destroy"})


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


def _header(name: str, description: str, **kwargs: Any) -> OpenApiParameter:
    return OpenApiParameter(name, OpenApiTypes.STR, OpenApiParameter.HEADER, description=description, **kwargs)


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema, with the envelope documented for the errors an operation can answer,
    and the concurrency headers of resource viewsets (ETag, If-Match, If-None-Match, Idempotency-Key).
    """

    def get_description(self) -> str:  # type: ignore[override]
        """The view's own docstring, else its action's: never one inherited from a base view class."""
        if vars(type(self.view)).get("__doc__"):
            return str(super().get_description())
        action = getattr(self.view, getattr(self.view, "action", None) or self.method.lower(), None)
        return get_doc(action) if action is not None else ""

    def _resource_action(self) -> str | None:
        """The viewset action when the view is a resource viewset (it declares ``require_if_match``)."""
        if not hasattr(self.view, "require_if_match"):
            return None
        return getattr(self.view, "action", None)

    def get_override_parameters(self) -> list[Any]:
        parameters: list[Any] = list(super().get_override_parameters())
        action = self._resource_action()
        if action is None:
            return parameters
        if action == "retrieve":
            parameters.append(_header("If-None-Match", "ETags of copies the client holds: 304 when one is current."))
        if action in _OBJECT_WRITE_ACTIONS:
            parameters.append(
                _header(
                    "If-Match",
                    "The ETag the change is based on (or *): 412 when the object changed since.",
                    required=bool(getattr(self.view, "require_if_match", False)),
                )
            )
        if self.method == "POST":
            parameters.append(
                _header(
                    "Idempotency-Key",
                    "A key unique to this request: a repeat answers the first response instead of acting again.",
                    required=bool(getattr(self.view, "require_idempotency_key", False)),
                    pattern=r"^[\x21-\x7e]{1,255}$",
                )
            )
            replayed = "true when this is the stored response to a repeated key."
            parameters.append(_header("Idempotent-Replayed", replayed, response=["200", "201"]))
        if action in _TAGGED_ACTIONS:
            parameters.append(
                _header("ETag", "The object's version, for If-Match and If-None-Match.", response=["200", "201", "304"])
            )
        return parameters

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        errors = {"400": _error("Invalid input, malformed body or unknown query parameter.")}
        if self.get_auth():
            errors["401"] = _error("Missing or invalid credentials.")
            errors["403"] = _error("The role or the API key's scopes do not allow this.")
        if "{" in self.path:
            errors["404"] = _error("No such object in this tenant.")
        elif self.method == "GET" and self._is_list_view() and self._get_paginator() is not None:
            errors["404"] = _error("No such page: past the last one, or a cursor that names none.")
        errors["429"] = _error("Too many requests; retry after Retry-After seconds.")
        action = self._resource_action()
        if action in _OBJECT_WRITE_ACTIONS:
            errors["412"] = _error("If-Match does not match the object's current ETag.")
            if getattr(self.view, "require_if_match", False):
                errors["428"] = _error("This resource is changed only with If-Match.")
        if action is not None and self.method == "POST":
            errors["422"] = _error("The Idempotency-Key was first used with a different request.")
        if action == "retrieve":
            responses["304"] = {"description": "Not modified: the copy named by If-None-Match is current."}
        for status_code, response in errors.items():
            if status_code not in responses:
                responses[status_code] = self._get_response_for_code(response, status_code, direction=direction)
        return responses

    def map_parsers(self) -> list[Any]:
        # Request bodies are JSON; the form parsers are there for the browsable API's HTML forms.
        return [media_type for media_type in super().map_parsers() if media_type == "application/json"]

    def _map_serializer_field(self, field: Any, direction: Any, bypass_extensions: bool = False) -> Any:
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if isinstance(field, serializers.DecimalField) and "pattern" in schema:
            schema["pattern"] = decimal_pattern(field)
        return schema


def decimal_pattern(field: serializers.DecimalField) -> str:
    """What the field accepts as a string: at least one digit, and a sign only if it may be negative.

    drf-spectacular's own pattern also matches "", "." and "-1" for a field with ``min_value=0``.
    """
    sign = "" if field.min_value is not None and field.min_value >= 0 else "-?"
    whole = rf"\d{{1,{field.max_whole_digits}}}" if field.max_whole_digits else "0"
    places = field.decimal_places
    if not places:
        return rf"^{sign}{whole}$"
    return rf"^{sign}(?:{whole}(?:\.\d{{0,{places}}})?|\.\d{{1,{places}}})$"
