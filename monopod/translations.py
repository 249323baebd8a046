"""MonoPod's translation catalogues: bring them up to date, and check that they are complete.

``python -m monopod.translations update`` (``make messages``) extracts every message of MonoPod's own
code and templates with Django's ``makemessages`` into ``locale/<language>/LC_MESSAGES/*.po`` for
each language but the source one, then compiles them with ``compilemessages``.

``python -m monopod.translations check`` (part of ``make check``) extracts the messages again into a
temporary copy and fails, naming each message and language, when a message is missing from a
catalogue, untranslated, fuzzy, no longer in the source, or translated with other placeholders than
its original; and when a compiled ``.mo`` is missing or holds other translations than its ``.po``.
Extraction needs GNU gettext (``xgettext``, ``msgmerge``); the check itself reads the catalogues with
polib, so it does not depend on how ``msgfmt`` lays out a ``.mo``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

import polib

# The directories holding MonoPod's own messages; tests, deploy, docs and the virtualenv are not the UI.
SOURCE_DIRS = ("apps", "monopod", "templates", "static")
# Migrations hold nothing people read; third-party code (static/vendor) is not even copied.
IGNORE_PATTERNS = ["migrations/*"]
DOMAINS = ("django", "djangojs")

# A printf-style placeholder (``%(name)s``, ``%s``, ``%d``) and a brace one (``{name}``).
_PRINTF = re.compile(r"%(?:\((?P<name>\w+)\))?[-#0 +]*\d*(?:\.\d+)?(?P<type>[diouxXeEfFgGcrsa%])")
_BRACE = re.compile(r"(?<!\{)\{(\w*)\}(?!\})")

Key = tuple[str | None, str]


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "monopod.settings.development")
    import django

    django.setup()


def target_languages() -> list[str]:
    """Every language MonoPod offers but the one its messages are written in."""
    from django.conf import settings

    return [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def _copy_sources(source_dir: Path, workdir: Path) -> None:
    for name in SOURCE_DIRS:
        if (source_dir / name).is_dir():
            shutil.copytree(
                source_dir / name, workdir / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "vendor")
            )


def extract(*, source_dir: Path, locale_dir: Path, workdir: Path, languages: Sequence[str]) -> Path:
    """Run makemessages over a copy of the sources, merging into a copy of ``locale_dir``; returns the copy's locale."""
    from django.core.management import call_command
    from django.test.utils import override_settings

    _copy_sources(source_dir, workdir)
    work_locale = workdir / "locale"
    if locale_dir.is_dir():
        shutil.copytree(locale_dir, work_locale, ignore=shutil.ignore_patterns("*.mo"))
    work_locale.mkdir(exist_ok=True)
    # makemessages writes into the locale directory of the tree it walks: the copy, never the real one.
    with contextlib.chdir(workdir), override_settings(LOCALE_PATHS=[str(work_locale)]):
        for domain in DOMAINS:
            call_command(
                "makemessages",
                locale=list(languages),
                domain=domain,
                ignore_patterns=IGNORE_PATTERNS,
                no_obsolete=True,
                add_location="file",
                keep_pot=True,
                verbosity=0,
            )
    return work_locale


def update(*, source_dir: Path, locale_dir: Path) -> list[Path]:
    """Bring the catalogues in ``locale_dir`` up to date with the sources and compile them."""
    from django.core.management import call_command
    from django.test.utils import override_settings

    languages = target_languages()
    with tempfile.TemporaryDirectory(prefix="monopod-messages-") as tmp:
        work_locale = extract(source_dir=source_dir, locale_dir=locale_dir, workdir=Path(tmp), languages=languages)
        written = []
        for po in sorted(work_locale.glob("*/LC_MESSAGES/*.po")):
            target = locale_dir / po.relative_to(work_locale)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(po, target)
            written.append(target)
    # From inside locale/ and with it as the only locale path: compilemessages compiles every locale
    # directory it finds, and the virtualenv's packages have theirs.
    with contextlib.chdir(locale_dir), override_settings(LOCALE_PATHS=[str(locale_dir)]):
        call_command("compilemessages", locale=languages, verbosity=0)
    return written


def _key(entry: polib.POEntry | polib.MOEntry) -> Key:
    return (entry.msgctxt or None, entry.msgid)


def _label(key: Key) -> str:
    context, msgid = key
    text = msgid if len(msgid) <= 70 else msgid[:67] + "..."
    return f"{text!r}" + (f" (context {context!r})" if context else "")


def _placeholders(text: str, brace: bool) -> tuple[set[str], int]:
    named = set()
    positional = 0
    for match in _PRINTF.finditer(text):
        if match["type"] == "%":
            continue
        if match["name"]:
            named.add(match["name"])
        else:
            positional += 1
    if brace:
        named |= {f"{{{name}}}" for name in _BRACE.findall(text)}
    return named, positional


