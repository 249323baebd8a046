"""Filtering for every list: django-filter, search and an allow-listed ordering, all strict.

A query parameter the view does not understand is a 400 naming it, never silently ignored: a client
that misspells a filter would otherwise read an unfiltered list as if it were filtered.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, cast

import django_filters  # type: ignore[import-untyped]
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import DecimalField, IntegerField, QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django_filters.filters import FilterMethod, QuerySetRequestMixin  # type: ignore[import-untyped]
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


def _filter_for_use(declared: django_filters.Filter) -> django_filters.Filter:
    """A copy of a class's filter for one filterset: its own attributes and ``extra``, no form field yet.

    What django-filter's deep copy gives it, for what a filter changes in use: the filterset sets its
    ``model`` and ``parent``, and its form field is built from the copy (in the language of the
    moment, with the model's labels). The rest (lookups, choices, validators) is only read.
    """
    used = copy.copy(declared)
    used.__dict__.pop("_field", None)
    used.extra = dict(declared.extra)
    if isinstance(declared.__dict__.get("filter"), FilterMethod):
        used.filter = FilterMethod(used)  # ``method=``: find the method on this copy's filterset
    return used


class Filters(dict[str, Any]):
    """A filterset class's filters. Each filterset deep-copies them; this copy is one level deep.

    django-filter deep-copies every filter, with its form field, widgets and validators, for each
    filterset made (each list request that has query parameters): about a tenth of such a request.
    """

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, Any]:
        return {name: _filter_for_use(declared) for name, declared in self.items()}


class FilterSet(django_filters.FilterSet):
    """The base of every filterset: exact and range lookups declared per field (``fields = {...}``).

    Two shortcuts over django-filter, with the same result: filters are copied for each use one level
    deep (``Filters``), and the form class is made once per model and language, not per filterset.
    A filterset whose filters read the request (a ``queryset`` callable) still makes its own.
    """

    @classmethod
    def get_filters(cls) -> Filters:
        return Filters(super().get_filters())

    def get_form_class(self) -> type[forms.Form]:
        if _reads_request(type(self)):
            made: type[forms.Form] = super().get_form_class()
            return made
        made_for: dict[tuple[type[Any], str | None], type[forms.Form]] = _per_class(
            type(self), "_form_classes", lambda cls: {}
        )
        key = (self.queryset.model, get_language())
        if key not in made_for:
            # Fields from this filterset's own copies: they hold the model's labels in this language.
            made_for[key] = super().get_form_class()
        return made_for[key]

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


def _per_class(filterset_class: type[Any], name: str, make: Any) -> Any:
    """What ``make(filterset_class)`` gives, kept on the class itself (not inherited): it lives as long
    as the class, which may be made per request (DRF's ``filterset_fields``)."""
    if name not in filterset_class.__dict__:
        type.__setattr__(filterset_class, name, make(filterset_class))
    return filterset_class.__dict__[name]


def _reads_request(filterset_class: type[Any]) -> bool:
    def make(cls: type[Any]) -> bool:
        return any(isinstance(declared, QuerySetRequestMixin) for declared in cls.base_filters.values())

    known: bool = _per_class(filterset_class, "_reads_request", make)
    return known


def _declared_parameters(filterset_class: type[Any]) -> tuple[frozenset[str], frozenset[str]]:
    """The query parameters a filterset class reads, and those of its filters that do not take text.

    Read from fields built on copies of its filters (``_filter_for_use``), never on the class's own.
    Range filters read two parameters, one per widget suffix (``price_min``, ``price_max``).
    """

    def make(cls: type[Any]) -> tuple[frozenset[str], frozenset[str]]:
        parameters: set[str] = set()
        typed: set[str] = set()
        for name, declared in cls.base_filters.items():
            field = _filter_for_use(declared).field
            suffixes = getattr(field.widget, "suffixes", None)
            parameters |= {f"{name}_{suffix}" if suffix else name for suffix in suffixes} if suffixes else {name}
            if type(field) is not forms.CharField:
                typed.add(name)
        return frozenset(parameters), frozenset(typed)

    known: tuple[frozenset[str], frozenset[str]] = _per_class(filterset_class, "_declared_parameters", make)
    return known


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
        filterset_class = self.get_filterset_class(view, queryset)
        filterset_parameters, typed = _declared_parameters(filterset_class) if filterset_class else (frozenset(), ())
        refuse_unknown_parameters(request, filterset_parameters | self.view_parameters(view))
        blank = sorted(name for name in typed if request.query_params.get(name) == "")
        if blank:
            # django-filter ignores an empty value, as a form left empty should: from an API client, a
            # filter that is not text (``?since=``, ``?active=``) given no value is a bug.
            raise exceptions.ValidationError({name: [_("This field may not be blank.")] for name in blank})
        if filterset_parameters.isdisjoint(request.query_params):
            return queryset  # a page, an ordering or a search: the filterset would filter nothing
        return cast(QuerySet[Any], super().filter_queryset(request, queryset, view))

    def view_parameters(self, view: Any) -> set[str]:
        """The parameters ``view`` reads beyond its filterset's: its other backends' and its paginator's."""
        known = set(ALWAYS_KNOWN)
        for backend in getattr(view, "filter_backends", ()):
            if hasattr(backend, "known_parameters"):
                known |= backend().known_parameters(view)
        paginator = getattr(view, "paginator", None)
        for attribute in ("page_query_param", "page_size_query_param", "cursor_query_param"):
            if paginator is not None and getattr(paginator, attribute, None):
                known.add(getattr(paginator, attribute))
        return known
