"""Writes on the audit trail: append one entry to the current tenant's chain."""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone
from django_guid import get_guid

from apps.audit.chain import CHAINED_FIELDS, GENESIS_HASH, canonical_around_link
from apps.audit.context import request_context_var, suspended_var
from apps.audit.models import ActorType, AuditEntry
from apps.identity.models import ApiKey
from monopod.observability import trace_id_var

MASK = "********"
# Values of fields named like these are never written to the trail, only that they changed.
SECRET_FIELD = re.compile(r"password|secret|token|key", re.IGNORECASE)
# Secret fields whose names do not say so: an MFA authenticator's data holds its TOTP seed, an API
# key's primary key embeds its hash.
SECRET_MODEL_FIELDS = {("mfa.authenticator", "data"), ("identity.apikey", "id")}
LOCK_NAMESPACE = "monopod.audit:"
# The columns an entry's content fills (the chained fields but the link), in the statement's order.
_CONTENT_COLUMNS = tuple(field for field in CHAINED_FIELDS if field not in ("seq", "previous_hash"))
# Appending is one round trip of two statements. The first takes the per-tenant lock (one writer per
# chain at a time, until the transaction ends); the second, with a snapshot taken after the lock is
# held, reads the chain's last entry and appends the next, whose hash PostgreSQL computes over the
# canonical text Python cut around the link (apps.audit.chain.canonical_around_link). One statement
# could not do both: its snapshot would predate the lock. Two statements in one execute() need
# client-side binding, Django's default for psycopg 3.
_APPEND_SQL = f"""
    SELECT pg_advisory_xact_lock(hashtextextended(%s || current_schema(), 0));
    INSERT INTO audit_auditentry (seq, {", ".join(_CONTENT_COLUMNS)}, previous_hash, hash)
    SELECT last.seq + 1, {", ".join(["%s"] * len(_CONTENT_COLUMNS))}, last.hash,
           encode(sha256(convert_to(%s || last.hash || %s || (last.seq + 1)::text || %s, 'UTF8')), 'hex')
    FROM (
        SELECT 0 AS seq, %s AS hash
        UNION ALL (SELECT seq, hash FROM audit_auditentry ORDER BY seq DESC LIMIT 1)
        ORDER BY seq DESC LIMIT 1
    ) AS last
    RETURNING seq, previous_hash, hash
"""  # noqa: S608 - the columns are the constants above


def recording_enabled() -> bool:
    """Entries go to the current schema's trail (a tenant's, or the platform's in public), except while
    migrations set a schema up."""
    return not suspended_var.get()


@functools.cache
def _secret(object_type: str, field: str) -> bool:
    return bool(SECRET_FIELD.search(field)) or (object_type, field) in SECRET_MODEL_FIELDS


def masked(object_type: str, field: str, value: Any) -> Any:
    """``value``, or a mask when the field holds a secret (an empty secret stays visible as empty)."""
    return MASK if _secret(object_type, field) and value not in (None, "") else value


# Values that are JSON as they are; ``type(value) in``, not isinstance: an enum member is converted.
_JSON_SCALARS = frozenset({str, int, bool, type(None)})


def json_value(value: Any) -> Any:
    """``value`` as plain JSON data (dates, decimals and UUIDs as strings), as it will read back."""
    if type(value) in _JSON_SCALARS:  # most field values: no round trip through the encoder
        return value
    if type(value) is Decimal:
        return str(value)  # as DjangoJSONEncoder writes it
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def object_type_of(model: type[models.Model]) -> str:
    return model._meta.label_lower


def object_id_of(obj: models.Model) -> str:
    # An API key's primary key embeds its hash: name it by its public prefix.
    return str(obj.prefix) if isinstance(obj, ApiKey) else str(obj.pk)


class _Platform:
    """The platform's operators acting on a tenant from outside it (public admin, management commands)."""


PLATFORM = _Platform()


def platform_operator_label() -> str:
    """Who operates the platform in the current request, read in the public schema; else the command line."""
    context = request_context_var.get()
    operator = getattr(context.request, "user", None) if context is not None else None
    if operator is not None and operator.is_authenticated:
        return f"platform operator {operator.get_username()}"
    return "platform (command line)"


