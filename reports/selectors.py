"""Reads: the grouped counts behind the snapshots, official figures, snapshots for pages."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.db.models import Case, CharField, Count, F, Q, QuerySet, When

from incidents.choices import AssaultKind, Duty, Injury, NotReportedReason, ReportedToForce, Setting, Status
from incidents.models import Force, Incident
from incidents.selectors import officer_profile_for_user, staff_force_ids, staff_is_national
from reports.choices import AUTHORITY, NOT_COMPARED, FigureBasis, SourceKind
from reports.models import NATIONAL, OfficerStrength, OfficialFigure, Snapshot
from reports.periods import financial_year_bounds, financial_year_expression

# Rejected and withdrawn reports, and drafts, are not counted.
NOT_COUNTED = (Status.DRAFT, Status.WITHDRAWN, Status.REJECTED)
Key = tuple[str, int]  # (area, financial year)


def counted_incidents(
    years: Iterable[int] | None = None, force_codes: Iterable[str] | None = None
) -> QuerySet[Incident]:
    incidents = Incident.objects.exclude(status__in=NOT_COUNTED)
    if years is not None:
        span = Q()
        for year in set(years):
            start, end = financial_year_bounds(year)
            span |= Q(occurred_on__gte=start.date(), occurred_on__lt=end.date())
        incidents = incidents.filter(span)
    if force_codes is not None:
        incidents = incidents.filter(force__code__in=set(force_codes))
    return incidents


def _effective_injury() -> Case:
    # The rep's reviewed classification wins where there is one.
    return Case(When(reviewed_injury="", then=F("injury")), default=F("reviewed_injury"), output_field=CharField())


def _breakdown_columns() -> list[tuple[str, str, Q]]:
    """(breakdown, label, condition) for every category counted in the grouped query."""
    columns = [("injury", value, Q(effective_injury=value)) for value in Injury.values]
    columns += [("duty_type", value or "not said", Q(duty_type=value)) for value in [*Duty.values, ""]]
    columns += [("setting", value or "not said", Q(setting=value)) for value in [*Setting.values, ""]]
    columns += [
        ("single_crewed", "yes", Q(single_crewed=True)),
        ("single_crewed", "no", Q(single_crewed=False)),
        ("single_crewed", "not said", Q(single_crewed__isnull=True)),
    ]
    columns += [("what_happened", kind, ~Q(**{f"kind_{i}": 0})) for i, kind in enumerate(AssaultKind.values)]
    columns += [
        ("not_reported_reasons", reason, ~Q(**{f"reason_{i}": 0})) for i, reason in enumerate(NotReportedReason.values)
    ]
    return columns


def incident_counts(incidents: QuerySet[Incident]) -> dict[Key, dict[str, Any]]:
    """Counts and breakdowns per (force code, financial year) in ONE grouped query with
    conditional counts: one scan for every force and year, never a loop over incidents.
    What happened and why not reported are counted from the incident's bit summaries."""
    annotated = incidents.annotate(
        fy=financial_year_expression("occurred_on"),
        effective_injury=_effective_injury(),
        # The rep's reviewed classification wins where there is one.
        effective_kinds=Case(When(reviewed_assault_mask=0, then=F("assault_mask")), default=F("reviewed_assault_mask")),
    )
    annotated = annotated.annotate(
        **{f"kind_{i}": F("effective_kinds").bitand(1 << i) for i in range(len(AssaultKind.values))},
        **{f"reason_{i}": F("reason_mask").bitand(1 << i) for i in range(len(NotReportedReason.values))},
    )
    columns = _breakdown_columns()
    rows = annotated.values("force__code", "fy").annotate(
        logged=Count("id"),
        verified=Count("id", filter=Q(status=Status.VERIFIED)),
        with_injury=Count("id", filter=~Q(effective_injury=Injury.NONE)),
        without_injury=Count("id", filter=Q(effective_injury=Injury.NONE)),
        reported_yes=Count("id", filter=Q(reported_to_force=ReportedToForce.YES)),
        reported_no=Count("id", filter=Q(reported_to_force=ReportedToForce.NO)),
        reported_not_yet=Count("id", filter=Q(reported_to_force=ReportedToForce.NOT_YET)),
        recorded_yes=Count("id", filter=Q(recorded_as_crime="yes")),
        recorded_no=Count("id", filter=Q(recorded_as_crime="no")),
        recorded_dont_know=Count("id", filter=Q(recorded_as_crime="dont_know")),
        **{f"b{n}": Count("id", filter=condition) for n, (_, _, condition) in enumerate(columns)},
    )
    result: dict[Key, dict[str, Any]] = {}
    for row in rows:
        breakdowns: dict[str, dict[str, int]] = defaultdict(dict)
        for n, (name, label, _condition) in enumerate(columns):
            count = row.pop(f"b{n}")
            if count:
                breakdowns[name][label] = count
        key = (row.pop("force__code"), row.pop("fy"))
        result[key] = {"counts": row, "breakdowns": dict(breakdowns)}
    return result


