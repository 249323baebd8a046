"""Slug rules: length, alphabet, reserved names; the schema name that follows."""

import pytest
from django.core.exceptions import ValidationError

from apps.tenants.slugs import slug_to_schema_name, validate_slug


@pytest.mark.parametrize("slug", ["abc", "acme-co", "a1b2", "x" * 40, "north-wind-2"])
def test_valid_slugs_are_accepted(slug):
    assert validate_slug(slug) == slug


@pytest.mark.parametrize(
    ("slug", "code"),
    [
        ("ab", "length"),
        ("x" * 41, "length"),
        ("x" * 64, "length"),
        ('a";drop schema public;--', "invalid"),
        ("Acme", "invalid"),
        ("1acme", "invalid"),
        ("acme-", "invalid"),
        ("acme_co", "invalid"),
        ("acmé", "invalid"),
        ("public", "reserved"),
        ("www", "reserved"),
        ("admin", "reserved"),
        ("api", "reserved"),
        ("select", "reserved"),
        ("information-schema", "reserved"),
        ("pg-catalog", "reserved"),
        ("pool-0123", "reserved"),
        ("tenant-template", "reserved"),
    ],
)
def test_invalid_slugs_are_refused_with_a_reason(slug, code):
    with pytest.raises(ValidationError) as raised:
        validate_slug(slug)

    assert raised.value.code == code


def test_schema_name_swaps_hyphens_for_underscores():
    assert slug_to_schema_name("north-wind-2") == "north_wind_2"
