"""Tables of the generic list view: a few declared columns, sortable by an allow-list.

class ProductTable(Table):
    sku = Column(_("SKU"), linkify=True, sortable=True)
    unit_price = Column(_("Unit price"), sortable=True)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

from django.db import models
from django.utils import timezone
from django.utils.formats import localize
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

EMPTY = "—"
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(value: str) -> str:
    """A text cell a spreadsheet shows as text: a leading formula character is escaped with a quote."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


class Column:
    """One column: a label, where its value comes from, and whether it links to the object or sorts."""

    name: str

    def __init__(
        self,
        label: str | Promise | None = None,
        *,
        accessor: str | None = None,
        linkify: bool = False,
        sortable: bool | str = False,
    ) -> None:
        self._label = label
        self.accessor = accessor
        self.linkify = linkify
        # True sorts by the accessor's field; a string names the ordering field (e.g. "category__name").
        self._sortable = sortable

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @property
    def label(self) -> str | Promise:
        return self._label if self._label is not None else self.name.replace("_", " ").capitalize()

    @property
    def order_by(self) -> str | None:
        if self._sortable is False:
            return None
        if isinstance(self._sortable, str):
            return self._sortable
        return (self.accessor or self.name).replace(".", "__")

    def raw(self, obj: models.Model) -> Any:
        value: Any = obj
        path = (self.accessor or self.name).split(".")
        for part in path[:-1]:
            value = getattr(value, part, None)
            if value is None:
                return None
        last = path[-1]
        display = getattr(value, f"get_{last}_display", None)
        if callable(display):
            return display()
        value = getattr(value, last, None)
        return value() if callable(value) else value

    def shown(self, obj: models.Model) -> str:
        """The value as the page shows it."""
        value = self.raw(obj)
        if value is None or value == "":
            return EMPTY
        if isinstance(value, bool):
            return str(_("Yes") if value else _("No"))
        # As a template shows it: times in the current time zone, numbers and dates in the language's format.
        if isinstance(value, datetime) and timezone.is_aware(value):
            value = timezone.localtime(value)
        return str(localize(value))

    def exported(self, obj: models.Model) -> str:
        """The value for CSV: plain (``true``, ``12.50``), text neutralised against formulas."""
        value = self.raw(obj)
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float | Decimal):
            return str(value)
        return neutralised(str(value))


@dataclass(frozen=True)
class Header:
    """A column heading and the sort its link asks for next."""

    column: Column
    sorted: str  # "", "asc" or "desc"
    next_sort: str | None


@dataclass(frozen=True)
class Cell:
    value: str
    url: str | None


@dataclass(frozen=True)
class Row:
    pk: Any
    cells: list[Cell]


class Table:
    """Declared columns, in declaration order; ``default_sort`` when no (valid) sort is asked for."""

    columns: ClassVar[list[Column]] = []
    default_sort: ClassVar[str | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        inherited = [c for c in cls.columns if c.name not in vars(cls)]
        cls.columns = [*inherited, *(v for v in vars(cls).values() if isinstance(v, Column))]

    @classmethod
    def sort_fields(cls) -> dict[str, str]:
        """The allow-list: column name to ordering field."""
        return {c.name: c.order_by for c in cls.columns if c.order_by}

    @classmethod
    def parse_sort(cls, value: str | None) -> tuple[str, str] | None:
        """``("name", "-sku")``-style: the column asked for and its ordering; None when not allowed."""
        if not value:
            return None
        name = value.removeprefix("-")
        field = cls.sort_fields().get(name)
        if field is None:
            return None
        return value, ("-" if value.startswith("-") else "") + field

    @classmethod
    def headers(cls, current: str | None) -> list[Header]:
        result = []
        for column in cls.columns:
            if not column.order_by:
                result.append(Header(column=column, sorted="", next_sort=None))
            elif current == column.name:
                result.append(Header(column=column, sorted="asc", next_sort="-" + column.name))
            elif current == "-" + column.name:
                result.append(Header(column=column, sorted="desc", next_sort=column.name))
            else:
                result.append(Header(column=column, sorted="", next_sort=column.name))
        return result

    @classmethod
    def rows(cls, objects: Iterable[models.Model], detail_url: Any) -> list[Row]:
        """Each object's cells; ``detail_url(obj)`` for linked columns."""
        return [
            Row(
                pk=obj.pk,
                cells=[Cell(value=c.shown(obj), url=detail_url(obj) if c.linkify else None) for c in cls.columns],
            )
            for obj in objects
        ]
