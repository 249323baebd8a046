"""How API requests prove who they are: tenant-bound JWTs and scoped API keys."""

from __future__ import annotations

from typing import Any, cast

from django.utils.translation import gettext as _
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request
from rest_framework_api_key.permissions import KeyParser
from rest_framework_simplejwt import exceptions as jwt_exceptions
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.tokens import Token

from apps.identity.caching import user_get, user_get_counting
from apps.identity.models import ApiKey, User
from apps.identity.services import api_key_record_use
from apps.identity.tokens import TENANT_CLAIM, access_token_verified
from monopod.api.throttling import counted_in_advance, principal_window
from monopod.observability import user_var


def _request_schema_name(request: Request) -> str | None:
    tenant: Any = getattr(request, "tenant", None)
    return None if tenant is None else str(tenant.schema_name)


def token_error(message: object) -> AuthenticationFailed:
    """A plain DRF error for a bad token: one message and one code, as the API's error envelope wants.

    simplejwt's own exceptions carry a dictionary instead (detail, code, per-class messages).
    """
    return AuthenticationFailed(str(message), code="token_not_valid")


class TenantJWTAuthentication(JWTAuthentication):
    """``Authorization: Bearer <access token>``, accepted only on the host of the tenant that minted it."""

    def get_user(self, validated_token: Token) -> Any:
        """simplejwt's lookup, from the cache (apps.identity.caching) unless tokens are tied to passwords."""
        if jwt_settings.CHECK_REVOKE_TOKEN:
            return super().get_user(validated_token)
        return self._checked(user_get(self._user_id(validated_token)))

    def _user_counted(self, validated_token: Token, request: Request) -> Any:
        """:meth:`get_user`, counting the request against its user's throttle in the same cache round trip."""
        if jwt_settings.CHECK_REVOKE_TOKEN:
            return super().get_user(validated_token)
        user_id = self._user_id(validated_token)
        counter, duration, _allowed, _retry_after = principal_window(request, f"user:{user_id}")
        user, count = user_get_counting(user_id, counter, timeout=duration + 1)
        counted_in_advance(request._request, counter, count)
        return self._checked(user)

    @staticmethod
    def _user_id(validated_token: Token) -> Any:
        user_id = validated_token.get(jwt_settings.USER_ID_CLAIM)
        if user_id is None:
            raise token_error(_("Token contained no recognizable user identification"))
        return user_id

    @staticmethod
    def _checked(user: User | None) -> User:
        if user is None:
            raise AuthenticationFailed(_("User not found"), code="user_not_found")
        if jwt_settings.CHECK_USER_IS_ACTIVE and not user.is_active:
            raise AuthenticationFailed(_("User is inactive"), code="user_inactive")
        return user

    def authenticate(self, request: Request) -> tuple[Any, Token] | None:
        header = self.get_header(request)
        raw_token = None if header is None else self.get_raw_token(header)
        if raw_token is None:
            return None
        try:
            # Checks the tenant claim against the connection's schema.
            token = access_token_verified(raw_token)
        except TokenError as exc:
            raise token_error(exc) from None
        # And against the tenant the host name resolved to, before any user is looked up.
        if token.get(TENANT_CLAIM) != _request_schema_name(request):
            raise token_error(_("Token was issued for another tenant"))
        try:
            user = self._user_counted(token, request)
        except jwt_exceptions.AuthenticationFailed as exc:
            detail = cast(dict[str, Any], exc.detail)
            raise AuthenticationFailed(str(detail["detail"]), code=str(detail["code"])) from None
        user_var.set(str(user.pk))  # for log lines and events: the session middleware never saw this user
        return user, token


class ApiKeyAuthentication(BaseAuthentication):
    """``Authorization: Api-Key <key>``: the key's user, limited to the key's scopes (``ApiKeyScopes``)."""

    key_parser = KeyParser()

    def authenticate(self, request: Request) -> tuple[User, ApiKey] | None:
        raw_key = self.key_parser.get(request)
        if raw_key is None:
            return None
        try:
            api_key = cast(ApiKey, ApiKey.objects.get_from_key(raw_key))
        except ApiKey.DoesNotExist:
            raise AuthenticationFailed(_("Invalid API key."), code="api_key_invalid") from None
        if api_key.has_expired:
            raise AuthenticationFailed(_("API key has expired."), code="api_key_expired")
        if not api_key.user.is_active:
            raise AuthenticationFailed(_("User is inactive."), code="user_inactive")
        api_key_record_use(api_key=api_key)
        user_var.set(str(api_key.user.pk))
        return api_key.user, api_key

    def authenticate_header(self, request: Request) -> str:
        return self.key_parser.keyword
