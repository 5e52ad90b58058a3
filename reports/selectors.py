"""Reads: the grouped counts behind the snapshots, official figures, snapshots for pages."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import Case, CharField, Count, F, Q, QuerySet, When

from incidents.choices import Injury, ReportedToForce, Status
from incidents.models import Force, Incident, IncidentAssault, IncidentNotReportedReason, ReviewedAssault
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


def incident_counts(incidents: QuerySet[Incident]) -> dict[Key, dict[str, Any]]:
    """Counts and breakdowns per (force code, financial year): a few grouped queries for
    every force and year at once, never a loop over incidents."""
    annotated = incidents.annotate(fy=financial_year_expression("occurred_on"), effective_injury=_effective_injury())
    result: dict[Key, dict[str, Any]] = defaultdict(lambda: {"counts": {}, "breakdowns": defaultdict(dict)})
    totals = annotated.values("force__code", "fy").annotate(
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
    )
    for row in totals:
        key = (row.pop("force__code"), row.pop("fy"))
        result[key]["counts"] = row
    for name, column in (
        ("injury", "effective_injury"),
        ("duty_type", "duty_type"),
        ("single_crewed", "single_crewed"),
        ("setting", "setting"),
    ):
        for row in annotated.values("force__code", "fy", column).annotate(n=Count("id")):
            value = row[column]
            label = {True: "yes", False: "no", None: "not said", "": "not said"}.get(value, value)
            result[(row["force__code"], row["fy"])]["breakdowns"][name][label] = row["n"]
    ids = incidents.values("pk")
    officer_kinds = IncidentAssault.objects.filter(incident__in=ids).exclude(incident__reviewed_assaults__isnull=False)
    reviewed_kinds = ReviewedAssault.objects.filter(incident__in=ids)
    for rows in (officer_kinds, reviewed_kinds):
        grouped = (
            rows.annotate(fy=financial_year_expression("incident__occurred_on"))
            .values("incident__force__code", "fy", "kind")
            .annotate(n=Count("incident_id"))
        )
        for row in grouped:
            bucket = result[(row["incident__force__code"], row["fy"])]["breakdowns"]["what_happened"]
            bucket[row["kind"]] = bucket.get(row["kind"], 0) + row["n"]
    reasons = (
        IncidentNotReportedReason.objects.filter(incident__in=ids)
        .annotate(fy=financial_year_expression("incident__occurred_on"))
        .values("incident__force__code", "fy", "reason")
        .annotate(n=Count("incident_id"))
    )
    for row in reasons:
        result[(row["incident__force__code"], row["fy"])]["breakdowns"]["not_reported_reasons"][row["reason"]] = row[
            "n"
        ]
    return {key: {"counts": value["counts"], "breakdowns": dict(value["breakdowns"])} for key, value in result.items()}


def official_figures_current() -> dict[Key, OfficialFigure]:
    """The latest release of each figure (older releases stay in the table, superseded)."""
    current: dict[Key, OfficialFigure] = {}
    for figure in OfficialFigure.objects.order_by("area", "financial_year", "-published_on", "-pk"):
        current.setdefault((figure.area, figure.financial_year), figure)
    return current


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
