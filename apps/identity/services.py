"""Writes on identity: API keys."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from apps.audit.services import audit_record
from apps.identity.models import ApiKey, User

# last_used_at is kept to the minute: a busy integration then costs one write a minute, not one per call.
LAST_USED_PRECISION = timedelta(minutes=1)


def api_key_create(
    *, name: str, scopes: Iterable[str], user: User, expires_at: datetime | None = None
) -> tuple[ApiKey, str]:
    """Create a key acting as ``user``; returns it with the raw key, which is shown once and never stored."""
    api_key = ApiKey(name=name, scopes=list(scopes), user=user, expiry_date=expires_at)
    return api_key, api_key_issue(api_key=api_key)


@transaction.atomic
def api_key_issue(*, api_key: ApiKey) -> str:
    """Give a new, unsaved key its secret and save it (with the secret's hash only); returns the raw key."""
    api_key.scopes = sorted(set(api_key.scopes))
    raw_key = ApiKey.objects.assign_key(api_key)
    api_key.full_clean()
    api_key.save(force_insert=True)
    audit_record(action="auth.api_key_created", obj=api_key, changes={"scopes": [None, api_key.scopes]})
    return raw_key


@transaction.atomic
def api_key_revoke(*, api_key: ApiKey) -> ApiKey:
    """Revoke a key for good: it is refused from the next request on."""
    if not api_key.revoked:
        api_key.revoked = True
        api_key.save(update_fields=["revoked"])
        audit_record(action="auth.api_key_revoked", obj=api_key)
    return api_key


def api_key_record_use(*, api_key: ApiKey) -> None:
    """Record that the key was just used, unless that was already recorded within the last minute."""
    now = timezone.now()
    if api_key.last_used_at is not None and api_key.last_used_at > now - LAST_USED_PRECISION:
        return  # as loaded with the key: recorded within the minute, no write needed
    recorded = ApiKey.objects.filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_PRECISION), pk=api_key.pk
    ).update(last_used_at=now)
    if recorded:
        api_key.last_used_at = now
