"""The base of every resource serializer: DRF's, with inputs exactly as strict as the OpenAPI schema.

DRF coerces what a client sends: ``1`` and ``"yes"`` become ``True``, ``0`` becomes ``"0"``, ``"5"``
becomes ``5``. A client whose JSON is wrong should hear so, not have its data taken as DRF guessed:
in JSON each field takes its own type only. HTML forms (the browsable API) send text, which still
converts as before.
"""

from __future__ import annotations

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

    default_error_messages = {"invalid": "Not a valid string."}

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
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


class ModelSerializer(serializers.ModelSerializer[Any]):
    """What a resource's serializer subclasses: each model field as strict as the schema."""

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
    }
