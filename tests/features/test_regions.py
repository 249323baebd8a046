"""The region bundles and their one strict loader."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from apps.features import checks, regions
from apps.features.regions import BUNDLES_DIR, REGIONS, region_bundles, regions_load
from apps.tenants.regions import REGION_DEFAULTS
from monopod.settings import env

LANGUAGES = ("en", "ar", "fr", "de")


@pytest.fixture
def bundles(tmp_path: Path) -> Path:
    """A copy of the checked-in bundles, to break one at a time."""
    for path in BUNDLES_DIR.glob("*.toml"):
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


def _replace(directory: Path, name: str, old: str, new: str) -> Path:
    path = directory / f"{name}.toml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    return path


def _error(directory: Path) -> str:
    with pytest.raises(ImproperlyConfigured) as caught:
        regions_load(directory, languages=LANGUAGES)
    return str(caught.value)


def test_every_region_has_a_bundle_that_loads():
    loaded = regions_load(languages=LANGUAGES)

    assert tuple(loaded) == REGIONS == ("global", "eu", "gulf", "africa", "usa")
    assert sorted(path.stem for path in BUNDLES_DIR.glob("*.toml")) == sorted(REGIONS)


def test_the_settings_region_list_is_the_loaders():
    assert env.REGIONS is regions.REGIONS


def test_gulf_defaults_to_arabic_right_to_left_with_dirhams_and_vat_5():
    gulf = region_bundles()["gulf"]

    assert (gulf.default_language, gulf.text_direction, gulf.is_rtl) == ("ar", "rtl", True)
    assert (gulf.currency, gulf.vat.standard_rate, gulf.time_zone) == ("AED", Decimal("5"), "Asia/Dubai")


def test_eu_has_euros_gdpr_consent_vat_20_with_reduced_rates_and_tax_inclusive_prices():
    eu = region_bundles()["eu"]

    assert eu.currency == "EUR"
    assert eu.compliance.has("gdpr-consent") is True
    assert eu.vat.standard_rate == Decimal("20")
    assert dict(eu.vat.reduced_rates) == {"reduced": Decimal("10"), "super_reduced": Decimal("5.5")}
    assert eu.vat.prices_include_tax is True
    assert sorted(eu.compliance.features) == ["audit-evidence", "data-export", "gdpr-consent", "right-to-erasure"]
    assert eu.compliance.retention_days == 2190


def test_usa_has_dollars_no_vat_and_tax_exclusive_prices():
    usa = region_bundles()["usa"]

    assert (usa.currency, usa.vat.standard_rate, usa.vat.prices_include_tax) == ("USD", Decimal("0"), False)
    assert dict(usa.vat.reduced_rates) == {}
    assert usa.compliance.has("gdpr-consent") is False


def test_africa_is_low_bandwidth_and_prefers_whatsapp_then_sms():
    africa = region_bundles()["africa"]

    assert africa.low_bandwidth is True
    assert africa.notification_channels[:2] == ("whatsapp", "sms")
    assert [name for name in REGIONS if region_bundles()[name].low_bandwidth] == ["africa"]


def test_provisioning_defaults_come_from_the_bundles():
    assert REGION_DEFAULTS["gulf"] == {"language": "ar", "time_zone": "Asia/Dubai", "currency": "AED"}
    assert tuple(REGION_DEFAULTS) == REGIONS


def test_an_unknown_key_names_the_file_and_the_key(bundles):
    path = _replace(bundles, "eu", 'currency = "EUR"', 'currency = "EUR"\ncolour = "blue"')

    assert _error(bundles) == (
        f"Region bundle {path}: colour: unknown key (expected one of languages, default_language, text_direction, "
        "currency, number_format, time_zone, vat, compliance, notification_channels, low_bandwidth)"
    )


def test_an_unknown_key_in_a_table_is_named_with_its_table(bundles):
    path = _replace(bundles, "usa", "prices_include_tax = false", "prices_include_tax = false\nzero = 0")

    assert _error(bundles) == (
        f"Region bundle {path}: vat.zero: unknown key "
        "(expected one of standard_rate, reduced_rates, prices_include_tax)"
    )


def test_a_missing_key(bundles):
    path = _replace(bundles, "gulf", 'time_zone = "Asia/Dubai"\n', "")

    assert _error(bundles) == f"Region bundle {path}: time_zone: missing"


def test_a_missing_compliance_feature(bundles):
    path = _replace(bundles, "eu", "audit-evidence = true\n", "")

    assert _error(bundles) == f"Region bundle {path}: compliance.audit-evidence: missing"


def test_a_wrong_type(bundles):
    path = _replace(bundles, "africa", "low_bandwidth = true", 'low_bandwidth = "yes"')

    assert _error(bundles) == f"Region bundle {path}: low_bandwidth: must be a boolean, not a string"


def test_a_boolean_is_not_a_rate(bundles):
    path = _replace(bundles, "eu", "standard_rate = 20", "standard_rate = true")

    assert _error(bundles) == f"Region bundle {path}: vat.standard_rate: must be a number, not a boolean"


def test_an_unknown_language(bundles):
    path = _replace(bundles, "eu", 'languages = ["en", "fr", "de"]', 'languages = ["en", "fr", "de", "nl"]')

    assert _error(bundles) == f"Region bundle {path}: languages: unknown language 'nl' (expected one of en, ar, fr, de)"


def test_a_default_language_outside_the_regions_languages(bundles):
    path = _replace(bundles, "usa", 'default_language = "en"', 'default_language = "fr"')

    assert _error(bundles) == f"Region bundle {path}: default_language: 'fr' is not in languages"


def test_an_unknown_currency(bundles):
    path = _replace(bundles, "gulf", 'currency = "AED"', 'currency = "DHS"')

    assert _error(bundles) == (
        f"Region bundle {path}: currency: unknown currency 'DHS' (expected an ISO 4217 code such as EUR)"
    )


def test_an_unknown_time_zone(bundles):
    path = _replace(bundles, "africa", 'time_zone = "Africa/Lagos"', 'time_zone = "Africa/Wakanda"')

    assert _error(bundles) == f"Region bundle {path}: time_zone: unknown time zone 'Africa/Wakanda'"


def test_a_rate_above_100(bundles):
    path = _replace(bundles, "eu", "standard_rate = 20", "standard_rate = 120")

    assert _error(bundles) == f"Region bundle {path}: vat.standard_rate: must be between 0 and 100 (got 120)"


def test_a_negative_reduced_rate(bundles):
    path = _replace(bundles, "eu", "reduced = 10", "reduced = -1")

    assert _error(bundles) == f"Region bundle {path}: vat.reduced_rates.reduced: must be between 0 and 100 (got -1)"


def test_an_unknown_notification_channel(bundles):
    path = _replace(bundles, "usa", 'notification_channels = ["email", "sms"]', 'notification_channels = ["fax"]')

    assert _error(bundles) == (
        f"Region bundle {path}: notification_channels: unknown channel 'fax' (expected one of email, sms, whatsapp)"
    )


def test_an_unknown_text_direction(bundles):
    path = _replace(bundles, "gulf", 'text_direction = "rtl"', 'text_direction = "down"')

    assert _error(bundles) == f"Region bundle {path}: text_direction: must be one of ltr, rtl (got 'down')"


def test_a_missing_bundle_file(bundles):
    (bundles / "usa.toml").unlink()

    assert _error(bundles) == f"Region bundle {bundles / 'usa.toml'}: missing (every region in REGIONS needs one)"


def test_a_file_that_is_no_region(bundles):
    (bundles / "mars.toml").write_text("")

    assert _error(bundles) == (
        f"Region bundle {bundles / 'mars.toml'}: not a region (REGIONS lists global, eu, gulf, africa, usa)"
    )


def test_invalid_toml(bundles):
    path = _replace(bundles, "eu", 'currency = "EUR"', "currency = EUR")

    assert _error(bundles).startswith(f"Region bundle {path}: not valid TOML: ")


def test_the_system_check_reports_a_broken_bundle(bundles, monkeypatch):
    path = _replace(bundles, "eu", "standard_rate = 20", "standard_rate = 120")
    monkeypatch.setattr(regions, "BUNDLES_DIR", bundles)

    errors = checks.region_bundles_check()

    assert [(error.id, error.msg) for error in errors] == [
        ("features.E001", f"Region bundle {path}: vat.standard_rate: must be between 0 and 100 (got 120)")
    ]


def test_the_system_check_passes_on_the_checked_in_bundles():
    assert checks.region_bundles_check() == []


def test_an_unknown_region_in_the_environment_stays_a_clear_error(monkeypatch):
    monkeypatch.setenv("REGION", "mars")

    with pytest.raises(env.ConfigError) as caught:
        env.region()

    assert str(caught.value) == "REGION must be one of global, eu, gulf, africa, usa (got 'mars')"
