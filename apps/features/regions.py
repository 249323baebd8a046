"""Region bundles: one TOML file per region under ``apps/features/bundles/``, read by this one loader.

A bundle holds what differs between regions: languages, text direction, currency and number format,
time zone, VAT rules, compliance features, preferred notification channels, low-bandwidth pages. The
loader is strict: an unknown or missing key, a wrong type, an unknown language, currency or time zone,
or a rate outside 0..100 raises ``ImproperlyConfigured`` naming the file and the key, at start-up
(``FeaturesConfig.ready``) and in ``manage.py check``.

This module imports nothing of Django's apps, so settings may import ``REGIONS`` from it; bundles are
parsed once per process (``region_bundles``), when first asked for.
"""

from __future__ import annotations

import tomllib
import zoneinfo
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from django.core.exceptions import ImproperlyConfigured

# Every region MonoPod knows, in the order people see them; each has a bundle file of its name.
REGIONS = ("global", "eu", "gulf", "africa", "usa")
BUNDLES_DIR = Path(__file__).resolve().parent / "bundles"

TEXT_DIRECTIONS = ("ltr", "rtl")
NOTIFICATION_CHANNELS = ("email", "sms", "whatsapp")
# Compliance features a region switches on; each is also a feature flag of the same name.
COMPLIANCE_FEATURES = ("gdpr-consent", "data-export", "right-to-erasure", "audit-evidence", "enhanced-rbac")

# Active ISO 4217 currency codes.
_ISO_4217_CODES = """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD
    CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD
    GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT
    LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR
    NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP
    STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VED VES VND VUV WST XAF XCD
    XCG XOF XPF YER ZAR ZMW ZWG
"""
ISO_4217 = frozenset(_ISO_4217_CODES.split())


@dataclass(frozen=True)
class NumberFormat:
    """How the region writes numbers in its default language."""

    decimal_separator: str
    grouping_separator: str


@dataclass(frozen=True)
class VatRules:
    """Value added tax: the standard rate, named reduced rates (percent), and whether prices include it."""

    standard_rate: Decimal
    reduced_rates: Mapping[str, Decimal]
    prices_include_tax: bool


@dataclass(frozen=True)
class Compliance:
    """Compliance features the region switches on, and how long records are kept (0: no limit set)."""

    features: frozenset[str]
    retention_days: int

    def has(self, feature: str) -> bool:
        return feature in self.features


@dataclass(frozen=True)
class Region:
    """One region's bundle, as validated from its file."""

    name: str
    languages: tuple[str, ...]
    default_language: str
    text_direction: str
    currency: str
    number_format: NumberFormat
    time_zone: str
    vat: VatRules
    compliance: Compliance
    notification_channels: tuple[str, ...]
    low_bandwidth: bool

    @property
    def is_rtl(self) -> bool:
        return self.text_direction == "rtl"


class _Bundle:
    """Reads one file's keys, each check failing with the file and the dotted key in the message."""

    def __init__(self, path: Path, languages: tuple[str, ...]) -> None:
        self.path = path
        self.languages = languages

    def fail(self, key: str, problem: str) -> ImproperlyConfigured:
        return ImproperlyConfigured(f"Region bundle {self.path}: {key}: {problem}")

    def table(self, data: Mapping[str, Any], prefix: str, keys: Iterable[str]) -> dict[str, Any]:
        """``data`` checked to hold exactly ``keys``."""
        expected = tuple(keys)
        for key in data:
            if key not in expected:
                raise self.fail(f"{prefix}{key}", f"unknown key (expected one of {', '.join(expected)})")
        for key in expected:
            if key not in data:
                raise self.fail(f"{prefix}{key}", "missing")
        return dict(data)

    def typed(self, key: str, value: Any, kind: type | tuple[type, ...], expected: str) -> Any:
        # bool is an int to Python, never to a bundle.
        if isinstance(value, bool) != (kind is bool) or not isinstance(value, kind):
            raise self.fail(key, f"must be {expected}, not {_toml_type(value)}")
        return value

    def text(self, key: str, value: Any) -> str:
        text: str = self.typed(key, value, str, "a string")
        if not text:
            raise self.fail(key, "must not be empty")
        return text

    def texts(self, key: str, value: Any, check: Callable[[str, str], str]) -> tuple[str, ...]:
        items = self.typed(key, value, list, "a list of strings")
        if not items:
            raise self.fail(key, "must not be empty")
        result = tuple(check(key, self.text(key, item)) for item in items)
        if len(set(result)) != len(result):
            raise self.fail(key, "lists a value twice")
        return result

    def language(self, key: str, code: str) -> str:
        if code not in self.languages:
            raise self.fail(key, f"unknown language {code!r} (expected one of {', '.join(self.languages)})")
        return code

    def channel(self, key: str, name: str) -> str:
        if name not in NOTIFICATION_CHANNELS:
            raise self.fail(key, f"unknown channel {name!r} (expected one of {', '.join(NOTIFICATION_CHANNELS)})")
        return name

    def rate(self, key: str, value: Any) -> Decimal:
        number = Decimal(str(self.typed(key, value, (int, float), "a number")))
        if not 0 <= number <= 100:
            raise self.fail(key, f"must be between 0 and 100 (got {value})")
        return number


