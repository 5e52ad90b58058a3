"""Reads: the grouped counts behind the snapshots, official figures, snapshots for pages."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from django.db import connection
from django.db.models import Case, CharField, Count, F, Q, QuerySet, When
from django.utils import translation
from django.utils.formats import date_format
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from incidents.choices import (
    Answer,
    AssaultKind,
    Duty,
    Injury,
    NotReportedReason,
    RecordedAsCrime,
    ReportedToForce,
    Setting,
    Status,
)
from incidents.models import Force, Incident, choice_bit, choice_mask
from incidents.periods import financial_year_of
from reports.choices import AUTHORITY, NOT_COMPARED, CheckFound, CheckOffence, CheckStatus, FigureBasis, SourceKind
from reports.estimates import UsedCheck
from reports.models import NATIONAL, OfficerStrength, OfficialFigure, RecordingCheck, RecordingCheckItem, Snapshot
from reports.periods import financial_year_bounds, financial_year_expression
from reports.statistics import CheckAnswers

# Rejected and withdrawn reports, and drafts, are not counted.
NOT_COUNTED = (Status.DRAFT, Status.WITHDRAWN, Status.REJECTED)
Key = tuple[str, int]  # (area, financial year)


def counted_incidents(
    years: Iterable[int] | None = None,
    force_codes: Iterable[str] | None = None,
    force_ids: Iterable[int] | None = None,
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
    if force_ids is not None:
        incidents = incidents.filter(force_id__in=set(force_ids))
    return incidents


def _effective_injury() -> Case:
    # The rep's reviewed classification wins where there is one.
    return Case(When(reviewed_injury="", then=F("injury")), default=F("reviewed_injury"), output_field=CharField())


def effective_kinds() -> Case:
    """The assault kinds' bit summary as the statistics count it: the rep's reviewed
    classification where there is one."""
    return Case(When(reviewed_assault_mask=0, then=F("assault_mask")), default=F("reviewed_assault_mask"))


def _breakdown_columns() -> list[tuple[str, str, Q]]:
    """(breakdown, label, condition) for every category counted in the grouped query."""
    columns = [("injury", value, Q(effective_injury=value)) for value in Injury.values]
    columns += [("duty_type", value or "not said", Q(duty_type=value)) for value in [*Duty.values, ""]]
    columns += [("setting", value or "not said", Q(setting=value)) for value in [*Setting.values, ""]]
    columns += [
        ("single_crewed", "yes", Q(single_crewed=Answer.YES)),
        ("single_crewed", "no", Q(single_crewed=Answer.NO)),
        ("single_crewed", "not sure", Q(single_crewed=Answer.UNSURE)),
        ("single_crewed", "not said", Q(single_crewed="")),
    ]
    columns += [("what_happened", kind, ~Q(**{f"kind_{kind}": 0})) for kind in AssaultKind.values]
    columns += [("not_reported_reasons", reason, ~Q(**{f"reason_{reason}": 0})) for reason in NotReportedReason.values]
    return columns


def incident_counts(incidents: QuerySet[Incident]) -> dict[Key, dict[str, Any]]:
    """Counts and breakdowns per (force code, financial year) in ONE grouped query with
    conditional counts: one scan for every force and year, never a loop over incidents.
    What happened and why not reported are counted from the incident's bit summaries."""
    annotated = incidents.annotate(
        fy=financial_year_expression("occurred_on"),
        effective_injury=_effective_injury(),
        effective_kinds=effective_kinds(),
    )
    annotated = annotated.annotate(
        **{f"kind_{kind}": F("effective_kinds").bitand(choice_bit(AssaultKind, kind)) for kind in AssaultKind.values},
        **{
            f"reason_{reason}": F("reason_mask").bitand(choice_bit(NotReportedReason, reason))
            for reason in NotReportedReason.values
        },
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
    for grouped in rows:
        row: dict[str, Any] = dict(grouped)
        breakdowns: dict[str, dict[str, int]] = defaultdict(dict)
        for n, (name, label, _condition) in enumerate(columns):
            count = row.pop(f"b{n}")
            if count:
                breakdowns[name][label] = count
        key = (row.pop("force__code"), row.pop("fy"))
        result[key] = {"counts": row, "breakdowns": dict(breakdowns)}
    return result


# -- the estimate's sums: per officer, then per force and year ---------------------------

# Entries an 8S or 104 count could include: at least one physical assault. Threats alone and
# sexual assaults (recorded as sexual offences) are logged and shown, but not compared.
OUT_OF_SCOPE_KINDS = (AssaultKind.THREAT, AssaultKind.SEXUAL)
PHYSICAL_MASK = choice_mask(AssaultKind, [kind for kind in AssaultKind.values if kind not in OUT_OF_SCOPE_KINDS])
# The parts: with injury (8S), without (104), and all in-scope entries (for a total alone).
PARTS = {"w": "<> 'none'", "o": "= 'none'", "a": None}
PART_COUNTS = {
    "n": "",
    "r": " AND i.reported_to_force = 'yes'",
    "y": " AND i.reported_to_force = 'yes' AND i.recorded_as_crime = 'yes'",
    "m": " AND i.reported_to_force = 'yes' AND i.recorded_as_crime = 'no'",
    "d": " AND i.reported_to_force = 'yes' AND i.recorded_as_crime = 'dont_know'",
}
# The sums over officers of products of their counts (reports.statistics.Sums), q = y + m.
PRODUCTS = {
    "nn": ("n", "n"),
    "rr": ("r", "r"),
    "rn": ("r", "n"),
    "yy": ("y", "y"),
    "yq": ("y", "q"),
    "qq": ("q", "q"),
    "ry": ("r", "y"),
    "rq": ("r", "q"),
    "ny": ("n", "y"),
    "nq": ("n", "q"),
}
FINANCIAL_YEAR_SQL = {
    "postgresql": "EXTRACT(YEAR FROM i.occurred_on)::int - CASE WHEN EXTRACT(MONTH FROM i.occurred_on) < 4 "
    "THEN 1 ELSE 0 END",
    "sqlite": "CAST(strftime('%%Y', i.occurred_on) AS INTEGER) - CASE WHEN CAST(strftime('%%m', i.occurred_on) "
    "AS INTEGER) < 4 THEN 1 ELSE 0 END",
}


def estimate_sums_sql(
    vendor: str, years: Iterable[int] | None, force_ids: Iterable[int] | None = None
) -> tuple[str, list[Any]]:
    """One statement: each officer's counts by force and year (an inner GROUP BY), then their
    sums and sums of products by force and year (the outer one). An anonymised report, whose
    officer is gone, is a cluster of its own. The inner query counts the two injury parts
    only; all entries (part a) is their sum, officer by officer."""
    injury = "(CASE WHEN i.reviewed_injury = '' THEN i.injury ELSE i.reviewed_injury END)"
    kinds = "(CASE WHEN i.reviewed_assault_mask = 0 THEN i.assault_mask ELSE i.reviewed_assault_mask END)"
    in_scope = f"({kinds} & {PHYSICAL_MASK}) <> 0"
    inner, outer = [], []
    for part, condition in PARTS.items():
        if condition is not None:
            for name, extra in PART_COUNTS.items():
                inner.append(
                    f"SUM(CASE WHEN {in_scope} AND {injury} {condition}{extra} THEN 1 ELSE 0 END) AS {part}_{name}"
                )

        def count(name: str, part: str = part) -> str:
            if name == "q":
                return f"({count('y')} + {count('m')})"
            return f"{part}_{name}" if PARTS[part] is not None else f"(w_{name} + o_{name})"

        outer.append(f"SUM(CASE WHEN {count('n')} > 0 THEN 1 ELSE 0 END) AS {part}_officers")
        outer += [f"SUM({count(name)}) AS {part}_{name}" for name in PART_COUNTS]
        outer += [
            f"SUM({count(left)} * {count(right)}) AS {part}_{product}" for product, (left, right) in PRODUCTS.items()
        ]
    params: list[Any] = [*NOT_COUNTED]
    span = ""
    if years is not None:
        ranges = []
        for year in sorted(set(years)):
            start, end = financial_year_bounds(year)
            ranges.append("(i.occurred_on >= %s AND i.occurred_on < %s)")
            params += [start.date(), end.date()]
        span = f" AND ({' OR '.join(ranges) or 'FALSE'})"
    if force_ids is not None:
        ids = sorted(set(force_ids))
        span += f" AND i.force_id IN ({', '.join(['%s'] * len(ids)) or 'NULL'})"
        params += ids
    incidents, forces = Incident._meta.db_table, Force._meta.db_table
    # Grouped by the force's key, its code joined at the end: sorting a few hundred thousand
    # officer groups by an integer is cheaper than by text.
    sql = f"""
WITH per_officer AS (
  SELECT i.force_id AS force, {FINANCIAL_YEAR_SQL[vendor]} AS fy, COALESCE(i.officer_id, -i.id) AS officer,
         SUM(CASE WHEN {in_scope} THEN 0 ELSE 1 END) AS out_of_scope,
         {", ".join(inner)}
  FROM {incidents} i
  WHERE i.status NOT IN (%s, %s, %s){span}
  GROUP BY 1, 2, 3
), per_force AS (
  SELECT force, fy, COUNT(*) AS active_officers, SUM(out_of_scope) AS out_of_scope,
         {", ".join(outer)}
  FROM per_officer
  GROUP BY force, fy
)
SELECT f.code AS area, s.* FROM per_force s JOIN {forces} f ON f.id = s.force
"""  # noqa: S608 built from the app's own choice values and table names; values are parameters
    return sql, params


def estimate_sums(
    years: Iterable[int] | None = None, force_ids: Iterable[int] | None = None
) -> dict[Key, dict[str, int]]:
    """Per (force code, financial year): what the estimate needs (reports.statistics.Sums for
    each part, with prefixes w_, o_, a_), the officers who logged, and entries out of scope."""
    sql, params = estimate_sums_sql(connection.vendor, years, force_ids)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        columns = [column[0] for column in cursor.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    for row in rows:
        del row["force"]
    return {(row.pop("area"), int(row.pop("fy"))): {k: int(v or 0) for k, v in row.items()} for row in rows}


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


def official_figures_ranked(
    keys: Iterable[Key] | None = None, years: Iterable[int] | None = None
) -> dict[Key, list[OfficialFigure]]:
    """Every figure of each (area, year), the one used first; older and lesser ones stay on record."""
    figures = OfficialFigure.objects.all()
    if years is not None:
        figures = figures.filter(financial_year__in=set(years))
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


# The words for an official figure, in the active language: pages make them as they are shown
# (reports.tables.official_cells, from what the snapshot keeps), and the snapshot keeps them in
# English too (made with English active) for what reads it as it is.


def source_words(kind: str, title: str, url: str, published_on: datetime.date, *, html: bool = False) -> str:
    """Who published it: "Home Office: “...”, released 17 October 2019", or for the press
    "the press (www.bucksherald.co.uk), quoting official figures". With html, on a page not in
    English the release's own (English) title is marked as English."""
    host = urlsplit(url).hostname if url else None
    if html and not (translation.get_language() or "en").startswith("en"):
        title_shown: str = format_html('<span lang="en-GB">“{}”</span>', title)
    else:
        title_shown = f"“{title}”"
    if kind == SourceKind.HOME_OFFICE:
        words = _("Home Office: %(title)s, released %(date)s")
        values = {"title": title_shown, "date": date_format(published_on, "j F Y")}
    else:
        if kind == SourceKind.FORCE:
            words = _("the force's own figures (%(where)s)")
        elif kind == SourceKind.FEDERATION:
            words = _("the Police Federation (%(where)s)")
        else:
            words = _("the press (%(where)s), quoting official figures")
        values = {"where": host or title_shown}
    if isinstance(title_shown, SafeString):
        # Every part escaped: the words, the title (already in its span), the date or the host.
        text = conditional_escape(words) % {name: conditional_escape(value) for name, value in values.items()}
        return mark_safe(text)  # noqa: S308
    return words % values


def figure_source_text(figure: OfficialFigure) -> str:
    """Who published it: see source_words."""
    return source_words(figure.source_kind, figure.source_title, figure.source_url, figure.published_on)


def coverage_words(basis: str, derived: bool, forces: int, missing: list[str]) -> str:
    """For England and Wales: how many of the forces a figure covers, and the names of those it
    leaves out."""
    if basis == FigureBasis.PARTIAL_COVERAGE:
        return _("%(covered)s of %(forces)s forces (%(missing)s missing)") % {
            "covered": forces - len(missing),
            "forces": forces,
            "missing": ", ".join(missing),
        }
    if derived:
        return _("%(forces)s of %(forces)s forces, summed") % {"forces": forces}
    return _("%(forces)s of %(forces)s forces") % {"forces": forces}


def coverage_text(figure: OfficialFigure, names: dict[str, str]) -> str:
    """For England and Wales: how many forces a figure covers, and which are missing."""
    missing = [names.get(code, code) for code in figure.missing_areas] if figure.missing_areas else []
    return coverage_words(figure.basis, figure.derived, len(names) - 1, missing)


def not_compared_words(basis: str, coverage: str) -> str:
    """Why a figure of this basis, not compared, is not (coverage: a partial figure's)."""
    if basis == FigureBasis.PARTIAL_COVERAGE:
        return _("it covers %(coverage)s, so it is not the whole count") % {"coverage": coverage}
    if basis in NOT_COMPARED:
        return str(NOT_COMPARED[FigureBasis(basis)])
    return _("it does not give the 8S + 104 total")


def figure_not_compared(figure: OfficialFigure, names: dict[str, str]) -> str | None:
    """Why a figure is shown but not compared with the entries, in words; None if it is."""
    if figure.compared:
        return None
    coverage = coverage_text(figure, names) if figure.basis == FigureBasis.PARTIAL_COVERAGE else ""
    return not_compared_words(figure.basis, coverage)


def figure_summary(figure: OfficialFigure, names: dict[str, str]) -> dict[str, Any]:
    """The figure as a snapshot keeps it for pages, prints and CSV files."""
    return {
        "total": figure.count,
        "with_injury": figure.with_injury,
        "without_injury": figure.without_injury,
        "basis": figure.basis,
        "basis_label": str(FigureBasis(figure.basis).label),  # str: a label may be lazy
        "compared": figure.compared,
        "not_compared": figure_not_compared(figure, names),
        "coverage": coverage_text(figure, names) if figure.area == NATIONAL else None,
        # What the words above are made from, for a page to make them in its own language.
        "forces": len(names) - 1,
        "missing_areas": list(figure.missing_areas or []),
        "derived": figure.derived,
        "source_kind": figure.source_kind,
        "source_kind_label": str(SourceKind(figure.source_kind).label),
        "source": figure_source_text(figure),
        "source_title": figure.source_title,
        "source_url": figure.source_url,
        "published_on": figure.published_on.isoformat(),
    }


def national_check(candidates: list[OfficialFigure]) -> dict[str, Any] | None:
    """England and Wales summed from the forces, against the best national total published as
    such (another release's, or the same file's): the difference, if any, is shown."""
    used = candidates[0] if candidates else None
    used_count = used.count if used is not None and used.derived else None
    if used_count is None:
        return None
    published = next((f for f in candidates if not f.derived and f.compared and f.count is not None), None)
    published_count = published.count if published is not None else None
    if published is None or published_count is None:
        return None
    return {
        "published_total": published_count,
        "source": figure_source_text(published),
        # What the source's words are made from, for a page to make them in its own language.
        "source_kind": published.source_kind,
        "source_title": published.source_title,
        "source_url": published.source_url,
        "published_on": published.published_on.isoformat(),
        "difference": used_count - published_count,
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


def comparable_years(area: str) -> list[int]:
    """Years, latest first, in which the area's snapshot has an official figure the estimate
    compares with (so a page opens on a year with an estimate, not "cannot estimate")."""
    snapshots = Snapshot.objects.filter(area=area, data__comparable=True).order_by("-financial_year")
    return list(snapshots.values_list("financial_year", flat=True))


def snapshots_for_area(area: str) -> list[Snapshot]:
    return list(Snapshot.objects.filter(area=area).order_by("financial_year"))


# -- recording checks ------------------------------------------------------------------


def counted_in_year(item: RecordingCheckItem, year: int) -> bool | None:
    """Whether the registrar found the report counted in the official figures of financial year
    ``year``: found, as offence 8S or 104, recorded between 1 April ``year`` and 31 March
    ``year + 1``. None while the item has no answer."""
    if not item.found:
        return None
    if item.found != CheckFound.YES or item.offence not in (CheckOffence.WITH_INJURY, CheckOffence.WITHOUT_INJURY):
        return False
    return item.recorded_on is not None and financial_year_of(item.recorded_on) == year


def used_checks(years: Iterable[int]) -> dict[Key, UsedCheck]:
    """The recording check each force and year's figures use (status used; the latest drawn
    should there be two), with its answers by what the officer said (docs/method.md 8.11)."""
    checks: dict[Key, RecordingCheck] = {}
    for check in RecordingCheck.objects.filter(status=CheckStatus.USED, financial_year__in=list(years)).order_by(
        "created_at", "pk"
    ):
        checks[(check.area, check.financial_year)] = check
    tallies: dict[int, dict[str, list[int]]] = {check.pk: {} for check in checks.values()}
    drawn: dict[int, int] = defaultdict(int)
    items = RecordingCheckItem.objects.filter(recording_check__in=list(checks.values())).only(
        "recording_check", "officer_said", "found", "offence", "recorded_on"
    )
    years_of = {check.pk: check.financial_year for check in checks.values()}
    for item in items:
        drawn[item.recording_check_id] += 1
        counted = counted_in_year(item, years_of[item.recording_check_id])
        if counted is None:
            continue
        said = item.officer_said if item.officer_said in (RecordedAsCrime.YES, RecordedAsCrime.NO) else "unknown"
        answered_counted = tallies[item.recording_check_id].setdefault(said, [0, 0])
        answered_counted[0] += 1
        answered_counted[1] += int(counted)
    result = {}
    for key, check in checks.items():
        by = {said: (pair[0], pair[1]) for said, pair in tallies[check.pk].items()}
        answers = CheckAnswers(
            yes=by.get(RecordedAsCrime.YES, (0, 0)),
            no=by.get(RecordedAsCrime.NO, (0, 0)),
            unknown=by.get("unknown", (0, 0)),
        )
        result[key] = UsedCheck(check.pk, drawn[check.pk], check.eligible, answers)
    return result
