"""The translations check (``make check``) fails on each missing, untranslated or fuzzy message per language."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

from monopod import translations
from tests.services import require

TEMPLATE = """{% load i18n %}<h1>{% translate "Invoice" %}</h1>
<p>{% blocktranslate count counter=lines %}{{ counter }} line{% plural %}{{ counter }} lines{% endblocktranslate %}</p>
"""
MODULE = """from django.utils.translation import gettext as _


def paid_by(name: str) -> str:
    return _("Paid by %(name)s") % {"name": name}
"""
# Per language: the translation of each message, plural forms as lists.
COMPLETE = {
    "ar": {
        "Paid by %(name)s": "دفعها %(name)s",
        "Invoice": "فاتورة",
        "%(counter)s line": ["لا بنود", "بند واحد", "بندان", "%(counter)s بنود", "%(counter)s بندًا", "%(counter)s بند"],
    },
    "fr": {
        "Paid by %(name)s": "Payée par %(name)s",
        "Invoice": "Facture",
        "%(counter)s line": ["%(counter)s ligne", "%(counter)s lignes"],
    },
    "de": {
        "Paid by %(name)s": "Bezahlt von %(name)s",
        "Invoice": "Rechnung",
        "%(counter)s line": ["%(counter)s Position", "%(counter)s Positionen"],
    },
}
MESSAGES = ("Paid by %(name)s", "Invoice", "%(counter)s line")  # in the order makemessages finds them
PLURAL_FORMS = {
    "ar": "nplurals=6; plural=n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5;",
    "fr": "nplurals=2; plural=(n > 1);",
    "de": "nplurals=2; plural=(n != 1);",
}


@pytest.fixture(autouse=True)
def _gettext() -> None:
    require(shutil.which("xgettext") is not None, "GNU gettext (xgettext) is not installed")


@pytest.fixture
def source(tmp_path: Path) -> Path:
    """A tree with one template and one module, as MonoPod's own are laid out."""
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "invoice.html").write_text(TEMPLATE)
    (tmp_path / "apps" / "billing").mkdir(parents=True)
    (tmp_path / "apps" / "billing" / "labels.py").write_text(MODULE)
    return tmp_path


def write_catalogue(locale: Path, language: str, messages: dict[str, str | list[str]], *, fuzzy: tuple[str, ...] = ()):
    """A .po for ``messages`` and its .mo compiled from it."""
    po = polib.POFile()
    po.metadata = {
        "Content-Type": "text/plain; charset=UTF-8",
        "Language": language,
        "Plural-Forms": PLURAL_FORMS[language],
    }
    for msgid, translated in messages.items():
        flags = ["python-format"] if "%(" in msgid else []
        if msgid in fuzzy:
            flags.append("fuzzy")
        if isinstance(translated, list):
            entry = polib.POEntry(
                msgid=msgid,
                msgid_plural=msgid.replace("line", "lines"),
                msgstr_plural=dict(enumerate(translated)),
                flags=flags,
            )
        else:
            entry = polib.POEntry(msgid=msgid, msgstr=translated, flags=flags)
        po.append(entry)
    directory = locale / language / "LC_MESSAGES"
    directory.mkdir(parents=True, exist_ok=True)
    po.save(str(directory / "django.po"))
    po.save_as_mofile(str(directory / "django.mo"))
    return directory


def run_check(source: Path, capsys) -> tuple[int, list[str]]:
    status = translations.main(["check", "--source-dir", str(source), "--locale-dir", str(source / "locale")])
    return status, capsys.readouterr().out.splitlines()


def test_a_complete_catalogue_passes(source, capsys):
    for language, messages in COMPLETE.items():
        write_catalogue(source / "locale", language, messages)

    assert run_check(source, capsys) == (0, ["Translations are complete."])


def test_each_missing_untranslated_fuzzy_or_stale_message_is_named_per_language(source, capsys):
    locale = source / "locale"
    write_catalogue(locale, "ar", {key: value for key, value in COMPLETE["ar"].items() if key != "Invoice"})
    write_catalogue(locale, "fr", COMPLETE["fr"], fuzzy=("Invoice",))
    write_catalogue(locale, "de", {**COMPLETE["de"], "Invoice": "", "Receipt": "Quittung"})

    status, lines = run_check(source, capsys)

    assert status == 1
    assert lines == [
        "ar: django: missing: 'Invoice'",
        "fr: django: fuzzy: 'Invoice'",
        "de: django: untranslated: 'Invoice'",
        "de: django: no longer in the source: 'Receipt'",
        "4 translation problems: run `make messages`, translate, run it again (docs/development.md)",
    ]


