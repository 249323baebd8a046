"""The admin site of every host: each tenant's console on its own host, the operators' on the public one.

One rule decides what each console shows: a model's admin exists only on the sites whose schema holds
its table (django-tenants' router). So the tenants list is never reachable from a tenant's host, and
tenant-only tables are never reachable from the public site.

Every model's History tab shows ``ADMIN_OBJECT_HISTORY_VIEW`` (the audit trail), which records what
the API, the web UI and services change as well as the admin, unlike Django's own LogEntry.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import update_wrapper
from typing import Any, TypeVar, cast

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.db import connection, router
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

_View = TypeVar("_View", bound=Callable[..., Any])


def model_available_here(model: type[Model]) -> bool:
    """Whether the current schema holds ``model``'s table."""
    return bool(router.allow_migrate_model(connection.alias, model))


class MonoPodAdminSite(admin.AdminSite):
    site_header = _("MonoPod administration")
    site_title = _("MonoPod")

    def get_app_list(self, request: HttpRequest, app_label: str | None = None) -> list[Any]:
        apps = []
        for app in super().get_app_list(request, app_label):
            app["models"] = [entry for entry in app["models"] if model_available_here(entry["model"])]
            if app["models"]:
                apps.append(app)
        return apps

    def admin_view(self, view: _View, cacheable: bool = False) -> _View:
        model_admin = getattr(view, "__self__", None)
        if isinstance(model_admin, admin.ModelAdmin):
            model = model_admin.model
            inner = self._history_view(model_admin) if _is_stock_history_view(view) else view

            def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
                if not model_available_here(model):
                    raise Http404("Not available on this site.")
                response: HttpResponse = inner(request, *args, **kwargs)
                return response

            view = cast(_View, update_wrapper(guarded, inner))
        return super().admin_view(view, cacheable)

    @staticmethod
    def _history_view(model_admin: admin.ModelAdmin[Any]) -> Callable[..., HttpResponse]:
        """``ADMIN_OBJECT_HISTORY_VIEW`` as the model admin's History tab (the audit trail, not LogEntry)."""
        history = import_string(settings.ADMIN_OBJECT_HISTORY_VIEW)

        def history_view(request: HttpRequest, object_id: str, extra_context: Any = None) -> HttpResponse:
            response: HttpResponse = history(request, model_admin, object_id, extra_context)
            return response

        return history_view


def _is_stock_history_view(view: Callable[..., Any]) -> bool:
    """Django's own History tab, which a model admin did not override."""
    return getattr(view, "__func__", None) is admin.ModelAdmin.history_view


class ReadOnlyAdminMixin:
    """A model admin that lists and shows rows no one may add, change or delete there (logs, trails)."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MonoPodAdminConfig(AdminConfig):
    default_site = "monopod.admin_site.MonoPodAdminSite"
