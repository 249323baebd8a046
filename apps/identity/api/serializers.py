"""Request and response shapes of the authentication API."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt import serializers as jwt_serializers

from apps.identity.models import User
from apps.identity.tokens import TenantRefreshToken


class TokenObtainSerializer(jwt_serializers.TokenObtainPairSerializer):
    """E-mail and password in, a token pair for the current tenant out; e-mails match in any case."""

    token_class = TenantRefreshToken

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[self.username_field] = serializers.EmailField(write_only=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, str]:
        # Addresses are stored in lower case (UserManager.create_user).
        attrs[self.username_field] = attrs[self.username_field].lower()
        return super().validate(attrs)


class TokenRefreshSerializer(jwt_serializers.TokenRefreshSerializer):
    """A refresh token in, a new pair out; the refresh token presented is revoked (rotation)."""

    token_class = TenantRefreshToken

    def validate(self, attrs: dict[str, Any]) -> dict[str, str]:
        try:
            return super().validate(attrs)
        except User.DoesNotExist:
            raise AuthenticationFailed(self.error_messages["no_active_account"], "no_active_account") from None


class TokenRevokeSerializer(jwt_serializers.TokenBlacklistSerializer):
    """A refresh token in; it can no longer be refreshed. Access tokens run out on their own."""

    token_class = TenantRefreshToken


class MeSerializer(serializers.Serializer[dict[str, Any]]):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    tenant = serializers.CharField(help_text="The tenant's schema name.")
    roles = serializers.ListField(child=serializers.CharField())
