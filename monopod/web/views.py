"""Generic object views a module configures in a few lines (list, detail, add, edit, delete, bulk delete).

Each checks the model permission for what it does (view, add, change, delete): signed-out visitors are
sent to sign in, members without it get 403. Every page works without JavaScript; with htmx, filtering,
sorting and paging swap only the table.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from typing import Any, ClassVar

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.forms.models import ModelForm, modelform_factory
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils.cache import patch_vary_headers
from django.utils.functional import Promise
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import capfirst, slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View

from apps.audit.selectors import audit_object_history
from apps.audit.services import object_id_of, object_type_of
from monopod.api.filters import StrictBooleanField
from monopod.api.pagination import Paginator
from monopod.web.tables import Column, Table

TABLE_ID = "object-table"
HISTORY_PER_PAGE = 25


def url_name(model: type[models.Model], action: str) -> str:
    """``catalog:product_list``: the app label is the namespace, ``<model>_<action>`` the name."""
    return f"{model._meta.app_label}:{model._meta.model_name}_{action}"


def object_url(model: type[models.Model], action: str, obj: models.Model | None = None) -> str | None:
    """The URL of one of a model's generic pages, None when the module serves no such page."""
    try:
        return reverse(url_name(model, action), kwargs={"pk": obj.pk} if obj is not None else None)
    except NoReverseMatch:
        return None


class ObjectView(View):
    """Base of the generic views: a queryset, and the model permission its action needs."""

    queryset: ClassVar[models.QuerySet[Any]]
    action: ClassVar[str] = "view"
    template_name: ClassVar[str] = ""

    @property
    def model(self) -> type[models.Model]:
        return self.queryset.model

    def permission(self) -> str:
        opts = self.model._meta
        return f"{opts.app_label}.{self.action}_{opts.model_name}"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.has_perm(self.permission()):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def base_context(self) -> dict[str, Any]:
        opts = self.model._meta
        user = self.request.user
        may_add = user.has_perm(f"{opts.app_label}.add_{opts.model_name}")
        return {
            "model_name": capfirst(opts.verbose_name),
            "model_name_plural": capfirst(opts.verbose_name_plural),
            "list_url": object_url(self.model, "list"),
            "add_url": object_url(self.model, "add") if may_add else None,
            "may_change": user.has_perm(f"{opts.app_label}.change_{opts.model_name}"),
            "may_delete": user.has_perm(f"{opts.app_label}.delete_{opts.model_name}"),
        }

    def get_object(self) -> models.Model:
        pk = self.kwargs["pk"]
        obj: models.Model = get_object_or_404(self.queryset, pk=pk)
        return obj

    def return_url(self, default: str | None) -> str:
        """``return_url`` from the request when it stays on this site, else the default."""
        asked = self.request.POST.get("return_url") or self.request.GET.get("return_url")
        if asked and url_has_allowed_host_and_scheme(
            asked, allowed_hosts={self.request.get_host()}, require_https=self.request.is_secure()
        ):
            return asked
        return default or "/"


class _Echo:
    """A file-like object whose write returns what it was given, for streaming csv.writer rows."""

    def write(self, value: str) -> str:
        return value


