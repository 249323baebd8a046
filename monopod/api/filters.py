"""Filtering for every list: django-filter, search and an allow-listed ordering, all strict.

A query parameter the view does not understand is a 400 naming it, never silently ignored: a client
that misspells a filter would otherwise read an unfiltered list as if it were filtered.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

import django_filters  # type: ignore[import-untyped]
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend  # type: ignore[import-untyped]
from rest_framework import exceptions, filters
from rest_framework.request import Request
from rest_framework.settings import api_settings

# Parameters every view understands whatever its filters: content negotiation.
ALWAYS_KNOWN = frozenset({api_settings.URL_FORMAT_OVERRIDE or "format"})


class FilterSet(django_filters.FilterSet):
    """The base of every filterset: exact and range lookups declared per field (``fields = {...}``)."""


class SearchFilter(filters.SearchFilter):
    """``?search=``: over the view's ``search_fields``; a view with none does not take the parameter."""

    def known_parameters(self, view: Any) -> set[str]:
        return {self.search_param} if getattr(view, "search_fields", None) else set()

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return super().get_schema_operation_parameters(view) if self.known_parameters(view) else []


class OrderingFilter(filters.OrderingFilter):
    """``?ordering=a,-b``: only over the view's ``ordering_fields`` (an allow-list; by default none)."""

    def get_valid_fields(
        self, queryset: QuerySet[Any], view: Any, context: Mapping[str, Any] | None = None
    ) -> list[tuple[str, str]]:
        return [(field, field) for field in getattr(view, "ordering_fields", None) or ()]

    def remove_invalid_fields(self, queryset: QuerySet[Any], fields: Any, view: Any, request: Request) -> list[str]:
        valid = {name for name, _label in self.get_valid_fields(queryset, view)}
        invalid = [term for term in fields if term.lstrip("-") not in valid]
        if invalid:
            allowed = ", ".join(sorted(valid)) or _("none")
            message = _("Cannot order by %(fields)s; allowed: %(allowed)s.") % {
                "fields": ", ".join(invalid),
                "allowed": allowed,
            }
            raise exceptions.ValidationError({self.ordering_param: [message]})
        return list(fields)

    def known_parameters(self, view: Any) -> set[str]:
        return {self.ordering_param} if getattr(view, "ordering_fields", None) else set()

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return super().get_schema_operation_parameters(view) if self.known_parameters(view) else []


class StrictDjangoFilterBackend(DjangoFilterBackend):
    """django-filter that answers 400 to any query parameter the view does not know."""

    def filter_queryset(self, request: Request, queryset: QuerySet[Any], view: Any) -> QuerySet[Any]:
        unknown = sorted(set(request.query_params) - self.view_parameters(queryset, view))
        if unknown:
            raise exceptions.ValidationError({name: [_("Unknown query parameter.")] for name in unknown})
        return cast(QuerySet[Any], super().filter_queryset(request, queryset, view))

    def view_parameters(self, queryset: QuerySet[Any], view: Any) -> set[str]:
        known = set(ALWAYS_KNOWN)
        filterset_class = self.get_filterset_class(view, queryset)
        for name, declared in (filterset_class.base_filters if filterset_class else {}).items():
            # Range filters read two parameters, one per widget suffix (price_min, price_max).
            suffixes = getattr(declared.field.widget, "suffixes", None)
            known |= {f"{name}_{suffix}" for suffix in suffixes} if suffixes else {name}
        for backend in getattr(view, "filter_backends", ()):
            if hasattr(backend, "known_parameters"):
                known |= backend().known_parameters(view)
        paginator = getattr(view, "paginator", None)
        for attribute in ("page_query_param", "page_size_query_param", "cursor_query_param"):
            if paginator is not None and getattr(paginator, attribute, None):
                known.add(getattr(paginator, attribute))
        return known