# -- official figures: which one is used, and what it is -------------------------------


def figure_preference(figure: OfficialFigure) -> tuple[bool, bool, int, bool, datetime.date, int]:
    """How strongly a figure claims its area and year, highest first: comparable with the
    entries (a whole-year 8S + 104 total of the whole area), then comparable for one part,
    then the most authoritative source (Home Office, force, federation, press), then England
    and Wales summed from a release's forces over a national total, then the newest release.
    Within one basis this is authority, then date."""
    return (
        figure.compared,
        figure.comparable_part,
        AUTHORITY[SourceKind(figure.source_kind)],
        figure.derived,
        figure.published_on,
        figure.pk or 0,
    )


def official_figures_ranked(keys: Iterable[Key] | None = None) -> dict[Key, list[OfficialFigure]]:
    """Every figure of each (area, year), the one used first; older and lesser ones stay on record."""
    figures = OfficialFigure.objects.all()
    if keys is not None:
        wanted = Q()
        for area, year in set(keys):
            wanted |= Q(area=area, financial_year=year)
        figures = figures.filter(wanted) if wanted else figures.none()
    ranked: dict[Key, list[OfficialFigure]] = defaultdict(list)
    for figure in figures:
        ranked[(figure.area, figure.financial_year)].append(figure)
    for candidates in ranked.values():
        candidates.sort(key=figure_preference, reverse=True)
    return dict(ranked)


def official_figures_current() -> dict[Key, OfficialFigure]:
    """The figure used for each (area, year): see figure_preference."""
    return {key: candidates[0] for key, candidates in official_figures_ranked().items()}


def area_names() -> dict[str, str]:
    return {NATIONAL: "England and Wales", **dict(Force.objects.values_list("code", "short_name"))}


def figure_source_text(figure: OfficialFigure) -> str:
    """Who published it: "Home Office: “...”, released 17 October 2019", or for the press
    "the press (www.bucksherald.co.uk), quoting official figures"."""
    if figure.source_kind == SourceKind.HOME_OFFICE:
        return f"Home Office: “{figure.source_title}”, released {figure.published_on.day} {figure.published_on:%B %Y}"
    host = urlsplit(figure.source_url).hostname if figure.source_url else None
    where = host or f"“{figure.source_title}”"
    if figure.source_kind == SourceKind.FORCE:
        return f"the force's own figures ({where})"
    if figure.source_kind == SourceKind.FEDERATION:
        return f"the Police Federation ({where})"
    return f"the press ({where}), quoting official figures"


def coverage_text(figure: OfficialFigure, names: dict[str, str]) -> str:
    """For England and Wales: how many forces a figure covers, and which are missing."""
    forces = len(names) - 1
    if figure.basis == FigureBasis.PARTIAL_COVERAGE:
        missing = ", ".join(names.get(code, code) for code in figure.missing_areas)
        return f"{forces - len(figure.missing_areas)} of {forces} forces ({missing} missing)"
    if figure.derived:
        return f"{forces} of {forces} forces, summed"
    return f"{forces} of {forces} forces"


