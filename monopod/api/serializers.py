"""The base of every resource serializer: DRF's, with inputs exactly as strict as the OpenAPI schema.

DRF coerces what a client sends: ``1`` and ``"yes"`` become ``True``, ``0`` becomes ``"0"``, ``"5"``
becomes ``5``. A client whose JSON is wrong should hear so, not have its data taken as DRF guessed:
in JSON each field takes its own type only. HTML forms (the browsable API) send text, which still
converts as before.
"""

from __future__ import annotations

import copy
import decimal
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db import models
from django.http import QueryDict
from rest_framework import ISO_8601, serializers
from rest_framework.settings import api_settings


def _from_form(field: serializers.Field[Any, Any, Any, Any]) -> bool:
    return isinstance(getattr(field.root, "initial_data", None), QueryDict)


class StrictBooleanField(serializers.BooleanField):
    """JSON's ``true`` and ``false`` only (``"true"``/``"false"`` from an HTML form)."""

    def to_internal_value(self, data: Any) -> bool:
        if isinstance(data, bool):
            return data
        if data in ("true", "false") and _from_form(self):
            return bool(data == "true")
        self.fail("invalid", input=data)
        raise AssertionError("unreachable")  # pragma: no cover - fail() raises


class StrictCharField(serializers.CharField):
    """A JSON string only: a number or a boolean is a 400, not turned into text."""

    default_error_messages = {"not_a_string": "Not a valid string."}

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("not_a_string")
        return str(super().to_internal_value(data))


class StrictEmailField(StrictCharField, serializers.EmailField):
    pass


class StrictSlugField(StrictCharField, serializers.SlugField):
    pass


class StrictURLField(StrictCharField, serializers.URLField):
    pass


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer only: ``"5"`` and ``5.5`` are 400s (text from an HTML form still converts)."""

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not (isinstance(data, int) or (isinstance(data, str) and _from_form(self))):
            self.fail("invalid")
        return int(super().to_internal_value(data))


def _show_of(field: Any) -> Callable[[Any], Any]:
    """The function ``field.shower()`` made, made once per field."""
    show: Callable[[Any], Any] | None = field.__dict__.get("_show")
    if show is None:
        show = field.__dict__["_show"] = field.shower()
    return show


def _shown(field: Any, value: Any) -> Any:
    """``value`` as ``field`` shows it."""
    return _show_of(field)(value)


class StrictDecimalField(serializers.DecimalField):
    """Decimals as strings (``"12.50"``), as the schema and every response spell them.

    A JSON number has passed through a client's binary floating point on the way: 0.1 + 0.2 arrives
    as 0.30000000000000004. Money and quantities are refused in that form rather than rounded.
    """

    default_error_messages = {"not_a_string": 'Send a decimal as a string, such as "12.50".'}

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str):
            self.fail("not_a_string")
        return super().to_internal_value(data)

    def to_representation(self, value: Any) -> Any:
        """DRF's, with the quantizing exponent and context made once per field rather than per value."""
        return _shown(self, value)

    def shower(self) -> Callable[[Any], Any]:
        """``to_representation`` for this field as it is set up now, as one function: DRF's quantizing
        exponent and context made here, when its output is the plain quantized string."""
        slow = super().to_representation
        places = self.decimal_places
        plain = (
            getattr(self, "coerce_to_string", api_settings.COERCE_DECIMAL_TO_STRING)
            and not self.localize
            and not self.normalize_output
        )
        if not plain or places is None:
            return slow
        context = decimal.getcontext().copy()
        if self.max_digits is not None:
            context.prec = self.max_digits
        if self.rounding is not None:
            context.rounding = self.rounding
        exponent = decimal.Decimal(".1") ** places

        def show(value: Any) -> Any:
            if type(value) is not decimal.Decimal:
                return slow(value)
            return f"{value.quantize(exponent, context=context):f}"

        return show


class DateTimeField(serializers.DateTimeField):
    """DRF's, reading the active time zone once per serializer rather than once per value.

    A serializer's fields are copied for each use, within one request, whose time zone is fixed.
    """

    def default_timezone(self) -> Any:
        if not hasattr(self, "_active_timezone"):
            self._active_timezone = super().default_timezone()
        return self._active_timezone

    def to_representation(self, value: Any) -> Any:
        """DRF's ISO 8601 for an aware datetime, without its per-value lookups of format and zone."""
        return _shown(self, value)

    def shower(self) -> Callable[[Any], Any]:
        """``to_representation`` for this field as it is set up now (format, zone), as one function."""
        output_format = getattr(self, "format", api_settings.DATETIME_FORMAT)
        zone = self.timezone if hasattr(self, "timezone") else self.default_timezone()
        slow = super().to_representation
        if output_format is None or output_format.lower() != ISO_8601 or zone is None:
            return slow

        def show(value: Any) -> Any:
            if not isinstance(value, datetime) or value.tzinfo is None:
                return slow(value)
            try:
                text = value.astimezone(zone).isoformat()
            except OverflowError:
                return slow(value)  # DRF's own error
            return text[:-6] + "Z" if text.endswith("+00:00") else text

        return show


Shown = Callable[[Any], Any] | None
_UNPLANNED = object()

