"""JSON web tokens bound to the tenant that minted them.

Every tenant signs with the same key, and user ids repeat from one tenant schema to the next, so the
``tenant`` claim (the schema name) is what keeps a token to its tenant: a token is valid only while
the connection is on that tenant's schema.
"""

from __future__ import annotations

from typing import Any, Self, cast

from django.db import connection
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import AccessToken, AuthUser, RefreshToken
from rest_framework_simplejwt.utils import aware_utcnow

from apps.identity.selectors import user_role_names

TENANT_CLAIM = "tenant"
ROLES_CLAIM = "roles"


def current_schema_name() -> str:
    return str(getattr(connection, "schema_name", ""))


def check_tenant_claim(payload: dict[str, Any]) -> None:
    """Raise ``TokenError`` unless the token was minted in the tenant whose schema is in use."""
    if payload.get(TENANT_CLAIM) != current_schema_name():
        raise TokenError("Token was issued for another tenant")


class TenantAccessToken(AccessToken):
    """An access token carrying the tenant and the user's roles; refused on any other tenant."""

    def verify(self) -> None:
        check_tenant_claim(self.payload)
        super().verify()


# Access tokens this process has verified: raw token -> the token. A token's signature, type and claims
# cannot change, so verifying it again on every request re-did the same work (60 to 70 µs); its expiry
# is checked on each use still. Emptied when full: at most a few thousand live tokens per process.
_verified: dict[bytes | str, TenantAccessToken] = {}
VERIFIED_TOKENS_KEPT = 4096


def access_token_verified(raw_token: bytes | str) -> TenantAccessToken:
    """The access token ``raw_token``, verified (signature, type, expiry and tenant); else ``TokenError``."""
    token = _verified.get(raw_token)
    if token is not None:
        token.check_exp(current_time=aware_utcnow())  # the only claim that time changes
        check_tenant_claim(token.payload)
        return token
    # simplejwt types the encoded token as a Token; it is the header's bytes or text.
    token = TenantAccessToken(raw_token)  # type: ignore[arg-type]
    if len(_verified) >= VERIFIED_TOKENS_KEPT:
        _verified.clear()
    _verified[raw_token] = token
    return token


class TenantRefreshToken(RefreshToken):
    """A refresh token carrying the tenant; revocable (blacklist) and refused on any other tenant."""

    access_token_class = TenantAccessToken

    def verify(self) -> None:
        # Before the blacklist lookup: a foreign token must not reach this tenant's tables.
        check_tenant_claim(self.payload)
        super().verify()

    @classmethod
    def for_user(cls, user: AuthUser) -> Self:
        """A new refresh token for ``user`` of the current tenant, recorded as outstanding."""
        # The library types for_user by its own class; the instance is of ``cls``.
        token = cast(Self, super().for_user(user))
        token[TENANT_CLAIM] = current_schema_name()
        return token

    @property
    def access_token(self) -> TenantAccessToken:
        """An access token with this token's claims and the user's roles as they are now."""
        access = super().access_token
        access[ROLES_CLAIM] = user_role_names(user_id=int(self.payload[api_settings.USER_ID_CLAIM]))
        return cast(TenantAccessToken, access)