def figure_not_compared(figure: OfficialFigure, names: dict[str, str]) -> str | None:
    """Why a figure is shown but not compared with the entries, in words; None if it is."""
    if figure.compared:
        return None
    if figure.basis == FigureBasis.PARTIAL_COVERAGE:
        return f"it covers {coverage_text(figure, names)}, so it is not the whole count"
    if figure.basis in NOT_COMPARED:
        return NOT_COMPARED[FigureBasis(figure.basis)]
    return "it does not give the 8S + 104 total"


def figure_summary(figure: OfficialFigure, names: dict[str, str]) -> dict[str, Any]:
    """The figure as a snapshot keeps it for pages, prints and CSV files."""
    return {
        "total": figure.count,
        "with_injury": figure.with_injury,
        "without_injury": figure.without_injury,
        "basis": figure.basis,
        "basis_label": FigureBasis(figure.basis).label,
        "compared": figure.compared,
        "not_compared": figure_not_compared(figure, names),
        "coverage": coverage_text(figure, names) if figure.area == NATIONAL else None,
        "derived": figure.derived,
        "source_kind": figure.source_kind,
        "source_kind_label": SourceKind(figure.source_kind).label,
        "source": figure_source_text(figure),
        "source_title": figure.source_title,
        "source_url": figure.source_url,
        "published_on": figure.published_on.isoformat(),
    }


def national_check(candidates: list[OfficialFigure]) -> dict[str, Any] | None:
    """England and Wales summed from the forces, against the best national total published as
    such (another release's, or the same file's): the difference, if any, is shown."""
    used = candidates[0] if candidates else None
    if used is None or not used.derived or used.count is None:
        return None
    published = next((f for f in candidates if not f.derived and f.compared and f.count is not None), None)
    if published is None:
        return None
    return {
        "published_total": published.count,
        "source": figure_source_text(published),
        "difference": used.count - published.count,  # type: ignore[operator]
    }


def officer_strength_current() -> dict[Key, float]:
    """FTE officers per (area, financial year): the count at the 31 March that closes the year.
    England and Wales is the sum of the forces, where every force has a figure."""
    latest: dict[tuple[str, datetime.date], float] = {}
    for row in OfficerStrength.objects.order_by("area", "as_at", "-published_on", "-pk"):
        latest.setdefault((row.area, row.as_at), float(row.officers_fte))
    result: dict[Key, float] = {(area, as_at.year - 1): fte for (area, as_at), fte in latest.items()}
    force_count = Force.objects.count()
    by_year: dict[int, list[float]] = defaultdict(list)
    for (_area, year), fte in list(result.items()):
        by_year[year].append(fte)
    for year, values in by_year.items():
        if len(values) == force_count:
            result[(NATIONAL, year)] = sum(values)
    return result


def snapshot_years() -> list[int]:
    return sorted(set(Snapshot.objects.values_list("financial_year", flat=True)), reverse=True)


def snapshots_for_year(year: int) -> dict[str, Snapshot]:
    return {s.area: s for s in Snapshot.objects.filter(financial_year=year)}


def snapshots_for_area(area: str) -> list[Snapshot]:
    return list(Snapshot.objects.filter(area=area).order_by("financial_year"))


# -- what a viewer may see ----------------------------------------------------------

SUPPRESS_BELOW = 5
FEWER_THAN_5 = "fewer than 5"


@dataclass(frozen=True)
class Viewer:
    """National staff see everything unrounded; reps see their own forces in full and
    other forces' published totals; officers see England and Wales."""

    national: bool
    rep_areas: frozenset[str]
    officer: bool

    def full(self, area: str) -> bool:
        return self.national or area in self.rep_areas or area == NATIONAL

    def sees_force_table(self) -> bool:
        return self.national or bool(self.rep_areas)

    def sees_force_page(self, area: str) -> bool:
        return self.national or bool(self.rep_areas)


