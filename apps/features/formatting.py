"""Money and numbers written for the current region and the active language.

The separators are the region's own number format when the active language is the region's default
language, else those of the active language's locale (Django's locale formats): a Gulf tenant's Arabic
pages write ``1,234.50``, its French-speaking member reads ``1 234,50``. The currency is the region's
unless one is given.
"""

from __future__ import annotations

from contextvars import ContextVar
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.utils import formats, translation

from apps.features.regions import Region, region_get

NBSP = "\u00a0"
# Currencies whose minor unit is not the cent.
MINOR_DIGITS = {"JPY": 0, "KRW": 0, "XAF": 0, "XOF": 0, "BHD": 3, "KWD": 3, "OMR": 3, "JOD": 3, "TND": 3}
# Symbols per currency; a mapping gives one per language, falling back to the ISO code.
SYMBOLS: dict[str, str | dict[str, str]] = {
    "EUR": "€",
    "USD": "$",
    "GBP": "£",
    "NGN": "₦",
    "AED": {"ar": "د.إ."},
}
# Languages that write the symbol before the amount; the others write it after, with a space.
SYMBOL_FIRST = frozenset({"en"})

current_region_var: ContextVar[Region | None] = ContextVar("current_region", default=None)


def current_region() -> Region:
    """The region of the request being served (``RegionMiddleware``), else the platform's default."""
    return current_region_var.get() or region_get(settings.REGION)


def _separators(region: Region, language: str) -> tuple[str, str]:
    if language == region.default_language:
        return region.number_format.decimal_separator, region.number_format.grouping_separator
    return str(formats.get_format("DECIMAL_SEPARATOR", language)), str(
        formats.get_format("THOUSAND_SEPARATOR", language)
    )


def number_format(value: Any, *, decimals: int, region: Region | None = None, language: str | None = None) -> str:
    """``value`` rounded half up to ``decimals`` places, grouped by thousands; raises ``ValueError`` if no number."""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a number") from None
    if not number.is_finite():
        raise ValueError(f"{value!r} is not a finite number")
    region = region or current_region()
    language = (language or translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    decimal_separator, grouping_separator = _separators(region, language)
    rounded = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    sign = "-" if rounded < 0 else ""
    whole, _, fraction = f"{abs(rounded):f}".partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    text = grouping_separator.join(groups)
    return f"{sign}{text}{decimal_separator}{fraction}" if fraction else f"{sign}{text}"


def currency_symbol(currency: str, language: str) -> str:
    symbol = SYMBOLS.get(currency, currency)
    if isinstance(symbol, dict):
        return symbol.get(language, currency)
    return symbol


def money_format(
    value: Any, *, currency: str | None = None, region: Region | None = None, language: str | None = None
) -> str:
    """``value`` as an amount of ``currency`` (the region's by default), written for the language."""
    region = region or current_region()
    language = (language or translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    currency = currency or region.currency
    amount = number_format(value, decimals=MINOR_DIGITS.get(currency, 2), region=region, language=language)
    symbol = currency_symbol(currency, language)
    if language in SYMBOL_FIRST:
        sign, digits = ("-", amount[1:]) if amount.startswith("-") else ("", amount)
        gap = "" if len(symbol) == 1 else NBSP
        return f"{sign}{symbol}{gap}{digits}"
    return f"{amount}{NBSP}{symbol}"
