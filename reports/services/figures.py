"""Writes: importing official figures and officer strength from a parsed file."""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field

from django.db import transaction

from reports.choices import FigureBasis, SourceKind
from reports.importing import FigureRow, ParsedFile, StrengthRow
from reports.models import OfficerStrength, OfficialFigure
from reports.periods import financial_year_label
from reports.selectors import area_names, figure_preference, figure_source_text, official_figures_ranked
from reports.services.snapshots import snapshots_from_tallies

logger = logging.getLogger(__name__)


@dataclass
class ImportPlan:
    """What an import does (or a dry run would do), with the values, for a person to check."""

    new: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    # From the file: partial years left out, England and Wales derived and checked.
    notes: list[str] = field(default_factory=list)

    @property
    def changes(self) -> int:
        return len(self.new) + len(self.changed)


class ImportRefused(Exception):
    """The file has problems: nothing was imported."""


@dataclass(frozen=True)
class Release:
    """Where a file's figures come from: one release, of one kind of source."""

    title: str
    published_on: datetime.date
    source_kind: str
    url: str = ""


@transaction.atomic
def official_figures_import(*, parsed: ParsedFile, release: Release, dry_run: bool = False) -> ImportPlan:
    """Import every figure of a clean file, or nothing; importing it again changes nothing.

    A figure is kept under its release (title and date): a newer release, or a more
    authoritative source, takes over as the figure used, and the others stay on record. The
    plan says so for each figure, with the values.
    """
    if parsed.problems:
        raise ImportRefused(f"{len(parsed.problems)} problems in the file; nothing was imported.")
    plan = ImportPlan(notes=list(parsed.notes))
    stale: set[tuple[str, int]] = set()
    names = area_names()
    ranked = official_figures_ranked({(row.area, row.financial_year) for row in parsed.figures})
    for row in parsed.figures:
        key = (row.area, row.financial_year)
        label = f"{names.get(row.area, row.area)} {financial_year_label(row.financial_year)}"
        figure = _figure_for(row, release)
        values = {name: getattr(figure, name) for name in FIGURE_FIELDS}
        candidates = ranked.get(key, [])
        existing = next(
            (f for f in candidates if (f.source_title, f.published_on) == (figure.source_title, figure.published_on)),
            None,
        )
        if existing is not None and all(getattr(existing, name) == value for name, value in values.items()):
            plan.unchanged.append(f"{label}: {_figure_text(existing)}")
            continue
        others = [f for f in candidates if f is not existing]
        if existing is None:
            plan.new.append(f"{label}: {_figure_text(figure)}{_standing(figure, others)}")
        else:
            change = f"{_figure_text(existing)} → {_figure_text(figure)}"
            plan.changed.append(f"{label}: {change}{_standing(figure, others)}")
            figure.pk = existing.pk
            figure.imported_at = existing.imported_at
        if not dry_run:
            # The fields' own checks; the parser checked the basis against the counts, and the
            # database holds the constraints (Django would run a query for each of them).
            figure.full_clean(validate_unique=False, validate_constraints=False)
            figure.save()
            stale.add(key)
    for strength in parsed.strengths:
        if _strength_import(strength, release, plan, names, dry_run=dry_run):
            stale.add((strength.area, strength.as_at.year - 1))
    # The years whose figures changed, rebuilt from the tallies in this transaction.
    snapshots_from_tallies({year for _area, year in stale})
    logger.info("official figures import new=%s changed=%s dry_run=%s", len(plan.new), len(plan.changed), dry_run)
    return plan


FIGURE_FIELDS = (
    "with_injury",
    "without_injury",
    "total",
    "basis",
    "missing_areas",
    "derived",
    "source_kind",
    "source_url",
    "note",
)


def _figure_for(row: FigureRow, release: Release) -> OfficialFigure:
    return OfficialFigure(
        area=row.area,
        financial_year=row.financial_year,
        with_injury=row.with_injury,
        without_injury=row.without_injury,
        total=row.total,
        basis=row.basis,
        missing_areas=row.missing_areas,
        derived=row.derived,
        source_kind=row.source_kind or release.source_kind,
        source_title=row.source_title or release.title,
        source_url=row.source_url or release.url,
        published_on=row.published_on or release.published_on,
        note=row.note,
    )


def _figure_text(figure: OfficialFigure) -> str:
    """ "1,057 (198 with injury + 859 without), 8S + 104, whole force, whole year"."""
    count = figure.count
    if figure.with_injury is not None and figure.without_injury is not None:
        text = f"{count:,} ({figure.with_injury:,} with injury + {figure.without_injury:,} without)"
    elif figure.with_injury is not None:
        text = f"{figure.with_injury:,} with injury" + (f" of {count:,}" if count is not None else "")
    elif figure.without_injury is not None:
        text = f"{figure.without_injury:,} without injury" + (f" of {count:,}" if count is not None else "")
    else:
        text = f"{count:,}"
    return f"{text}, {FigureBasis(figure.basis).label}, {SourceKind(figure.source_kind).label}"


def _standing(figure: OfficialFigure, others: list[OfficialFigure]) -> str:
    """Whether the figure becomes the one used, and over which; or which stays in use."""
    if not others:
        return ""
    best = max(others, key=figure_preference)
    shown = "a figure" if best.count is None else f"{best.count:,}"
    # Without the row id (the new figure has none yet): at a tie the newer import wins.
    if figure_preference(figure)[:-1] >= figure_preference(best)[:-1]:
        return f"; used in place of {shown} from {figure_source_text(best)}"
    return f"; kept on record, while {shown} from {figure_source_text(best)} stays in use"


def _strength_import(
    row: StrengthRow, release: Release, plan: ImportPlan, names: dict[str, str], *, dry_run: bool
) -> bool:
    """Plan (and unless a dry run, write) one officer-strength figure; True if it changed."""
    label = f"{names.get(row.area, row.area)} officers on {row.as_at.day} {row.as_at:%B %Y}"
    values = {
        "officers_fte": row.officers_fte,
        "officers_headcount": row.officers_headcount,
        "source_url": row.source_url or release.url,
    }
    existing = OfficerStrength.objects.filter(
        area=row.area, as_at=row.as_at, source_title=release.title, published_on=release.published_on
    ).first()
    text = f"{row.officers_fte:,} full-time equivalent"
    if existing is not None and all(getattr(existing, name) == value for name, value in values.items()):
        plan.unchanged.append(f"{label}: {text}")
        return False
    if existing is None:
        plan.new.append(f"{label}: {text}")
        existing = OfficerStrength(
            area=row.area, as_at=row.as_at, source_title=release.title, published_on=release.published_on
        )
    else:
        plan.changed.append(f"{label}: {existing.officers_fte:,} → {text}")
    if not dry_run:
        for name, value in values.items():
            setattr(existing, name, value)
        existing.save()
    return True