def _actor(actor: Any) -> tuple[str, str, str]:
    if actor is PLATFORM:
        return ActorType.SYSTEM, "", "platform"
    if actor is None:
        context = request_context_var.get()
        if context is None:
            return ActorType.SYSTEM, "", ""
        auth = getattr(context.request, "auth", None)
        actor = auth if isinstance(auth, ApiKey) else getattr(context.request, "user", None)
    if isinstance(actor, ApiKey):
        return ActorType.API_KEY, str(actor.prefix), f"{actor.name} ({actor.user.get_username()})"
    if actor is not None and getattr(actor, "is_authenticated", False):
        return ActorType.USER, str(actor.pk), str(actor.get_username())
    return ActorType.ANONYMOUS, "", ""


@dataclass(frozen=True)
class PreparedEntry:
    """An entry ready to append: the statements (``sql``, ``params``) and the content they write.

    A writer that sends its own statement anyway may send these after it in the same ``execute()``
    (``f"{its_sql};{entry.sql}"``): one round trip for the change and its entry. The entry must still
    be appended in the change's transaction, after the writer's own row locks (the trail's lock is
    the last one a transaction takes).
    """

    sql: str
    params: list[Any]
    content: dict[str, Any]


def audit_entry_prepare(
    *,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    changes: dict[str, Any] | None = None,
    actor: Any = None,
    actor_label: str = "",
) -> PreparedEntry | None:
    """The entry ``audit_record`` would append, as statements to send; ``None`` while migrations run."""
    if not recording_enabled():
        return None
    if obj is not None:
        # ``obj._meta``, not ``type(obj)``: the user of a request is a lazy proxy.
        object_type, object_id = obj._meta.label_lower, object_id_of(obj)
    actor_type, actor_id, label = _actor(actor)
    context = request_context_var.get()
    changes_text = json.dumps(changes or {}, cls=DjangoJSONEncoder, ensure_ascii=False)
    changes_json = json.loads(changes_text)  # as it will read back
    content: dict[str, Any] = {
        "occurred_at": timezone.now(),
        "actor_type": str(actor_type),
        "actor_id": actor_id,
        "actor_label": (actor_label or label)[:255],
        "action": action[:64],
        "object_type": object_type[:100],
        "object_id": str(object_id)[:255],
        "changes": changes_json,
        "request_id": (get_guid() or "")[:64],
        "trace_id": (trace_id_var.get() or "")[:32],
        "ip": context.ip if context else "",
        "user_agent": context.user_agent[:512] if context else "",
    }
    head, middle, tail = canonical_around_link(content)
    values = [content[column] for column in _CONTENT_COLUMNS]
    values[_CONTENT_COLUMNS.index("changes")] = changes_text
    return PreparedEntry(_APPEND_SQL, [LOCK_NAMESPACE, *values, head, middle, tail, GENESIS_HASH], content)


def audit_record(
    *,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    changes: dict[str, Any] | None = None,
    actor: Any = None,
    actor_label: str = "",
) -> AuditEntry | None:
    """Append an entry to the current tenant's chain, in the caller's transaction.

    The actor is ``actor`` (a user or an API key), else the current request's, else the system.
    Nothing is recorded while migrations run (``None`` is returned).
    """
    prepared = audit_entry_prepare(
        action=action,
        obj=obj,
        object_type=object_type,
        object_id=object_id,
        changes=changes,
        actor=actor,
        actor_label=actor_label,
    )
    if prepared is None:
        return None
    # Part of the caller's transaction (no savepoint: if the entry cannot be written, neither can the
    # change), or a transaction of its own; the lock is held until that transaction ends.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(prepared.sql, prepared.params)
        cursor.nextset()
        seq, previous_hash, digest = cursor.fetchone()
    entry = AuditEntry(**prepared.content, seq=seq, previous_hash=previous_hash, hash=digest)
    entry._state.adding = False
    entry._state.db = connection.alias
    return entry
