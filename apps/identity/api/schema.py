"""OpenAPI descriptions of the token endpoints' bodies and errors, as the code answers them."""

# drf-spectacular's extension base classes register subclasses through an untyped __init_subclass__.
# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

from apps.identity.schema import TokenObtainSerializerScheme
from monopod.api.schema import ErrorEnvelopeSerializer

BAD_CREDENTIALS = OpenApiResponse(
    ErrorEnvelopeSerializer, description="Wrong e-mail or password, or an inactive account (no_active_account)."
)
BAD_REFRESH_TOKEN = OpenApiResponse(
    ErrorEnvelopeSerializer, description="The refresh token is invalid, expired, revoked or another tenant's."
)
TOKEN_REVOKED = OpenApiResponse(OpenApiTypes.OBJECT, description="Revoked; the body is an empty object.")


class TokenObtainEmailScheme(TokenObtainSerializerScheme):
    """The login is an e-mail address, as the serializer validates it: a malformed one is a 400."""

    priority = 1  # over the generic simplejwt description, which has any string

    def map_serializer(self, auto_schema: Any, direction: Any) -> Any:
        described = inline_serializer(
            "Fixed",
            fields={
                "email": serializers.EmailField(write_only=True),
                "password": serializers.CharField(write_only=True),
                "access": serializers.CharField(read_only=True),
                "refresh": serializers.CharField(read_only=True),
            },
        )
        return auto_schema._map_serializer(described, direction)