def test_a_plural_needs_every_form_of_its_language(source, capsys):
    write_catalogue(source / "locale", "fr", COMPLETE["fr"])
    write_catalogue(source / "locale", "de", COMPLETE["de"])
    write_catalogue(source / "locale", "ar", {**COMPLETE["ar"], "%(counter)s line": ["لا بنود", "بند واحد"]})

    status, lines = run_check(source, capsys)

    assert (status, lines[:-1]) == (1, ["ar: django: untranslated: '%(counter)s line'"])


def test_a_translation_must_keep_its_placeholders(source, capsys):
    write_catalogue(source / "locale", "ar", COMPLETE["ar"])
    write_catalogue(source / "locale", "de", COMPLETE["de"])
    write_catalogue(source / "locale", "fr", {**COMPLETE["fr"], "Paid by %(name)s": "Payée par %(nom)s"})

    status, lines = run_check(source, capsys)

    assert (status, lines[:-1]) == (
        1,
        [
            "fr: django: wrong placeholders: 'Paid by %(name)s': placeholders ['nom'] and 0 positional,"
            " expected ['name'] and 0 positional"
        ],
    )


def test_a_compiled_catalogue_must_match_its_po(source, capsys):
    for language, messages in COMPLETE.items():
        write_catalogue(source / "locale", language, messages)
    po_path = source / "locale" / "de" / "LC_MESSAGES" / "django.po"
    po = polib.pofile(str(po_path))
    po.find("Invoice").msgstr = "Faktura"
    po.save(str(po_path))
    (source / "locale" / "fr" / "LC_MESSAGES" / "django.mo").unlink()

    status, lines = run_check(source, capsys)

    assert (status, lines[:-1]) == (
        1,
        [
            "fr: django: django.mo is missing: run `make messages`",
            "de: django: django.mo is older than or differs from django.po: run `make messages`",
        ],
    )


def test_a_missing_catalogue_is_named_with_its_message_count(source, capsys):
    write_catalogue(source / "locale", "ar", COMPLETE["ar"])
    write_catalogue(source / "locale", "de", COMPLETE["de"])

    assert run_check(source, capsys)[1][:-1] == ["fr: django.po is missing (3 to translate)"]


def test_the_command_exits_non_zero_with_its_findings(source):
    write_catalogue(source / "locale", "ar", COMPLETE["ar"])
    write_catalogue(source / "locale", "fr", COMPLETE["fr"])
    write_catalogue(source / "locale", "de", {**COMPLETE["de"], "Invoice": ""})
    command = [sys.executable, "-m", "monopod.translations", "check", "--source-dir", str(source)]

    finished = subprocess.run(
        command,
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "monopod.settings.test"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert finished.returncode == 1
    assert finished.stdout.splitlines() == [
        "de: django: untranslated: 'Invoice'",
        "1 translation problem: run `make messages`, translate, run it again (docs/development.md)",
    ]


def test_update_makes_a_compiled_catalogue_per_language_for_translators_to_fill(source, capsys):
    status = translations.main(["update", "--source-dir", str(source)])
    capsys.readouterr()

    assert status == 0
    assert sorted(path.relative_to(source).as_posix() for path in (source / "locale").rglob("*.[mp]o")) == [
        f"locale/{language}/LC_MESSAGES/django.{suffix}" for language in ("ar", "de", "fr") for suffix in ("mo", "po")
    ]
    arabic = polib.pofile(str(source / "locale" / "ar" / "LC_MESSAGES" / "django.po"))
    assert arabic.metadata["Plural-Forms"] == (
        "nplurals=6; plural=n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : "
        "n%100>=3 && n%100<=10 ? 3 : n%100>=11 && n%100<=99 ? 4 : 5;"
    )
    assert run_check(source, capsys)[1][:-1] == [
        line
        for language in ("ar", "fr", "de")
        for line in [
            f"{language}: django: django.po: the header is marked fuzzy",
            *(f"{language}: django: untranslated: {message!r}" for message in MESSAGES),
        ]
    ]
