"""Sections other apps add to a report's review page, below its record.

incidents never imports the apps built on it (tests/test_import_cycles.py), so they register
here from their AppConfig.ready(): reports adds the recording check's answers. A section is a
function of the report and the staff user looking at it, returning a rendered template (safe
HTML; plain text would be shown escaped), or "" to show nothing: each decides who may see it.
"""

from __future__ import annotations

from collections.abc import Callable

from incidents.models import Incident, User

Section = Callable[[Incident, User], str]

REVIEW_PAGE_SECTIONS: list[Section] = []


def review_page_section_register(section: Section) -> None:
    """Add ``section`` to every report's review page (once, however often ready() runs)."""
    if section not in REVIEW_PAGE_SECTIONS:
        REVIEW_PAGE_SECTIONS.append(section)


def review_page_sections(incident: Incident, user: User) -> list[str]:
    """The sections ``user`` may see on ``incident``'s review page, in the order registered."""
    return [html for section in REVIEW_PAGE_SECTIONS if (html := section(incident, user))]
