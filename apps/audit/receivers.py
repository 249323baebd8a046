"""Record every create, update and delete of a model, and the authentication events, on the trail."""

from __future__ import annotations

from typing import Any

from allauth.mfa import signals as mfa_signals
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import models
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save, pre_migrate, pre_save
from django_tenants.utils import tenant_context

from apps.audit.context import resume_after_migrations, suspend_for_migrations
from apps.audit.services import (
    PLATFORM,
    PreparedEntry,
    audit_entry_prepare,
    audit_record,
    json_value,
    masked,
    object_type_of,
    platform_operator_label,
    recording_enabled,
)
from apps.tenants.signals import tenant_status_changed

# Apps and models whose rows are bookkeeping, not activity (the admin's own LogEntry, sessions, rate
# limits, token blacklist, idempotency records and outbox events of changes recorded themselves,
# permissions and content types kept in step by migrations), and the trail itself.
EXCLUDED_APPS = frozenset(
    {
        "admin",
        "audit",
        "sessions",
        "contenttypes",
        "token_blacklist",
        "django_celery_beat",
        "idempotency",
        "events",
        "event_deliveries",
    }
)
# The warm pool's schemas are bookkeeping until one becomes a tenant, which is recorded; webhook
# attempts have their own log.
EXCLUDED_MODELS = frozenset({"auth.permission", "tenants.pooledschema", "webhooks.webhookattempt"})
# Fields that change on every sign-in; the sign-in itself is recorded as an event.
IGNORED_FIELDS = frozenset({"last_login", "last_used_at"})
_BEFORE = "_audit_before"
_SENT = "_audit_entry_sent"


def _audited(sender: type[models.Model]) -> bool:
    return (
        sender._meta.app_label not in EXCLUDED_APPS
        and object_type_of(sender) not in EXCLUDED_MODELS
        and not sender._meta.auto_created
        and recording_enabled()
    )


def _values(instance: models.Model, fields: list[models.Field[Any, Any]]) -> dict[str, Any]:
    return {field.name: json_value(field.value_from_object(instance)) for field in fields}


def _changes(model: type[models.Model], pairs: dict[str, tuple[Any, Any]]) -> dict[str, list[Any]]:
    """``{field: [before, after]}`` with secrets masked (compared before masking, so a new password shows)."""
    object_type = object_type_of(model)
    return {
        name: [masked(object_type, name, before), masked(object_type, name, after)]
        for name, (before, after) in pairs.items()
    }


def _fields(instance: models.Model, update_fields: Any = None) -> list[models.Field[Any, Any]]:
    """The fields a save writes (all, or ``update_fields``), but those whose changes are not recorded."""
    fields = [field for field in instance._meta.concrete_fields if field.name not in IGNORED_FIELDS]
    return [field for field in fields if field.name in update_fields] if update_fields else fields


def snapshot_before_save(sender: type[models.Model], instance: models.Model, raw: bool = False, **kwargs: Any) -> None:
    """Read the stored row an update will change, for the before values."""
    if raw or instance._state.adding or instance.pk is None or not _audited(sender):
        return
    fields = _fields(instance, kwargs.get("update_fields"))
    if not fields:  # only last_login and the like: nothing to record, so nothing to read
        return
    stored = sender._base_manager.using(kwargs.get("using")).filter(pk=instance.pk).first()
    setattr(instance, _BEFORE, None if stored is None else _values(stored, fields))


def creation_entry_prepare(instance: models.Model) -> PreparedEntry | None:
    """The entry recording that ``instance`` was made, for a writer that inserts the row itself and
    sends the entry along (apps.audit.services.PreparedEntry); ``None`` when it is not recorded.

    The writer then sends ``post_save`` with the instance marked by ``entry_sent``, so this app does
    not record it twice while other receivers still hear of the save.
    """
    sender = type(instance)
    if not _audited(sender):
        return None
    after = _values(instance, _fields(instance))
    pairs = {name: (None, value) for name, value in after.items()}
    return audit_entry_prepare(action="create", obj=instance, changes=_changes(sender, pairs))


def entry_sent(instance: models.Model) -> None:
    """Mark ``instance`` as recorded already: the next ``post_save`` of it writes no entry."""
    instance.__dict__[_SENT] = True


