"""Filtering for every list: django-filter, search and an allow-listed ordering, all strict.

A query parameter the view does not understand is a 400 naming it, never silently ignored: a client
that misspells a filter would otherwise read an unfiltered list as if it were filtered.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, cast

import django_filters  # type: ignore[import-untyped]
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import DecimalField, IntegerField, QuerySet
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend  # type: ignore[import-untyped]
from rest_framework import exceptions, filters
from rest_framework.request import Request
from rest_framework.settings import api_settings

# Parameters every view understands whatever its filters: content negotiation.
# Beyond the largest double (1.8e308): no JSON number or float a client sends is that large.
DOUBLE_RANGE = Decimal("1e309")
ALWAYS_KNOWN = frozenset({api_settings.URL_FORMAT_OVERRIDE or "format"})


class IntegerNumberField(forms.IntegerField):
    default_error_messages = {"invalid": forms.DecimalField.default_error_messages["invalid"]}


class IntegerFilter(django_filters.NumberFilter):
    """A number filter on an integer field: ``?quantity__gte=0.5`` is a 400, not rounded or matched."""

    field_class = IntegerNumberField


class DecimalFilter(django_filters.NumberFilter):
    """A number filter on a decimal field, taking any number a client can send as a double.

    django-filter caps numbers at 1e50, a limit the schema cannot state; past a double's range the
    database could not compare them.
    """

    def get_max_validator(self) -> Any:
        return None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.extra["validators"] = [MinValueValidator(-DOUBLE_RANGE), MaxValueValidator(DOUBLE_RANGE)]


class StrictBooleanField(forms.NullBooleanField):
    """``true`` or ``false``, as JSON and OpenAPI spell them; not ``1``, ``yes`` or ``null``."""

    widget = forms.TextInput  # the raw value: the select widgets read anything else as "unknown"

    def to_python(self, value: Any) -> bool | None:  # type: ignore[override]
        if value in (None, ""):
            return None
        if value in ("true", "false"):
            return bool(value == "true")
        raise forms.ValidationError(_("Enter true or false."), code="invalid")

    def validate(self, value: Any) -> None:
        pass


class BooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class UtcIsoDateTimeField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 time, in UTC: PostgreSQL refuses offsets past ±15:59, which Python still parses."""

    def to_python(self, value: Any) -> datetime | None:
        parsed: datetime | None = super().to_python(value)
        if parsed is None or parsed.tzinfo is None:
            return parsed
        try:
            return parsed.astimezone(UTC)
        except OverflowError:
            raise forms.ValidationError(_("Enter a time between years 1 and 9999."), code="invalid") from None


class IsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField


class FilterSet(django_filters.FilterSet):
    """The base of every filterset: exact and range lookups declared per field (``fields = {...}``)."""

    @classmethod
    def filter_for_lookup(cls, field: Any, lookup_type: str) -> tuple[type[Any], dict[str, Any]]:
        filter_class, params = super().filter_for_lookup(field, lookup_type)
        if filter_class is django_filters.NumberFilter and isinstance(field, IntegerField):
            return IntegerFilter, params
        if filter_class is django_filters.NumberFilter and isinstance(field, DecimalField):
            return DecimalFilter, params
        if filter_class is django_filters.BooleanFilter:
            return BooleanFilter, params
        if filter_class in (django_filters.DateTimeFilter, django_filters.IsoDateTimeFilter):
            return IsoDateTimeFilter, params
        return filter_class, params


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

    def get_ordering(self, request: Request, queryset: QuerySet[Any], view: Any) -> Any:
        # Terms as sent: DRF strips blanks around them, which would let " sku" and "sku," through.
        params = request.query_params.get(self.ordering_param)
        if params:
            return self.remove_invalid_fields(queryset, params.split(","), view, request)
        return self.get_default_ordering(view)

    def remove_invalid_fields(self, queryset: QuerySet[Any], fields: Any, view: Any, request: Request) -> list[str]:
        valid = {name for name, _label in self.get_valid_fields(queryset, view)}
        invalid = [term for term in fields if term.removeprefix("-") not in valid]
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
        if not self.known_parameters(view):
            return []
        parameters: list[dict[str, Any]] = super().get_schema_operation_parameters(view)
        term = "-?(?:{})".format("|".join(re.escape(field) for field in view.ordering_fields))
        for parameter in parameters:
            parameter["schema"]["pattern"] = f"^(?:{term}(?:,{term})*)?$"
            parameter["description"] = _("Fields to order by, comma-separated; - for descending.")
        return parameters


def refuse_unknown_parameters(request: Request, known: set[str] | frozenset[str] = ALWAYS_KNOWN) -> None:
    """A 400 naming every query parameter not in ``known``."""
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        raise exceptions.ValidationError({name: [_("Unknown query parameter.")] for name in unknown})


class StrictDjangoFilterBackend(DjangoFilterBackend):
    """django-filter that answers 400 to any query parameter the view does not know."""

    def filter_queryset(self, request: Request, queryset: QuerySet[Any], view: Any) -> QuerySet[Any]:
        if not request.query_params:  # nothing to check or filter by: no filterset to build
            return queryset
        refuse_unknown_parameters(request, self.view_parameters(queryset, view))
        blank = self.blank_typed_parameters(request, queryset, view)
        if blank:
            raise exceptions.ValidationError({name: [_("This field may not be blank.")] for name in blank})
        return cast(QuerySet[Any], super().filter_queryset(request, queryset, view))

    def blank_typed_parameters(self, request: Request, queryset: QuerySet[Any], view: Any) -> list[str]:
        """Filters given an empty value that is not text (``?since=``, ``?active=``).

        django-filter ignores them, as a form left empty should be; an API client sending one has a bug.
        """
        filterset_class = self.get_filterset_class(view, queryset)
        return sorted(
            name
            for name, declared in (filterset_class.base_filters if filterset_class else {}).items()
            if request.query_params.get(name) == "" and type(declared.field) is not forms.CharField
        )

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