def dashboard_viewer(user: Any) -> Viewer | None:
    if not user.is_authenticated:
        return None
    if staff_is_national(user):
        return Viewer(national=True, rep_areas=frozenset(), officer=False)
    if user.is_staff:
        codes = frozenset(Force.objects.filter(pk__in=staff_force_ids(user)).values_list("code", flat=True))
        return Viewer(national=False, rep_areas=codes, officer=False) if codes else None
    if officer_profile_for_user(user) is not None:
        return Viewer(national=False, rep_areas=frozenset(), officer=True)
    return None


def count_text(value: int | None, viewer: Viewer) -> str:
    if value is None:
        return "–"
    if not viewer.national and 0 < value < SUPPRESS_BELOW:
        return FEWER_THAN_5
    return f"{value:,}"


def _percent(value: float) -> str:
    return f"{value * 100:.0f}%"


@dataclass
class AreaFigures:
    """One area and year, as text for a page or a CSV, with raw values for sorting."""

    area: str
    name: str
    slug: str
    year: int
    full: bool
    comparable: bool
    cells: dict[str, str]
    raw: dict[str, float | None]


COLUMNS = [
    ("logged", "Logged"),
    ("verified", "Verified"),
    ("recorded_share", "Say it was recorded as a crime"),
    ("reported_share", "Reported to the force"),
    ("dont_know", "Don't know if recorded"),
    ("official", "Official figure"),
    ("official_basis", "What the official figure counts"),
    ("official_source", "Official figure's source"),
    ("not_compared", "Why the official figure is not compared"),
    ("implied", "Implied true number"),
    ("hidden", "Hidden"),
    ("logged_rate", "Logged per 1,000 officers"),
    ("official_rate", "Official per 1,000 officers"),
    ("implied_rate", "Implied per 1,000 officers"),
]


def area_figures(
    snapshot: Snapshot | None, *, area: str, name: str, slug: str, year: int, viewer: Viewer
) -> AreaFigures:
    data = snapshot.data if snapshot else {}
    counts = data.get("counts", {})
    full = viewer.full(area)
    recorded = data.get("recorded_share")
    reported = data.get("reported_share")
    figure = data.get("official") or {}
    official = figure.get("total")
    implied = data.get("implied")
    rates = data.get("rates") or {}
    band = data.get("sensitivity")
    raw: dict[str, float | None] = {
        "logged": counts.get("logged") if full else None,
        "verified": counts.get("verified") if full else None,
        "recorded_share": recorded["estimate"] if full and recorded else None,
        "reported_share": reported["estimate"] if full and reported else None,
        "dont_know": counts.get("recorded_dont_know") if full else None,
        "official": official,
        "implied": implied["total"] if full and implied else None,
        "hidden": implied["hidden"] if full and implied else None,
        "logged_rate": rates.get("logged") if full else None,
        "official_rate": rates.get("official"),
        "implied_rate": rates.get("implied") if full else None,
    }
    cannot = "cannot estimate" if full else "–"
    cells = {
        "logged": count_text(counts.get("logged", 0), viewer) if full else "–",
        "verified": count_text(counts.get("verified", 0), viewer) if full else "–",
        "recorded_share": (
            f"{_percent(recorded['estimate'])} ({_percent(recorded['low'])}–{_percent(recorded['high'])})"
            if full and recorded
            else cannot
        ),
        "reported_share": _percent(reported["estimate"]) if full and reported else cannot,
        "dont_know": count_text(counts.get("recorded_dont_know", 0), viewer) if full else "–",
        "official": _official_text(figure),
        "implied": (
            f"{implied['total']:,.0f} ({implied['low']:,.0f}–{implied['high']:,.0f})" if full and implied else cannot
        ),
        "hidden": f"{implied['hidden']:,.0f}" if full and implied else cannot,
        "logged_rate": f"{rates['logged']:.1f}" if full and rates.get("logged") is not None else "–",
        "official_rate": f"{rates['official']:.1f}" if rates.get("official") is not None else "–",
        "implied_rate": f"{rates['implied']:.1f}" if full and rates.get("implied") is not None else "–",
        "band": f"{_percent(band['low'])}–{_percent(band['high'])}" if full and band else "",
        **official_cells(figure),
    }
    return AreaFigures(area, name, slug, year, full, bool(figure.get("compared")), cells, raw)