# Model fields whose database values are already what DRF's matching field would show (its
# to_representation is str(), int() or the boolean itself). Exact classes: a subclass may load values
# of its own type.
_SHOWN_AS_LOADED: dict[type[models.Field[Any, Any]], Any] = {
    **dict.fromkeys(
        (models.CharField, models.TextField, models.EmailField, models.SlugField, models.URLField),
        serializers.CharField.to_representation,
    ),
    **dict.fromkeys(
        (
            models.IntegerField,
            models.SmallIntegerField,
            models.BigIntegerField,
            models.PositiveIntegerField,
            models.PositiveSmallIntegerField,
            models.PositiveBigIntegerField,
            models.AutoField,
            models.BigAutoField,
            models.SmallAutoField,
        ),
        serializers.IntegerField.to_representation,
    ),
    models.BooleanField: serializers.BooleanField.to_representation,
}


def _shower(field: serializers.Field[Any, Any, Any, Any], column: models.Field[Any, Any]) -> Shown:
    """How a plan shows ``field``'s values of ``column``: None when as loaded, else one function."""
    shown_as = type(field).to_representation
    if _SHOWN_AS_LOADED.get(type(column)) is shown_as:
        return None
    big_as_int = shown_as is serializers.BigIntegerField.to_representation and not getattr(
        field, "coerce_to_string", api_settings.COERCE_BIGINT_TO_STRING
    )
    if big_as_int and _SHOWN_AS_LOADED.get(type(column)) is serializers.IntegerField.to_representation:
        return None  # DRF's big integer is int() unless it is to be a string
    return _show_of(field) if hasattr(field, "shower") else field.to_representation


class ModelSerializer(serializers.ModelSerializer[Any]):
    """What a resource's serializer subclasses: each model field as strict as the schema.

    Its fields are built from the model once per class, then copied for each use: DRF would inspect
    the model again for every serializer made, every request.
    """

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.BooleanField: StrictBooleanField,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
        models.EmailField: StrictEmailField,
        models.SlugField: StrictSlugField,
        models.URLField: StrictURLField,
        models.IntegerField: StrictIntegerField,
        models.SmallIntegerField: StrictIntegerField,
        models.BigIntegerField: StrictIntegerField,
        models.PositiveIntegerField: StrictIntegerField,
        models.PositiveSmallIntegerField: StrictIntegerField,
        models.PositiveBigIntegerField: StrictIntegerField,
        models.DecimalField: StrictDecimalField,
        models.DateTimeField: DateTimeField,
    }

    @classmethod
    def plain_columns(cls) -> tuple[str, ...] | None:
        """The model columns the readable fields show, when each shows one column's value as it is.

        Then a list can read rows as dictionaries (``.values()``) rather than build a model instance
        per row, and answer the same; None when some field needs the instance (a method, a relation,
        a dotted source). Known once per class, as its fields are.
        """
        if "_plain_columns" not in cls.__dict__:
            plan = cls()._representation_plan()
            columns = None if plan is None else tuple(dict.fromkeys(column for _n, column, _f in plan))
            setattr(cls, "_plain_columns", columns)  # noqa: B010 - per class, never inherited
        known: tuple[str, ...] | None = cls.__dict__["_plain_columns"]
        return known

    def _representation_plan(self) -> list[tuple[str, str, Shown]] | None:
        """``(name, column, show)`` of each readable field, if each reads a concrete, non-relation column.

        ``show`` is the field's ``to_representation``, or None where the loaded value is shown as it is.
        """
        known = self.__dict__.get("_plan", _UNPLANNED)
        if known is not _UNPLANNED:
            plan: list[tuple[str, str, Shown]] | None = known
            return plan
        model: Any = self.Meta.model
        columns = {field.name: field for field in model._meta.concrete_fields if not field.is_relation}
        built: list[tuple[str, str, Shown]] = []
        for field in self._readable_fields:
            simple = type(field).get_attribute is serializers.Field.get_attribute and len(field.source_attrs) == 1
            column = columns.get(field.source_attrs[0]) if simple else None
            if column is None:
                self._plan = None
                return None
            built.append((str(field.field_name), column.name, _shower(field, column)))
        self._plan = built
        return built

    def to_representation(self, instance: Any) -> dict[str, Any]:
        """DRF's, without its per-field attribute machinery when every field shows a column as is."""
        plan = self._representation_plan()
        if plan is None:
            return dict(super().to_representation(instance))
        read = instance.__getitem__ if isinstance(instance, dict) else instance.__getattribute__
        return {
            name: value if (value := read(column)) is None or show is None else show(value)
            for name, column, show in plan
        }

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        built: dict[str, serializers.Field[Any, Any, Any, Any]] | None = type(self).__dict__.get("_built_fields")
        if built is None:
            built = super().get_fields()
            type(self)._built_fields = built  # type: ignore[attr-defined]
        # The cached fields are never bound, so a shallow copy of each is a fresh, unbound field that
        # bind() then fills in; DRF's deep copy re-ran every field's constructor, on every request.
        # Nested serializers carry fields of their own and are still copied deeply.
        return {
            name: copy.deepcopy(field) if isinstance(field, serializers.BaseSerializer) else copy.copy(field)
            for name, field in built.items()
        }
