"""``/ws/events/``: a tenant's events, live, to its signed-in members (docs/event-backbone.md, Live updates)."""

from __future__ import annotations

import fnmatch
import json
import time
from importlib import import_module
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.contrib.auth import get_user
from django.http import HttpRequest
from django_tenants.utils import get_public_schema_name, tenant_context
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.exceptions import TokenBackendError, TokenError
from rest_framework_simplejwt.state import token_backend

from apps.events.realtime import tenant_group
from apps.events.registry import PATTERN
from apps.identity.authentication import TenantJWTAuthentication
from apps.identity.roles import domains_hidden_from
from apps.identity.tokens import TENANT_CLAIM, TenantAccessToken

# Close codes, sent right after the handshake is accepted (a browser sees no code when the handshake
# itself is refused).
UNAUTHENTICATED = 4401  # no credentials, bad or expired ones, or a user who may not connect
FORBIDDEN = 4403  # a token of another tenant, or a tenant that is not serving
NOT_FOUND = 4404  # the public site's host: it has no events

MAX_TOPICS = 50


class Refused(Exception):
    """The connection may not be served; ``code`` is the close code."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def _bearer_token(scope: dict[str, Any]) -> str | None:
    """The JWT of the ``Authorization: Bearer`` header, else of the ``token`` query parameter."""
    for name, value in scope.get("headers", []):
        if name.lower() == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return str(token).strip()
    values = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("token")
    return str(values[0]) if values else None


def _session_key(scope: dict[str, Any]) -> str | None:
    for name, value in scope.get("headers", []):
        if name.lower() == b"cookie":
            for part in value.decode("latin-1").split(";"):
                key, _, morsel = part.strip().partition("=")
                if key == settings.SESSION_COOKIE_NAME and morsel:
                    return str(morsel)
    return None


def _user_of_token(raw_token: str, schema_name: str) -> tuple[Any, float]:
    """The user of an access token of this tenant (checked against the current schema), and its expiry."""
    try:
        token = TenantAccessToken(raw_token)  # type: ignore[arg-type]
    except TokenError:
        raise Refused(_refusal_of(raw_token, schema_name)) from None
    try:
        user = TenantJWTAuthentication().get_user(token)
    except AuthenticationFailed:
        raise Refused(UNAUTHENTICATED) from None
    return user, float(token["exp"])


def _refusal_of(raw_token: str, schema_name: str) -> int:
    """4403 for a genuine, unexpired token of another tenant; 4401 for anything else."""
    try:
        # (simplejwt annotates the encoded token as a Token; it is the raw string.)
        payload = token_backend.decode(raw_token, verify=True)  # type: ignore[arg-type]
    except (TokenBackendError, TokenError):
        return UNAUTHENTICATED
    return FORBIDDEN if payload.get(TENANT_CLAIM) != schema_name else UNAUTHENTICATED


def _user_of_session(session_key: str) -> Any:
    """The user signed in by this session of the current schema (AnonymousUser if none)."""
    request = HttpRequest()
    request.session = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    return get_user(request)


def connection_user(scope: dict[str, Any]) -> tuple[Any, float | None]:
    """Who the connection is, in its tenant's schema, and until when (a token's expiry); or ``Refused``.

    Only an active user of the tenant may connect. A session cookie is host-only, and both its session
    row and its user live in the tenant's schema; a token names its tenant, which must be the host's.
    """
    tenant = scope["tenant"]
    if tenant.schema_name == get_public_schema_name():
        raise Refused(NOT_FOUND)
    if not tenant.is_serving():
        raise Refused(FORBIDDEN)
    raw_token = _bearer_token(scope)
    session_key = _session_key(scope)
    with tenant_context(tenant):
        if raw_token is not None:
            user, expires_at = _user_of_token(raw_token, tenant.schema_name)
        elif session_key is not None:
            user, expires_at = _user_of_session(session_key), None
        else:
            raise Refused(UNAUTHENTICATED)
    if not (user.is_authenticated and user.is_active):
        raise Refused(UNAUTHENTICATED)
    return user, expires_at


def topics_of(content: Any) -> tuple[str, set[str]]:
    """The action and topic patterns of a client message; ``ValueError`` saying what is wrong."""
    if not isinstance(content, dict):
        raise ValueError('A message is an object: {"action": "subscribe", "topics": ["ims.stock.*"]}.')
    action = content.get("action")
    if action not in ("subscribe", "unsubscribe"):
        raise ValueError('"action" must be "subscribe" or "unsubscribe".')
    topics = content.get("topics")
    if not isinstance(topics, list) or not topics or len(topics) > MAX_TOPICS:
        raise ValueError(f'"topics" must be a list of 1 to {MAX_TOPICS} patterns.')
    for topic in topics:
        if not isinstance(topic, str) or not PATTERN.fullmatch(topic):
            raise ValueError(f"Topic {topic!r} is not {{module}}.{{entity}}.{{action}} with * parts.")
    return action, set(topics)


def hidden_modules(user: Any, tenant: Any) -> frozenset[str]:
    """The domain modules whose events ``user`` may not see, read in the tenant's schema."""
    with tenant_context(tenant):
        return domains_hidden_from(user)


def module_of(pattern: str) -> str:
    return pattern.split(".", 1)[0]


class EventsConsumer(AsyncJsonWebsocketConsumer):
    """A signed-in member's live view of the tenant's events, filtered by the topics they subscribe to
    and by the modules they may see (their permissions when they connected)."""

    async def connect(self) -> None:
        await self.accept()
        try:
            self.user, self.expires_at = await database_sync_to_async(connection_user)(self.scope)
        except Refused as refused:
            await self.close(code=refused.code)
            return
        self.hidden = await database_sync_to_async(hidden_modules)(self.user, self.scope["tenant"])
        self.topics: set[str] = set()
        self.schema_name: str = self.scope["tenant"].schema_name
        self.group = tenant_group(self.schema_name)
        await self.channel_layer.group_add(self.group, self.channel_name)

    async def disconnect(self, code: int) -> None:
        group = getattr(self, "group", None)
        if group is not None:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any) -> None:
        try:
            action, topics = topics_of(json.loads(text_data) if text_data is not None else None)
        except ValueError as exc:
            await self.send_json({"type": "error", "error": {"code": "VALIDATION_ERROR", "message": str(exc)}})
            return
        denied = sorted({module_of(topic) for topic in topics} & self.hidden)
        if action == "subscribe" and denied:
            message = f"You may not see the events of {', '.join(denied)}."
            await self.send_json({"type": "error", "error": {"code": "PERMISSION_DENIED", "message": message}})
            return
        if action == "subscribe":
            self.topics |= topics
        else:
            self.topics -= topics
        await self.send_json({"type": action + "d", "topics": sorted(self.topics)})

    async def event_message(self, message: dict[str, Any]) -> None:
        """An event of the tenant (apps.events.realtime): to the client if it subscribed to its type."""
        if self.expires_at is not None and time.time() >= self.expires_at:
            await self.close(code=UNAUTHENTICATED)
            return
        event = message["event"]
        if event.get("tenantId") != self.schema_name:
            return
        if module_of(str(event.get("eventType", ""))) in self.hidden:  # reached through a "*" pattern
            return
        if any(fnmatch.fnmatchcase(str(event.get("eventType", "")), topic) for topic in self.topics):
            await self.send_json({"type": "event", "event": event})