def _toml_type(value: Any) -> str:
    names = {bool: "a boolean", int: "an integer", float: "a number", str: "a string", list: "a list", dict: "a table"}
    return names.get(type(value), type(value).__name__)


TOP_KEYS = (
    "languages",
    "default_language",
    "text_direction",
    "currency",
    "number_format",
    "time_zone",
    "vat",
    "compliance",
    "notification_channels",
    "low_bandwidth",
)


def region_parse(path: Path, *, name: str, languages: tuple[str, ...]) -> Region:
    """The bundle in ``path`` for region ``name``, validated; ``languages`` are the codes allowed."""
    bundle = _Bundle(path, languages)
    try:
        with path.open("rb") as handle:
            raw = tomllib.load(handle)
    except FileNotFoundError:
        raise ImproperlyConfigured(f"Region bundle {path}: missing (every region in REGIONS needs one)") from None
    except tomllib.TOMLDecodeError as exc:
        raise ImproperlyConfigured(f"Region bundle {path}: not valid TOML: {exc}") from None
    data = bundle.table(raw, "", TOP_KEYS)

    region_languages = bundle.texts("languages", data["languages"], bundle.language)
    default_language = bundle.language("default_language", bundle.text("default_language", data["default_language"]))
    if default_language not in region_languages:
        raise bundle.fail("default_language", f"{default_language!r} is not in languages")
    direction = bundle.text("text_direction", data["text_direction"])
    if direction not in TEXT_DIRECTIONS:
        raise bundle.fail("text_direction", f"must be one of {', '.join(TEXT_DIRECTIONS)} (got {direction!r})")
    currency = bundle.text("currency", data["currency"])
    if currency not in ISO_4217:
        raise bundle.fail("currency", f"unknown currency {currency!r} (expected an ISO 4217 code such as EUR)")
    time_zone = bundle.text("time_zone", data["time_zone"])
    try:
        zoneinfo.ZoneInfo(time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise bundle.fail("time_zone", f"unknown time zone {time_zone!r}") from None

    numbers = bundle.table(
        bundle.typed("number_format", data["number_format"], dict, "a table"),
        "number_format.",
        ("decimal_separator", "grouping_separator"),
    )
    number_format = NumberFormat(
        decimal_separator=bundle.text("number_format.decimal_separator", numbers["decimal_separator"]),
        grouping_separator=bundle.typed(
            "number_format.grouping_separator", numbers["grouping_separator"], str, "a string"
        ),
    )

    vat_data = bundle.table(
        bundle.typed("vat", data["vat"], dict, "a table"),
        "vat.",
        ("standard_rate", "reduced_rates", "prices_include_tax"),
    )
    reduced = bundle.typed("vat.reduced_rates", vat_data["reduced_rates"], dict, "a table")
    vat = VatRules(
        standard_rate=bundle.rate("vat.standard_rate", vat_data["standard_rate"]),
        reduced_rates=MappingProxyType(
            {rate_name: bundle.rate(f"vat.reduced_rates.{rate_name}", value) for rate_name, value in reduced.items()}
        ),
        prices_include_tax=bundle.typed("vat.prices_include_tax", vat_data["prices_include_tax"], bool, "a boolean"),
    )

    compliance_data = bundle.table(
        bundle.typed("compliance", data["compliance"], dict, "a table"),
        "compliance.",
        (*COMPLIANCE_FEATURES, "retention_days"),
    )
    retention_days = bundle.typed("compliance.retention_days", compliance_data["retention_days"], int, "an integer")
    if retention_days < 0:
        raise bundle.fail("compliance.retention_days", f"must be 0 or more (got {retention_days})")
    compliance = Compliance(
        features=frozenset(
            feature
            for feature in COMPLIANCE_FEATURES
            if bundle.typed(f"compliance.{feature}", compliance_data[feature], bool, "a boolean")
        ),
        retention_days=retention_days,
    )

    return Region(
        name=name,
        languages=region_languages,
        default_language=default_language,
        text_direction=direction,
        currency=currency,
        number_format=number_format,
        time_zone=time_zone,
        vat=vat,
        compliance=compliance,
        notification_channels=bundle.texts("notification_channels", data["notification_channels"], bundle.channel),
        low_bandwidth=bundle.typed("low_bandwidth", data["low_bandwidth"], bool, "a boolean"),
    )


def regions_load(directory: Path = BUNDLES_DIR, *, languages: Iterable[str] | None = None) -> dict[str, Region]:
    """Every region's bundle from ``directory``, validated; a file that is no region's is an error too.

    ``languages`` defaults to the codes of ``settings.LANGUAGES``.
    """
    if languages is None:
        from django.conf import settings

        languages = [code for code, _name in settings.LANGUAGES]
    allowed = tuple(languages)
    for path in sorted(directory.glob("*.toml")):
        if path.stem not in REGIONS:
            raise ImproperlyConfigured(f"Region bundle {path}: not a region (REGIONS lists {', '.join(REGIONS)})")
    return {name: region_parse(directory / f"{name}.toml", name=name, languages=allowed) for name in REGIONS}


@cache
def region_bundles() -> Mapping[str, Region]:
    """Every region's bundle, parsed once per process."""
    return MappingProxyType(regions_load())


def region_get(name: str) -> Region:
    """The bundle of region ``name``; a name that is no region's raises ``KeyError``."""
    return region_bundles()[name]