class ObjectListView(ObjectView):
    """A filtered, sorted, paginated table with bulk actions and CSV export (``?export=csv``)."""

    filterset_class: ClassVar[Any] = None
    table: ClassVar[type[Table]]
    search_fields: ClassVar[tuple[str, ...]] = ()
    per_page: ClassVar[int] = 25
    max_per_page: ClassVar[int] = 100
    bulk_delete: ClassVar[bool] = True
    template_name = "web/object_list.html"
    table_template_name: ClassVar[str] = "web/_object_table.html"

    def get(self, request: HttpRequest) -> HttpResponseBase:
        queryset = self.queryset.all()
        filterset = self.filterset_class(request.GET, queryset=queryset) if self.filterset_class else None
        filter_form = _with_boolean_selects(filterset.form) if filterset is not None else None
        valid = filterset is None or filterset.is_valid()
        if filterset is not None:
            queryset = filterset.qs if valid else queryset.none()
        query = request.GET.get("q", "").strip()
        if query and self.search_fields:
            condition = models.Q()
            for field in self.search_fields:
                condition |= models.Q(**{f"{field}__icontains": query})
            queryset = queryset.filter(condition)
        sort = self.table.parse_sort(request.GET.get("sort")) or self.table.parse_sort(self.table.default_sort)
        if sort is not None:
            queryset = queryset.order_by(sort[1], "pk")
        if request.GET.get("export") == "csv" and valid:
            return self.export_csv(queryset)
        page = Paginator(queryset, self._per_page()).get_page(request.GET.get("page"))
        context = {
            **self.base_context(),
            "filter_form": filter_form,
            "search": query if self.search_fields else None,
            "searchable": bool(self.search_fields),
            "headers": self.table.headers(sort[0] if sort else None),
            "current_sort": sort[0] if sort and sort[0] == request.GET.get("sort") else "",
            "rows": self.table.rows(page.object_list, self._detail_url),
            "page": page,
            "table_id": TABLE_ID,
            "bulk_delete_url": object_url(self.model, "bulk_delete") if self.bulk_delete else None,
        }
        context["bulk"] = bool(context["bulk_delete_url"] and context["may_delete"])
        partial = bool(getattr(request, "htmx", False)) and request.htmx.target == TABLE_ID  # type: ignore[attr-defined]
        context["partial"] = partial
        template = self.table_template_name if partial else self.template_name
        response = TemplateResponse(request, template, context, status=200 if valid else 400)
        # The same URL answers a whole page or only the table: caches must tell them apart.
        patch_vary_headers(response, ("HX-Request", "HX-Target"))
        return response

    def _per_page(self) -> int:
        try:
            asked = int(self.request.GET.get("per_page", self.per_page))
        except ValueError:
            return self.per_page
        return max(1, min(asked, self.max_per_page))

    def _detail_url(self, obj: models.Model) -> str | None:
        return object_url(self.model, "detail", obj)

    def export_csv(self, queryset: models.QuerySet[Any]) -> StreamingHttpResponse:
        """Every row of the filtered, sorted list (not only the page), streamed."""
        columns = self.table.columns
        writer = csv.writer(_Echo())

        def lines() -> Iterator[str]:
            # A byte-order mark, so spreadsheets read the file as UTF-8 (Arabic names, accents).
            yield "\ufeff" + writer.writerow([str(c.label) for c in columns])
            for obj in queryset.iterator(chunk_size=1000):
                yield writer.writerow([c.exported(obj) for c in columns])

        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
        name = slugify(str(self.model._meta.verbose_name_plural))
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response


def _still_used(exc: models.ProtectedError | models.RestrictedError) -> str:
    """Why nothing was deleted: the objects that still refer to what was to be deleted."""
    using = sorted({str(obj) for obj in exc.args[1]})[:5]
    return _("Nothing was deleted: still in use by %(objects)s.") % {"objects": ", ".join(using)}


def _with_boolean_selects(form: forms.Form) -> forms.Form:
    """The API's boolean filters take ``true``/``false`` as text; people pick from a list."""
    for field in form.fields.values():
        if isinstance(field, StrictBooleanField):
            choices = [("", _("Any")), ("true", _("Yes")), ("false", _("No"))]
            field.widget = forms.Select(choices=choices)  # type: ignore[assignment]
    return form


class RelatedSection:
    """Objects related to the one shown (``queryset(obj)``), listed under a heading on its detail page."""

    def __init__(
        self,
        label: str | Promise,
        *,
        queryset: Callable[[Any], models.QuerySet[Any]],
        table: type[Table],
        limit: int = 20,
    ) -> None:
        self.label = label
        self.queryset = queryset
        self.table = table
        self.limit = limit


class ObjectDetailView(ObjectView):
    """One object's fields, related objects, and its history from the audit trail (``?tab=history``)."""

    fields: ClassVar[list[str] | None] = None
    related: ClassVar[list[RelatedSection]] = []
    template_name = "web/object_detail.html"

    def get(self, request: HttpRequest, pk: Any) -> HttpResponse:
        obj = self.get_object()
        object_type, object_id = object_type_of(self.model), object_id_of(obj)
        tab = "history" if request.GET.get("tab") == "history" else "details"
        context: dict[str, Any] = {
            **self.base_context(),
            "object": obj,
            "tab": tab,
            "edit_url": object_url(self.model, "edit", obj),
            "delete_url": object_url(self.model, "delete", obj),
            "history_url": reverse(
                "audit:object-history",
                kwargs={"object_type": object_type_of(self.model), "object_id": object_id_of(obj)},
            ),
        }
        if tab == "history":
            entries = audit_object_history(object_type=object_type, object_id=object_id)
            context["entries"] = Paginator(entries, HISTORY_PER_PAGE).get_page(request.GET.get("page"))
        else:
            context["field_rows"] = self.field_rows(obj)
            context["sections"] = [
                {
                    "label": section.label,
                    "headers": section.table.headers(None),
                    "rows": section.table.rows(
                        section.queryset(obj)[: section.limit], lambda o: object_url(type(o), "detail", o)
                    ),
                }
                for section in self.related
            ]
        return TemplateResponse(request, self.template_name, context)

    def field_rows(self, obj: models.Model) -> list[tuple[str, str]]:
        names = self.fields or [
            f.name for f in obj._meta.concrete_fields if not f.primary_key and f.name not in ("id",)
        ]
        rows = []
        for name in names:
            column = Column(accessor=name)
            column.name = name
            model_field: Any = obj._meta.get_field(name)
            label = capfirst(str(model_field.verbose_name))
            rows.append((label, column.shown(obj)))
        return rows


