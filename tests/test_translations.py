"""The Welsh and English catalogues are complete and current (docs/welsh.md).

A new English string cannot land untranslated: makemessages run on the code must leave the
catalogues as they are, every entry has its Welsh (and its English), none is fuzzy, the Welsh
keeps every placeholder, and the compiled catalogues are the ones the .po files make.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation

from config import translations

BASE = Path(settings.BASE_DIR)


def entries(locale: str, base: Path = BASE) -> list[polib.POEntry]:
    return list(polib.pofile(str(translations.catalogue_path(locale, base))))


def key(entry: polib.POEntry) -> tuple[str, str, str]:
    return (entry.msgctxt or "", entry.msgid, entry.msgid_plural or "")


@pytest.mark.parametrize("locale", translations.LOCALES)
def test_every_entry_is_translated_and_none_is_fuzzy(locale: str) -> None:
    catalogue = polib.pofile(str(translations.catalogue_path(locale)))
    assert len(catalogue) > 300, "the catalogue holds the officer's side"
    untranslated = [entry.msgid[:80] for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid[:80] for entry in catalogue.fuzzy_entries()]
    obsolete = [entry.msgid[:80] for entry in catalogue.obsolete_entries()]
    assert not untranslated, f"{locale}: no translation for {untranslated}"
    assert not fuzzy, f"{locale}: fuzzy entries {fuzzy}"
    assert not obsolete, f"{locale}: obsolete entries {obsolete}"
    assert not catalogue.metadata_is_fuzzy


def test_welsh_has_four_plural_forms_as_django_does() -> None:
    catalogue = polib.pofile(str(translations.catalogue_path("cy")))
    assert catalogue.metadata["Plural-Forms"] == translations.WELSH_PLURAL_FORMS
    for entry in catalogue:
        if entry.msgid_plural:
            assert sorted(entry.msgstr_plural) == [0, 1, 2, 3], entry.msgid
            assert all(entry.msgstr_plural.values()), entry.msgid


def test_welsh_keeps_every_placeholder_and_tag() -> None:
    lost = []
    for entry in entries("cy"):
        if entry.msgid_plural:
            expected = translations.placeholders(entry.msgid_plural)
            forms = list(entry.msgstr_plural.values())
        else:
            expected = translations.placeholders(entry.msgid)
            forms = [entry.msgstr]
        for form in forms:
            # A plural's singular may drop the count ("un adroddiad"); every other name stays.
            missing = set(expected) - set(translations.placeholders(form))
            if entry.msgid_plural:
                missing -= {"%(counter)s", "%(count)s", "%d", "{count}"}
            if missing or form.count("<") != (entry.msgid_plural or entry.msgid).count("<"):
                lost.append((entry.msgid[:60], form[:60]))
    assert not lost


def test_welsh_is_not_the_english() -> None:
    """A translation left as the English (copied to silence the check) is not Welsh. Names,
    symbols and single words shared by both languages are allowed."""
    same = [
        entry.msgid
        for entry in entries("cy")
        if not entry.msgid_plural and entry.msgstr == entry.msgid and len(entry.msgid.split()) > 2
    ]
    assert not same, f"left in English: {same[:10]}"


@pytest.mark.parametrize("locale", translations.LOCALES)
def test_compiled_catalogue_is_the_po_file(locale: str) -> None:
    path = translations.catalogue_path(locale)
    compiled = {
        (e.msgctxt or "", e.msgid): (e.msgstr, e.msgstr_plural) for e in polib.mofile(str(path.with_suffix(".mo")))
    }
    source = {(e.msgctxt or "", e.msgid): (e.msgstr, e.msgstr_plural) for e in polib.pofile(str(path)) if e.msgid}
    compiled.pop(("", ""), None)
    assert compiled == source, "run `make messages` to compile the catalogues"


def test_django_uses_the_welsh_catalogue() -> None:
    with translation.override("cy"):
        assert translation.gettext("My reports") != "My reports"
        # Django's own catalogue still answers for its strings.
        assert translation.gettext("This field is required.") != "This field is required."


@pytest.mark.skipif(
    not shutil.which("xgettext") and not os.environ.get("CI"),
    reason="GNU gettext (apt-get install gettext) runs makemessages; CI installs it",
)
def test_makemessages_leaves_the_catalogues_unchanged(tmp_path: Path) -> None:
    """makemessages, run on a copy of the code as `make messages` runs it, finds no string the
    catalogues lack and none they hold that the code no longer uses."""
    copy = tmp_path / "project"
    skipped = shutil.ignore_patterns("staticfiles", "node_modules", "*.pyc", "__pycache__", "*.sqlite3*")

    def ignore(directory: str, names: list[str]) -> set[str]:
        return {name for name in names if name.startswith(".")} | skipped(directory, names)

    shutil.copytree(BASE, copy, ignore=ignore)
    script = (
        "import django; django.setup();"
        "from django.core.management import call_command;"
        "from config import translations;"
        "call_command('makemessages', **translations.MAKEMESSAGES_OPTIONS)"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DATABASE_URL": "sqlite:///:memory:"}
    subprocess.run([sys.executable, "-c", script], cwd=copy, env=env, check=True, timeout=300)
    for locale in translations.LOCALES:
        wanted = {key(entry) for entry in entries(locale, copy)}
        held = {key(entry) for entry in entries(locale)}
        assert wanted - held == set(), f"{locale}: strings in the code missing from the catalogue"
        assert held - wanted == set(), f"{locale}: strings in the catalogue no longer in the code"
