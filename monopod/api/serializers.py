"""The base of every resource serializer: DRF's, with inputs exactly as strict as the OpenAPI schema.

DRF coerces what a client sends: ``1`` and ``"yes"`` become ``True``, ``0`` becomes ``"0"``, ``"5"``
becomes ``5``. A client whose JSON is wrong should hear so, not have its data taken as DRF guessed:
in JSON each field takes its own type only. HTML forms (the browsable API) send text, which still
converts as before.
"""

from __future__ import annotations

import copy
from typing import Any

from django.db import models
from django.http import QueryDict
from rest_framework import serializers


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


class DateTimeField(serializers.DateTimeField):
    """DRF's, reading the active time zone once per serializer rather than once per value.

    A serializer's fields are copied for each use, within one request, whose time zone is fixed.
    """

    def default_timezone(self) -> Any:
        if not hasattr(self, "_active_timezone"):
            self._active_timezone = super().default_timezone()
        return self._active_timezone


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

    def _representation_plan(self) -> list[tuple[str, str, serializers.Field[Any, Any, Any, Any]]] | None:
        """``(name, column, field)`` of each readable field, if each reads a concrete, non-relation column."""
        if hasattr(self, "_plan"):
            plan: list[tuple[str, str, serializers.Field[Any, Any, Any, Any]]] | None = getattr(self, "_plan")  # noqa: B009
            return plan
        model: Any = self.Meta.model
        columns = {field.name for field in model._meta.concrete_fields if not field.is_relation}
        built: list[tuple[str, str, serializers.Field[Any, Any, Any, Any]]] = []
        for field in self._readable_fields:
            simple = type(field).get_attribute is serializers.Field.get_attribute and len(field.source_attrs) == 1
            if not simple or field.source_attrs[0] not in columns:
                self._plan = None
                return None
            built.append((str(field.field_name), field.source_attrs[0], field))
        self._plan = built
        return built

    def to_representation(self, instance: Any) -> dict[str, Any]:
        """DRF's, without its per-field attribute machinery when every field shows a column as is."""
        plan = self._representation_plan()
        if plan is None:
            return dict(super().to_representation(instance))
        read = instance.__getitem__ if isinstance(instance, dict) else instance.__getattribute__
        represented = {}
        for name, column, field in plan:
            value = read(column)
            represented[name] = None if value is None else field.to_representation(value)
        return represented

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