def record_save(
    sender: type[models.Model], instance: models.Model, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    if instance.__dict__.pop(_SENT, False) or raw or not _audited(sender):
        return
    before = instance.__dict__.pop(_BEFORE, None) or {}
    fields = _fields(instance, kwargs.get("update_fields"))
    if not fields:
        return
    after = _values(instance, fields)
    if created:
        pairs = {name: (None, value) for name, value in after.items()}
        action = "create"
    else:
        pairs = {name: (before.get(name), value) for name, value in after.items() if before.get(name) != value}
        action = "update"
        if not pairs:
            return
    audit_record(action=action, obj=instance, changes=_changes(sender, pairs))


def record_delete(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    if not _audited(sender):
        return
    before = _values(instance, _fields(instance))
    changes = _changes(sender, {name: (value, None) for name, value in before.items()})
    audit_record(action="delete", obj=instance, changes=changes)


def record_m2m(
    sender: type[models.Model],
    instance: models.Model,
    action: str,
    model: type[models.Model],
    pk_set: Any,
    **kwargs: Any,
) -> None:
    """Group memberships and granted permissions: ``{field: {"added" | "removed" | "cleared": [pks]}}``."""
    if action not in {"post_add", "post_remove", "post_clear"} or not _audited(type(instance)):
        return
    if action != "post_clear" and not pk_set:
        return
    field = next(
        (f.name for f in instance._meta.many_to_many if f.remote_field.through is sender),
        sender._meta.model_name or "",
    )
    what = action.removeprefix("post_") + ("d" if action == "post_clear" else "ed")
    audit_record(action="update", obj=instance, changes={field: {what: sorted(json_value(list(pk_set or [])))}})


def record_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_record(action="auth.login", obj=user, actor=user)


def record_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_record(action="auth.logout", obj=user, actor=user)


def record_login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    # Django has already masked the password in ``credentials``; the identifier tried is kept.
    tried = next((str(credentials[name]) for name in ("email", "username", "login") if credentials.get(name)), "")
    audit_record(action="auth.login_failed", actor_label=tried)


def record_mfa(action: str) -> Any:
    def receiver(sender: Any, request: Any = None, user: Any = None, authenticator: Any = None, **kwargs: Any) -> None:
        kind = getattr(authenticator, "type", "")
        audit_record(action=action, obj=user, actor=user, changes={"type": [None, kind]} if kind else None)

    return receiver


_MFA_RECEIVERS = {
    "authenticator_added": record_mfa("auth.mfa_added"),
    "authenticator_removed": record_mfa("auth.mfa_removed"),
    "authenticator_reset": record_mfa("auth.mfa_reset"),
}


def record_tenant_status(sender: Any, tenant: Any, before: str, after: str, **kwargs: Any) -> None:
    """A suspension, resumption or deletion: on the platform's trail, by the operator (or the command
    line), and, but for a deletion, on the tenant's own, so its Admins see who stopped their service."""
    action = "tenant.resumed" if after == "active" else f"tenant.{after}"
    changes = {"status": [before, after]}
    audit_record(action=action, obj=tenant, changes=changes)
    if after == "deleted":
        return
    label = platform_operator_label()  # before leaving the public schema, where operators live
    with tenant_context(tenant):
        audit_record(
            action=action,
            object_type="tenants.tenant",
            object_id=str(tenant.pk),
            changes=changes,
            actor=PLATFORM,
            actor_label=label,
        )


def connect() -> None:
    """Connect the receivers (from ``AuditConfig.ready``)."""
    pre_migrate.connect(suspend_for_migrations, dispatch_uid="audit.suspend_for_migrations")
    post_migrate.connect(resume_after_migrations, dispatch_uid="audit.resume_after_migrations")
    pre_save.connect(snapshot_before_save, dispatch_uid="audit.snapshot_before_save")
    post_save.connect(record_save, dispatch_uid="audit.record_save")
    post_delete.connect(record_delete, dispatch_uid="audit.record_delete")
    m2m_changed.connect(record_m2m, dispatch_uid="audit.record_m2m")
    user_logged_in.connect(record_login, dispatch_uid="audit.record_login")
    user_logged_out.connect(record_logout, dispatch_uid="audit.record_logout")
    user_login_failed.connect(record_login_failed, dispatch_uid="audit.record_login_failed")
    tenant_status_changed.connect(record_tenant_status, dispatch_uid="audit.record_tenant_status")
    for name, receiver in _MFA_RECEIVERS.items():
        getattr(mfa_signals, name).connect(receiver, dispatch_uid=f"audit.{name}", weak=False)