def _official_text(figure: dict[str, Any]) -> str:
    """The official count, or the one offence it gives ("136 with injury only")."""
    if figure.get("total") is not None:
        return f"{figure['total']:,}"
    if figure.get("with_injury") is not None:
        return f"{figure['with_injury']:,} with injury only"
    if figure.get("without_injury") is not None:
        return f"{figure['without_injury']:,} without injury only"
    return "not published"


SHORT_KINDS = {
    SourceKind.HOME_OFFICE: "Home Office",
    SourceKind.FORCE: "force",
    SourceKind.FEDERATION: "Police Federation",
    SourceKind.PRESS: "press",
}


def official_cells(figure: dict[str, Any]) -> dict[str, str]:
    """What the official figure is and where it comes from, as text for pages and CSV files."""
    if not figure:
        return {"official_basis": "", "official_source": "", "official_kind": "", "not_compared": "", "coverage": ""}
    check = figure.get("check")
    check_text = ""
    if check:
        agreement = "they agree" if check["difference"] == 0 else f"{abs(check['difference']):,} apart"
        check_text = (
            f"The forces add up to {figure['total']:,}; the published national total is "
            f"{check['published_total']:,} ({check['source']}): {agreement}."
        )
    return {
        "official_basis": figure.get("basis_label", ""),
        "official_source": figure.get("source", figure.get("source_title", "")),
        "official_kind": SHORT_KINDS.get(figure.get("source_kind", ""), ""),
        "not_compared": figure.get("not_compared") or "",
        "coverage": figure.get("coverage") or "",
        "official_check": check_text,
    }


def dashboard_table(year: int, viewer: Viewer, *, sort: str = "name", descending: bool = False) -> list[AreaFigures]:
    """Every force for a year, from the snapshots (one query), sorted by a column."""
    snapshots = snapshots_for_year(year)
    rows = [
        area_figures(
            snapshots.get(force.code), area=force.code, name=force.short_name, slug=force.slug, year=year, viewer=viewer
        )
        for force in Force.objects.order_by("short_name")
    ]
    if rows and sort in rows[0].raw:  # a column of numbers
        present = [row for row in rows if row.raw[sort] is not None]
        missing = [row for row in rows if row.raw[sort] is None]
        present.sort(key=lambda row: row.raw[sort] or 0, reverse=descending)
        return present + missing
    return sorted(rows, key=lambda row: row.name, reverse=descending)


BREAKDOWN_TITLES = {
    "what_happened": "What happened",
    "injury": "Injury",
    "duty_type": "Duty",
    "single_crewed": "Single-crewed",
    "setting": "Where",
    "not_reported_reasons": "Why not reported",
}


def breakdown_tables(snapshot: Snapshot | None, viewer: Viewer, area: str) -> list[dict[str, Any]]:
    """Each breakdown as (label, count, text) rows, largest first, labels in plain words."""
    if snapshot is None or not viewer.full(area):
        return []
    labels = {
        "what_happened": dict(AssaultKind.choices),
        "injury": dict(Injury.choices),
        "duty_type": dict(Duty.choices),
        "setting": dict(Setting.choices),
        "not_reported_reasons": dict(NotReportedReason.choices),
        "single_crewed": {"yes": "Yes", "no": "No"},
    }
    tables = []
    for key, title in BREAKDOWN_TITLES.items():
        bucket = snapshot.data.get("breakdowns", {}).get(key, {})
        rows = sorted(
            ((labels[key].get(label, label.capitalize()), count) for label, count in bucket.items()),
            key=lambda item: -item[1],
        )
        tables.append(
            {"key": key, "title": title, "rows": [(label, count, count_text(count, viewer)) for label, count in rows]}
        )
    return tables
