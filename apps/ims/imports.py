"""Products from a CSV file, all or nothing: the upload page and ``manage.py ims_import_products`` share it.

Every row is checked before anything is written; when any row is bad, nothing is imported and each
bad row is reported by its line number (the header is line 1). A row whose SKU exists updates that
product; any other row creates one. Writes go through the product services, so each is audited and
publishes its event.
"""

from __future__ import annotations

import copy
import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.db import transaction
from django.utils.translation import gettext as _

from apps.ims import services
from apps.ims.constants import PRODUCT_FIELDS
from apps.ims.exceptions import StockError
from apps.ims.models import Category, Product

REQUIRED_COLUMNS = ("sku", "name")
COLUMNS = PRODUCT_FIELDS
BOOLEAN_COLUMNS = frozenset({"active", "allow_negative_stock"})
TRUE_VALUES = frozenset({"true", "yes", "1"})
FALSE_VALUES = frozenset({"false", "no", "0"})
# A file larger than this is refused before it is read: an import runs in one transaction.
MAX_ROWS = 10_000


@dataclass(frozen=True)
class RowError:
    """What is wrong with one line of the file (line 1 is the header)."""

    line: int
    message: str

    def __str__(self) -> str:
        return _("line %(line)d: %(message)s") % {"line": self.line, "message": self.message}


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)


class ProductImportError(Exception):
    """The file has bad rows; nothing was imported."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("; ".join(str(error) for error in errors))
        self.errors = errors


class ProductRowForm(forms.ModelForm):  # type: ignore[type-arg]
    """One row's fields, checked as the product form checks them (SKU unique, prices not negative)."""

    class Meta:
        model = Product
        fields = list(PRODUCT_FIELDS)


def _boolean(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in TRUE_VALUES:
        return True
    if lowered in FALSE_VALUES:
        return False
    raise ValueError(value)


def _initial(product: Product | None) -> dict[str, Any]:
    """The values a row starts from: the product's own when it exists, else the model's defaults."""
    if product is None:
        return {"unit": "unit", "cost_price": Decimal(0), "sale_price": Decimal(0), "active": True}
    return {
        "sku": product.sku,
        "name": product.name,
        "description": product.description,
        "unit": product.unit,
        "category": product.category_id,
        "cost_price": product.cost_price,
        "sale_price": product.sale_price,
        "barcode": product.barcode,
        "active": product.active,
        "allow_negative_stock": product.allow_negative_stock,
    }


def _messages(form: forms.BaseForm) -> str:
    parts: list[str] = []
    for name, errors in form.errors.items():
        prefix = "" if name == NON_FIELD_ERRORS else f"{name}: "
        parts.extend(prefix + str(error) for error in errors)
    return " ".join(parts)


def _read(content: bytes | str) -> tuple[list[str], list[tuple[int, dict[str, str]]]] | RowError:
    """The header and ``(line number, row)`` pairs, or the error that makes the file unreadable."""
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            return RowError(1, _("The file is not UTF-8 text."))
    content = content.removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(content, newline=""))
    try:
        header = [name.strip().lower() for name in next(reader)]
    except StopIteration:
        return RowError(1, _("The file is empty; it needs a header row."))
    except csv.Error as exc:
        return RowError(1, str(exc))
    rows: list[tuple[int, dict[str, str]]] = []
    line = reader.line_num
    try:
        for cells in reader:
            start, line = line + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(header):
                counts = {"n": len(header), "m": len(cells)}
                rows.append((start, {"__error__": _("expected %(n)d columns, found %(m)d.") % counts}))
                continue
            rows.append((start, dict(zip(header, cells, strict=True))))
            if len(rows) > MAX_ROWS:
                return RowError(start, _("More than %(max)d rows; split the file.") % {"max": MAX_ROWS})
    except csv.Error as exc:
        return RowError(line + 1, str(exc))
    return header, rows


def products_import_check(content: bytes | str) -> tuple[list[tuple[Product | None, dict[str, Any]]], list[RowError]]:
    """Each row's product (None: new) and cleaned fields, and every bad row's error; writes nothing."""
    read = _read(content)
    if isinstance(read, RowError):
        return [], [read]
    header, rows = read
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    unknown = [name for name in header if name not in COLUMNS]
    header_errors = []
    if missing:
        header_errors.append(RowError(1, _("missing columns: %(columns)s.") % {"columns": ", ".join(missing)}))
    if unknown:
        header_errors.append(
            RowError(
                1,
                _("unknown columns: %(columns)s (known: %(known)s).")
                % {"columns": ", ".join(unknown), "known": ", ".join(COLUMNS)},
            )
        )
    if len(set(header)) != len(header):
        header_errors.append(RowError(1, _("a column is named twice.")))
    if header_errors:
        return [], header_errors
    if not rows:
        return [], [RowError(1, _("The file has no rows to import."))]

    skus = {row.get("sku", "").strip() for _line, row in rows}
    existing = Product.objects.in_bulk([sku for sku in skus if sku], field_name="sku")
    categories = {category.name.casefold(): category for category in Category.objects.all()}
    seen: dict[str, int] = {}
    checked: list[tuple[Product | None, dict[str, Any]]] = []
    errors: list[RowError] = []
    for line, row in rows:
        if "__error__" in row:
            errors.append(RowError(line, row["__error__"]))
            continue
        sku = row["sku"].strip()
        if sku in seen:
            errors.append(RowError(line, _("SKU %(sku)s is also on line %(line)d.") % {"sku": sku, "line": seen[sku]}))
            continue
        seen[sku] = line
        product = existing.get(sku)
        data = _initial(product)
        problems: list[str] = []
        for name, raw in row.items():
            value = raw.strip()
            if name in REQUIRED_COLUMNS:
                data[name] = value
            elif not value:
                continue
            elif name == "category":
                category = categories.get(value.casefold())
                if category is None:
                    problems.append(_("category: no category named %(name)s.") % {"name": value})
                else:
                    data["category"] = category.pk
            elif name in BOOLEAN_COLUMNS:
                try:
                    data[name] = _boolean(value)
                except ValueError:
                    problems.append(_("%(column)s: enter true or false.") % {"column": name})
            else:
                data[name] = value
        form = ProductRowForm(data=data, instance=copy.copy(product) if product else None)
        if not form.is_valid():
            problems.append(_messages(form))
        if problems:
            errors.append(RowError(line, " ".join(problems)))
            continue
        checked.append((product, {name: form.cleaned_data[name] for name in ProductRowForm.Meta.fields}))
    return checked, errors


def products_import(*, content: bytes | str, actor: Any = None) -> ImportResult:
    """Create or update every product of the file, or none: raises ProductImportError listing bad rows."""
    checked, errors = products_import_check(content)
    if errors:
        raise ProductImportError(errors)
    result = ImportResult()
    try:
        with transaction.atomic():
            for product, fields in checked:
                if product is None:
                    services.product_create(actor=actor, **fields)
                    result.created += 1
                else:
                    changed = {name: value for name, value in fields.items() if getattr(product, name) != value}
                    if changed:
                        services.product_update(product=product, actor=actor, **changed)
                        result.updated += 1
    except StockError as exc:
        raise ProductImportError([RowError(1, str(exc))]) from None
    return result
