"""An object's history: the web UI's page, and the admin's History tab (MonoPodAdminSite uses it)."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from apps.audit.models import AuditEntry
from apps.audit.selectors import audit_object_history
from apps.audit.services import object_id_of, object_type_of
from monopod.api.pagination import Paginator

ENTRIES_PER_PAGE = 50


def _history_page(request: HttpRequest, *, object_type: str, object_id: str) -> Page[AuditEntry]:
    entries = audit_object_history(object_type=object_type, object_id=object_id)
    return Paginator(entries, ENTRIES_PER_PAGE).get_page(request.GET.get("page"))


def _model_of(object_type: str) -> type[models.Model]:
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        raise Http404(_("No such kind of object.")) from None
    if model is AuditEntry:
        raise Http404(_("No such kind of object."))
    return model


@login_required
def object_history(request: HttpRequest, object_type: str, object_id: str) -> HttpResponse:
    """Every recorded change of one object, newest first, for members who may view its kind.

    The page outlives the object: a deleted object's history, deletion included, stays readable.
    """
    model = _model_of(object_type)
    opts = model._meta
    if not request.user.has_perm(f"{opts.app_label}.view_{opts.model_name}"):
        raise PermissionDenied
    page = _history_page(request, object_type=object_type_of(model), object_id=object_id)
    obj = model._default_manager.filter(pk=object_id).first() if _is_key(model, object_id) else None
    newest = page.paginator.object_list.first()  # type: ignore[attr-defined]
    context = {
        "entries": page,
        "object_label": str(obj) if obj is not None else f"{capfirst(opts.verbose_name)} {object_id}",
        "model_name": capfirst(opts.verbose_name),
        "deleted": newest is not None and newest.action == "delete",
    }
    return TemplateResponse(request, "audit/object_history.html", context)


def _is_key(model: type[models.Model], value: str) -> bool:
    try:
        model._meta.pk.to_python(value)
    except Exception:  # noqa: BLE001 - a value no key can have: there is no such object
        return False
    return True


def admin_object_history(
    request: HttpRequest,
    model_admin: admin.ModelAdmin[Any],
    object_id: str,
    extra_context: dict[str, Any] | None = None,
) -> HttpResponse:
    """The admin's History tab from the audit trail: what the admin, the API and services changed alike."""
    obj = model_admin.get_object(request, unquote(object_id))
    if obj is None:
        redirect: HttpResponse = model_admin._get_obj_does_not_exist_redirect(  # type: ignore[attr-defined]
            request, model_admin.opts, object_id
        )
        return redirect
    if not model_admin.has_view_or_change_permission(request, obj):
        raise PermissionDenied
    page = _history_page(request, object_type=object_type_of(type(obj)), object_id=object_id_of(obj))
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Change history: %s") % obj,
        "subtitle": None,
        "entries": page,
        "module_name": str(capfirst(model_admin.opts.verbose_name_plural)),
        "object": obj,
        "opts": model_admin.opts,
        "preserved_filters": model_admin.get_preserved_filters(request),
        **(extra_context or {}),
    }
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, "admin/audit/object_history.html", context)
