"""The catalogues (locale/cy, locale/en_GB): what makemessages reads, and the checks on them.

One place for the options, so `make messages` and the test that fails on a stale catalogue
(tests/test_translations.py) run makemessages the same way. Dev tools only: polib is a dev
requirement, imported by the functions that use it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.conf import settings

LOCALES = ["cy", "en_GB"]
# The code officers never see (tests, benchmarks, docs, collected static files) is not scanned.
# The review admin stays in English, so nothing in it is marked.
MAKEMESSAGES_OPTIONS: dict[str, Any] = {
    "locale": LOCALES,
    "domain": "django",
    "extensions": ["html", "txt", "py"],
    "ignore_patterns": [
        "tests/*",
        "bench/*",
        "docs/*",
        "staticfiles/*",
        "scripts/*",
        "node_modules/*",
        "templates/admin/*",
    ],
    "no_location": True,
    "no_obsolete": True,
    "verbosity": 0,
}
# Django's own Welsh catalogue's plural rule: one, two, other than 8 and 11, eight and eleven.
WELSH_PLURAL_FORMS = "nplurals=4; plural=(n==1) ? 0 : (n==2) ? 1 : (n != 8 && n != 11) ? 2 : 3;"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|%[sdif]|\{(\w*)\}")


def catalogue_path(locale: str, base: Path | None = None) -> Path:
    return (base or Path(settings.BASE_DIR)) / "locale" / locale / "LC_MESSAGES" / "django.po"


def placeholders(text: str) -> list[str]:
    """The format placeholders a string uses, sorted (a translation must keep every one)."""
    return sorted(match.group(0) for match in PLACEHOLDER.finditer(text))


def fill_english(path: Path) -> int:
    """The English catalogue's translation of each entry is its msgid (msgen): complete, so a
    missing entry is told apart from an English one. Returns how many entries it filled."""
    import polib

    catalogue = polib.pofile(str(path))
    filled = 0
    for entry in catalogue:
        if entry.msgid_plural:
            if not all(entry.msgstr_plural.values()) or not entry.msgstr_plural:
                entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
                filled += 1
        elif not entry.msgstr:
            entry.msgstr = entry.msgid
            filled += 1
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
            entry.msgstr = entry.msgid
    catalogue.save()
    return filled


def header_set(path: Path, locale: str) -> None:
    """The catalogue's header: the project, the language, and for Welsh Django's plural rule."""
    import polib

    catalogue = polib.pofile(str(path))
    catalogue.header = f"Assault Log: {'Welsh' if locale == 'cy' else 'English'} catalogue (docs/welsh.md)."
    catalogue.metadata_is_fuzzy = False
    catalogue.metadata["Project-Id-Version"] = "Assault Log"
    catalogue.metadata["Language"] = locale
    catalogue.metadata.pop("Last-Translator", None)
    catalogue.metadata.pop("Language-Team", None)
    catalogue.metadata.pop("PO-Revision-Date", None)
    if locale == "cy":
        catalogue.metadata["Plural-Forms"] = WELSH_PLURAL_FORMS
    catalogue.save()


def compile_catalogue(path: Path) -> None:
    import polib

    polib.pofile(str(path)).save_as_mofile(str(path.with_suffix(".mo")))
