"""Bring the catalogues up to date with the code: `make messages`."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from config import translations


class Command(BaseCommand):
    help = "Update locale/cy and locale/en_GB from the code, fill the English catalogue, compile both."

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("makemessages", **translations.MAKEMESSAGES_OPTIONS)
        for locale in translations.LOCALES:
            translations.header_set(translations.catalogue_path(locale), locale)
        filled = translations.fill_english(translations.catalogue_path("en_GB"))
        import polib

        welsh = polib.pofile(str(translations.catalogue_path("cy")))
        missing = [entry for entry in welsh if not entry.translated() or "fuzzy" in entry.flags]
        for locale in translations.LOCALES:
            translations.compile_catalogue(translations.catalogue_path(locale))
        self.stdout.write(f"English: {filled} new entries filled. Welsh: {len(missing)} entries need Welsh.")
        for entry in missing:
            self.stdout.write(f"  needs Welsh: {entry.msgid[:100]!r}")
