"""Authentication endpoints: tenant-bound JWTs (obtain, refresh, revoke) and who-am-I."""

from __future__ import annotations

from typing import Any, cast

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView
from rest_framework_simplejwt import views as jwt_views
from rest_framework_simplejwt.exceptions import TokenError

from apps.audit.services import audit_record
from apps.identity.api.schema import BAD_CREDENTIALS, BAD_REFRESH_TOKEN, TOKEN_REVOKED
from apps.identity.api.serializers import (
    MeSerializer,
    TokenObtainSerializer,
    TokenRefreshSerializer,
    TokenRevokeSerializer,
)
from apps.identity.authentication import token_error
from apps.identity.models import User
from apps.identity.selectors import user_role_names
from apps.identity.tokens import TenantRefreshToken


class TokenView(jwt_views.TokenViewBase):
    """A simplejwt token endpoint whose token errors are plain DRF errors (one message, one code)."""

    audit_action = ""

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        try:
            serializer.is_valid(raise_exception=True)
        except TokenError as exc:
            raise token_error(exc) from None
        self.audit(serializer)
        return Response(serializer.validated_data)

    def audit(self, serializer: Any) -> None:
        """Record on the audit trail that a token was issued or revoked, with the user it belongs to."""
        raw_token = serializer.validated_data.get("refresh") or serializer.initial_data["refresh"]
        user_id = TenantRefreshToken(raw_token, verify=False).get("user_id", "")  # validated just above
        actor = getattr(serializer, "user", None)  # the obtain serializer's authenticated user
        audit_record(action=self.audit_action, object_type="identity.user", object_id=str(user_id), actor=actor)


@extend_schema(responses={200: TokenObtainSerializer, 401: BAD_CREDENTIALS})
class TokenObtainView(TokenView):
    """Exchange e-mail and password for an access and a refresh token; throttled per client address."""

    serializer_class = TokenObtainSerializer
    audit_action = "auth.token_obtained"
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth_token"


@extend_schema(responses={200: TokenRefreshSerializer, 401: BAD_REFRESH_TOKEN})
class TokenRefreshView(TokenView):
    """Exchange a refresh token for a new access and refresh token."""

    serializer_class = TokenRefreshSerializer
    audit_action = "auth.token_refreshed"


@extend_schema(responses={200: TOKEN_REVOKED, 401: BAD_REFRESH_TOKEN})
class TokenRevokeView(TokenView):
    """Revoke a refresh token (sign out an API client)."""

    serializer_class = TokenRevokeSerializer
    audit_action = "auth.token_revoked"


class MeView(APIView):
    """The user the request acts as, in which tenant, with which roles."""

    required_scopes: tuple[str, ...] = ()  # any API key may ask whom it acts as

    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        user = cast(User, request.user)  # IsAuthenticated (the default permission) lets no one else in
        me = {
            "id": user.pk,
            "email": user.email,
            "tenant": request.tenant.schema_name,  # type: ignore[attr-defined]
            "roles": user_role_names(user_id=user.pk),
        }
        return Response(MeSerializer(me).data)
