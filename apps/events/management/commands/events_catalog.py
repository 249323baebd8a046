"""Print, write or check docs/events.md, the event catalog generated from the registry."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.events.catalog import catalog_markdown


class Command(BaseCommand):
    help = "Print the event catalog; --write updates docs/events.md, --check fails when it is out of date."

    def add_arguments(self, parser: CommandParser) -> None:
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--write", action="store_true", help="Write docs/events.md.")
        mode.add_argument("--check", action="store_true", help="Exit 1 when docs/events.md differs.")

    def handle(self, *args: Any, write: bool = False, check: bool = False, **options: Any) -> None:
        path = Path(settings.BASE_DIR) / "docs" / "events.md"
        text = catalog_markdown()
        if write:
            path.write_text(text)
            self.stdout.write(f"Wrote {path.relative_to(settings.BASE_DIR)}.")
        elif check:
            if not path.exists() or path.read_text() != text:
                raise CommandError("docs/events.md is out of date: run `python manage.py events_catalog --write`.")
            self.stdout.write("docs/events.md is up to date.")
        else:
            self.stdout.write(text, ending="")