def _placeholder_problem(entry: polib.POEntry) -> str | None:
    """How a translation's placeholders differ from its original's, if they do."""
    printf = "python-format" in entry.flags
    brace = "python-brace-format" in entry.flags
    if not (printf or brace):
        return None
    if not entry.msgid_plural:
        expected = _placeholders(entry.msgid, brace)
        found = _placeholders(entry.msgstr, brace)
        if found != expected:
            return (
                f"placeholders {sorted(found[0])} and {found[1]} positional,"
                f" expected {sorted(expected[0])} and {expected[1]} positional"
            )
        return None
    # A plural form may leave out the number (Arabic's "one product"), never bring an unknown placeholder.
    allowed = _placeholders(entry.msgid, brace)[0] | _placeholders(entry.msgid_plural, brace)[0]
    for index, text in sorted(entry.msgstr_plural.items()):
        unknown = _placeholders(text, brace)[0] - allowed
        if unknown:
            return f"plural form {index} has unknown placeholders {sorted(unknown)}"
    return None


def _compiled(entries: Iterable[polib.POEntry | polib.MOEntry]) -> dict[Key, tuple[str, ...]]:
    compiled: dict[Key, tuple[str, ...]] = {}
    for entry in entries:
        if entry.msgid_plural:
            compiled[_key(entry)] = tuple(text for _index, text in sorted(entry.msgstr_plural.items()))
        else:
            compiled[_key(entry)] = (entry.msgstr,)
    return compiled


def _mo_problems(po_path: Path, po: polib.POFile) -> list[str]:
    mo_path = po_path.with_suffix(".mo")
    name = mo_path.name
    if not mo_path.exists():
        return [f"{name} is missing: run `make messages`"]
    mo = polib.mofile(str(mo_path))
    # Compared by content rather than by date: a git checkout gives both files the time of the checkout.
    expected = _compiled(entry for entry in po.translated_entries() if not entry.obsolete)
    if _compiled(mo) != expected or mo.metadata.get("Plural-Forms") != po.metadata.get("Plural-Forms"):
        return [f"{name} is older than or differs from {po_path.name}: run `make messages`"]
    return []


def _catalogue_problems(po_path: Path, extracted: dict[Key, polib.POEntry]) -> list[str]:
    po = polib.pofile(str(po_path))
    problems = []
    if po.metadata_is_fuzzy:
        problems.append(f"{po_path.name}: the header is marked fuzzy")
    nplurals = _nplurals(po.metadata.get("Plural-Forms", ""))
    committed = {_key(entry): entry for entry in po if not entry.obsolete}
    for key in extracted:
        entry = committed.get(key)
        if entry is None:
            problems.append(f"missing: {_label(key)}")
        elif entry.fuzzy:
            problems.append(f"fuzzy: {_label(key)}")
        elif not entry.translated() or (entry.msgid_plural and len(entry.msgstr_plural) != nplurals):
            problems.append(f"untranslated: {_label(key)}")
        elif problem := _placeholder_problem(entry):
            problems.append(f"wrong placeholders: {_label(key)}: {problem}")
    problems += [f"no longer in the source: {_label(key)}" for key in committed if key not in extracted]
    return problems + _mo_problems(po_path, po)


def _nplurals(plural_forms: str) -> int | None:
    match = re.search(r"nplurals\s*=\s*(\d+)", plural_forms)
    return int(match[1]) if match else None


def check(*, source_dir: Path, locale_dir: Path) -> list[str]:
    """Every problem of the catalogues in ``locale_dir`` against the sources, as ``language: problem`` lines."""
    languages = target_languages()
    problems = []
    with tempfile.TemporaryDirectory(prefix="monopod-messages-") as tmp:
        work_locale = extract(source_dir=source_dir, locale_dir=locale_dir, workdir=Path(tmp), languages=languages)
        for domain in DOMAINS:
            pot = work_locale / f"{domain}.pot"
            extracted = {_key(entry): entry for entry in polib.pofile(str(pot))} if pot.exists() else {}
            for language in languages:
                po_path = locale_dir / language / "LC_MESSAGES" / f"{domain}.po"
                if not po_path.exists():
                    if extracted:
                        problems.append(f"{language}: {domain}.po is missing ({len(extracted)} to translate)")
                    continue
                problems += [f"{language}: {domain}: {problem}" for problem in _catalogue_problems(po_path, extracted)]
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m monopod.translations", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["check", "update"])
    parser.add_argument("--source-dir", type=Path, help="The tree to extract messages from (the project's).")
    parser.add_argument("--locale-dir", type=Path, help="The catalogues (the project's locale/).")
    args = parser.parse_args(argv)
    _setup_django()
    from django.conf import settings

    source_dir = (args.source_dir or Path(settings.BASE_DIR)).resolve()
    locale_dir = (args.locale_dir or source_dir / "locale").resolve()
    if args.command == "update":
        for path in update(source_dir=source_dir, locale_dir=locale_dir):
            print(f"updated {path}")
        return 0
    problems = check(source_dir=source_dir, locale_dir=locale_dir)
    for problem in problems:
        print(problem)
    if problems:
        count = f"{len(problems)} translation problem{'s' if len(problems) > 1 else ''}"
        print(f"{count}: run `make messages`, translate, run it again (docs/development.md)")
        return 1
    print("Translations are complete.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
