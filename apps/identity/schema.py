"""OpenAPI descriptions (drf-spectacular) of identity's authentication classes and token serializers."""

# drf-spectacular's extension base classes register subclasses through an untyped __init_subclass__.
# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

from typing import Any

from drf_spectacular.contrib.rest_framework_simplejwt import (
    SimpleJWTScheme,
    TokenObtainPairSerializerExtension,
    TokenRefreshSerializerExtension,
)
from drf_spectacular.extensions import OpenApiAuthenticationExtension


class TenantJWTScheme(SimpleJWTScheme):
    target_class = "apps.identity.authentication.TenantJWTAuthentication"


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "apps.identity.authentication.ApiKeyAuthentication"
    name = "apiKeyAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'The key, prefixed: "Api-Key <key>".',
        }


class TokenObtainSerializerScheme(TokenObtainPairSerializerExtension):
    target_class = "apps.identity.api.serializers.TokenObtainSerializer"


class TokenRefreshSerializerScheme(TokenRefreshSerializerExtension):
    target_class = "apps.identity.api.serializers.TokenRefreshSerializer"