class ObjectEditView(ObjectView):
    """Add (no ``pk``) or change one object through a model form; saved changes are audited as the user's."""

    form_class: ClassVar[type[ModelForm[Any]] | None] = None
    fields: ClassVar[list[str] | None] = None
    template_name = "web/object_edit.html"

    def setup(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().setup(request, *args, **kwargs)
        self.adding = "pk" not in kwargs

    def permission(self) -> str:
        opts = self.model._meta
        return f"{opts.app_label}.{'add' if self.adding else 'change'}_{opts.model_name}"

    def get_form_class(self) -> type[ModelForm[Any]]:
        if self.form_class is not None:
            return self.form_class
        return modelform_factory(self.model, fields=self.fields or "__all__")

    def get(self, request: HttpRequest, pk: Any = None) -> HttpResponse:
        instance = None if self.adding else self.get_object()
        return self.render(self.get_form_class()(instance=instance), instance)

    def post(self, request: HttpRequest, pk: Any = None) -> HttpResponse:
        instance = None if self.adding else self.get_object()
        form = self.get_form_class()(request.POST, request.FILES, instance=instance)
        if not form.is_valid():
            return self.render(form, instance, status=400)
        with transaction.atomic():
            obj = form.save()
        if self.adding:
            messages.success(request, _("Created %(object)s.") % {"object": obj})
        else:
            messages.success(request, _("Saved %(object)s.") % {"object": obj})
        return HttpResponseRedirect(self.return_url(object_url(self.model, "detail", obj)))

    def render(self, form: ModelForm[Any], instance: models.Model | None, status: int = 200) -> HttpResponse:
        context = {
            **self.base_context(),
            "form": form,
            "object": instance,
            "object_url": object_url(self.model, "detail", instance) if instance else None,
            "adding": self.adding,
            "cancel_url": self.return_url(
                object_url(self.model, "detail", instance) if instance else object_url(self.model, "list")
            ),
        }
        return TemplateResponse(self.request, self.template_name, context, status=status)


class ObjectDeleteView(ObjectView):
    """Asks to confirm (GET), then deletes (POST) and returns to the list."""

    action = "delete"
    template_name = "web/object_delete.html"

    def get(self, request: HttpRequest, pk: Any) -> HttpResponse:
        obj = self.get_object()
        detail_url = object_url(self.model, "detail", obj)
        context = {**self.base_context(), "object": obj, "object_url": detail_url, "cancel_url": detail_url}
        return TemplateResponse(request, self.template_name, context)

    def post(self, request: HttpRequest, pk: Any) -> HttpResponse:
        obj = self.get_object()
        label = str(obj)
        try:
            with transaction.atomic():
                obj.delete()
        except (models.ProtectedError, models.RestrictedError) as exc:
            messages.error(request, _still_used(exc))
            return HttpResponseRedirect(object_url(self.model, "detail", obj) or "/")
        messages.success(request, _("Deleted %(object)s.") % {"object": label})
        return HttpResponseRedirect(self.return_url(object_url(self.model, "list")))


class ObjectBulkDeleteView(ObjectView):
    """Deletes the objects ticked in a list (``pk``), after a confirmation page (``confirm``)."""

    action = "delete"
    template_name = "web/bulk_delete.html"

    def post(self, request: HttpRequest) -> HttpResponse:
        list_url = self.return_url(object_url(self.model, "list"))
        keys = self._keys(request.POST.getlist("pk"))
        objects = self.queryset.filter(pk__in=keys)
        if not keys or not objects.exists():
            messages.warning(request, _("Select at least one item to delete."))
            return HttpResponseRedirect(list_url)
        if not request.POST.get("confirm"):
            context = {**self.base_context(), "objects": list(objects), "return_url": list_url}
            return TemplateResponse(request, self.template_name, context)
        try:
            with transaction.atomic():
                # The queryset's delete sends each object's signals: every deletion is audited.
                _total, per_model = objects.delete()
        except (models.ProtectedError, models.RestrictedError) as exc:
            messages.error(request, _still_used(exc))
            return HttpResponseRedirect(list_url)
        deleted = per_model.get(self.model._meta.label, 0)
        messages.success(
            request, ngettext("Deleted %(count)d item.", "Deleted %(count)d items.", deleted) % {"count": deleted}
        )
        return HttpResponseRedirect(list_url)

    def _keys(self, values: list[str]) -> list[Any]:
        keys = []
        pk_field: Any = self.model._meta.pk
        for value in values:
            try:
                keys.append(pk_field.to_python(value))
            except ValidationError:
                continue
        return keys
