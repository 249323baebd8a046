"""Dates and numbers are written the way each language writes them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from apps.features.formatting import current_region_var
from apps.features.regions import region_get

NBSP = "\u00a0"
RLM = "\u200f"

# Django's locale formats: a long date, a short date, a date and time, and a decimal with grouping.
LOCALE_FORMATS = {
    "en": ("March 5, 2026", "03/05/2026", "March 5, 2026, 2:30 p.m.", "1,234,567.50"),
    "fr": ("5 mars 2026", "05/03/2026", "5 mars 2026 14:30", f"1{NBSP}234{NBSP}567,50"),
    "de": ("5. März 2026", "05.03.2026", "5. März 2026 14:30", "1.234.567,50"),
    "ar": ("5 مارس، 2026", f"05{RLM}/03{RLM}/2026", "مارس 5, 2026, 2:30 م", "1234567,50"),
}


@pytest.mark.parametrize("language", sorted(LOCALE_FORMATS))
def test_dates_and_decimals_follow_the_languages_locale(language):
    template = Template(
        '{{ day|date:"DATE_FORMAT" }}|{{ day|date:"SHORT_DATE_FORMAT" }}|{{ moment|date:"DATETIME_FORMAT" }}'
        '|{{ amount|floatformat:"2g" }}'
    )
    context = Context({"day": date(2026, 3, 5), "moment": datetime(2026, 3, 5, 14, 30), "amount": Decimal("1234567.5")})

    with translation.override(language):
        assert template.render(context).split("|") == list(LOCALE_FORMATS[language])


@pytest.mark.parametrize(
    ("region", "language", "written"),
    [
        ("gulf", "ar", "1,234,567.50"),  # the region's own format in its default language
        ("eu", "fr", f"1{NBSP}234{NBSP}567,50"),
        ("eu", "de", "1.234.567,50"),
        ("africa", "ar", "1.234.567,50"),  # Arabic is not the region's default: Django's ar separators
    ],
)
def test_monopods_number_filter_writes_the_region_or_the_languages_format(region, language, written):
    template = Template("{% load features %}{{ amount|number }}")
    token = current_region_var.set(region_get(region))
    try:
        with translation.override(language):
            assert template.render(Context({"amount": Decimal("1234567.5")})) == written
    finally:
        current_region_var.reset(token)
