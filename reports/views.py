"""Dashboards, the briefing, the method page and their CSV downloads. Every page reads
snapshots, so its query count does not grow with the number of incidents.

Pages are in the viewer's language: their words are made as the page is, from the numbers and
codes the snapshots keep (reports.tables). CSV files stay in English (viewer_required)."""

from __future__ import annotations

import csv
from collections.abc import Callable
from functools import wraps
from typing import Any, Concatenate, ParamSpec

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from incidents.models import Force, signed_in_user
from reports import charts, services
from reports.models import NATIONAL, RecomputeRun
from reports.periods import financial_year_label
from reports.selectors import comparable_years, snapshot_years, snapshots_for_area, snapshots_for_year
from reports.services.snapshots import recompute_error_text
from reports.tables import (
    BREAKDOWN_CAVEAT,
    COLUMNS,
    INTERNAL_BREAKDOWN_CAVEAT,
    AreaFigures,
    Viewer,
    area_figures,
    breakdown_tables,
    csv_rows,
    dashboard_table,
    dashboard_viewer,
)

P = ParamSpec("P")


def viewer_required(
    view: Callable[Concatenate[HttpRequest, Viewer, P], HttpResponse],
) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
    """Signed-in users who may see dashboards; the view is given the viewer after the request."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        viewer = dashboard_viewer(request.user)
        if viewer is None:
            return render(request, "reports/no_access.html", status=403)
        if request.GET.get("format") == "csv":
            # CSV files stay in English whatever the page's language: stable column names and
            # values for people's spreadsheets and scripts (the page's own table code, made
            # with English active).
            with translation.override(settings.LANGUAGE_CODE):
                return view(request, viewer, *args, **kwargs)
        return view(request, viewer, *args, **kwargs)

    return wrapped


def _year(request: HttpRequest, years: list[int], comparable: list[int]) -> int:
    """The year asked for if there are figures for it; else the latest with an official figure
    the estimate can use; else the latest with anything at all."""
    requested = request.GET.get("year", "")
    if requested.isascii() and requested.isdigit() and int(requested) in years:
        return int(requested)
    return (comparable or years or [timezone.localdate().year])[0]


def _csv(filename: str, header: list[str], rows: list[list[Any]]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(header)
    writer.writerows(rows)
    return response


@viewer_required
def dashboard(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    years = snapshot_years()
    year = _year(request, years, comparable_years(NATIONAL))
    sort = request.GET.get("sort", "name")
    descending = request.GET.get("dir") == "desc"
    snapshots = snapshots_for_year(year)
    national = area_figures(
        snapshots.get(NATIONAL), area=NATIONAL, name=_("England and Wales"), slug="", year=year, viewer=viewer
    )
    rows = (
        dashboard_table(year, viewer, snapshots, sort=sort, descending=descending) if viewer.sees_force_table() else []
    )
    if request.GET.get("format") == "csv":
        return _csv(f"assault-log-{year}.csv", *csv_rows([national, *rows], with_year=True))
    run = RecomputeRun.objects.select_related("started_by").first() if viewer.national else None
    headers = [
        {
            "key": key,
            "label": label,
            "sorted": sort == key,
            "aria_sort": ("descending" if descending else "ascending") if sort == key else "none",
            "next_dir": "asc" if sort == key and descending else "desc",
        }
        for key, label in [("name", _("Force")), *COLUMNS]
    ]
    context = {
        "year": year,
        "year_label": financial_year_label(year),
        "years": [(y, financial_year_label(y)) for y in years],
        "national": national,
        "rows": rows,
        "not_compared": [row for row in rows if row.cells["not_compared"]],
        "headers": headers,
        "viewer": viewer,
        "run": run,
        "run_error": recompute_error_text(run.error) if run and run.error else "",
    }
    return render(request, "reports/dashboard.html", context)


def _trend(area: str, name: str, viewer: Viewer) -> list[dict[str, Any]]:
    trend = []
    for snapshot in snapshots_for_area(area):
        figures = area_figures(snapshot, area=area, name=name, slug="", year=snapshot.financial_year, viewer=viewer)
        raw = figures.raw
        trend.append(
            {
                "year": snapshot.financial_year,
                "label": financial_year_label(snapshot.financial_year),
                "figures": figures,
                "point": charts.TrendPoint(
                    financial_year_label(snapshot.financial_year),
                    # Hidden counts stay off the chart, as in the tables.
                    _number(raw["logged"]),
                    raw["official"],
                    raw["implied"],
                    raw["implied_low"],
                    raw["implied_high"],
                    _number(raw["active_officers"]),
                ),
            }
        )
    return trend


def _csv_count(count: int, text: str) -> int | str:
    """A number where it is shown, else why not ("fewer than 5", "hidden")."""
    return count if text == f"{count:,}" else text


def _number(value: Any) -> float | None:
    return value if isinstance(value, int | float) else None


def _force_context(request: HttpRequest, slug: str, viewer: Viewer) -> dict[str, Any]:
    force = get_object_or_404(Force, slug=slug)
    if not viewer.sees_force_page(force.code):
        raise Http404("No dashboard for this force.")
    full = viewer.full(force.code)
    name = force.local_short_name  # in the page's language (a Welsh force's Welsh name on a Welsh page)
    trend = _trend(force.code, name, viewer)
    if full:
        years = [item["year"] for item in reversed(trend)]
    else:
        # Another force's page shows its published figures only: the years with entries, or
        # without, must not show through (in the list of years or the trend's rows).
        trend = [item for item in trend if item["figures"].cells["official_basis"]]
        years = snapshot_years()
    year = _year(request, years, comparable_years(force.code))
    snapshot = snapshots_for_year(year).get(force.code)
    figures = area_figures(snapshot, area=force.code, name=name, slug=force.slug, year=year, viewer=viewer)
    tables = breakdown_tables(snapshot, viewer, force.code)
    points = [item["point"] for item in trend]
    return {
        "force": force,
        "viewer": viewer,
        "full": full,
        "trend": trend,
        "chart": charts.trend_chart(
            points,
            series=("official", "implied"),
            title=_("%(force)s: official and estimated") % {"force": name},
            chart_id="trend",
        ),
        "adoption_chart": charts.trend_chart(
            points,
            series=("logged", "officers"),
            title=_("%(force)s: entries logged, and officers who logged") % {"force": name},
            chart_id="adoption",
            height=200,
        ),
        "year": year,
        "year_label": financial_year_label(year),
        "years": [(y, financial_year_label(y)) for y in years],
        "figures": figures,
        "snapshot": snapshot,
        "breakdowns": [
            {
                **table,
                "chart": charts.bar_chart(
                    [(label, count) for label, count, _text in table["rows"]],
                    title=table["title"],
                    chart_id=f"bd-{table['key']}",
                ),
            }
            if viewer.unsuppressed()
            else table
            for table in tables
        ],
    }


@viewer_required
def force_dashboard(request: HttpRequest, viewer: Viewer, slug: str) -> HttpResponse:
    context = _force_context(request, slug, viewer)
    if request.GET.get("format") == "csv":
        if request.GET.get("table") == "breakdowns":
            caveat = INTERNAL_BREAKDOWN_CAVEAT if viewer.unsuppressed() else BREAKDOWN_CAVEAT
            rows = [
                [t["title"], label, _csv_count(count, text), caveat]
                for t in context["breakdowns"]
                for label, count, text in t["rows"]
            ]
            header = ["Breakdown", "Answer", "Reports", "Caveat"]
            return _csv(f"{slug}-{context['year']}-breakdowns.csv", header, rows)
        return _csv(f"{slug}-trend.csv", *csv_rows([item["figures"] for item in context["trend"]], with_year=True))
    return render(request, "reports/force.html", context)


@viewer_required
def briefing(request: HttpRequest, viewer: Viewer, slug: str, year: str) -> HttpResponse:
    """One printed page for outside readers: suppressed whoever prints it."""
    # The year from the path, where _force_context reads it (the query string's "year").
    query = request.GET.copy()
    query["year"] = year.split("-")[0]
    request.GET = query  # type: ignore[assignment]  # a mutable copy; the stubs allow only the parsed original
    context = _force_context(request, slug, viewer.printing())
    if str(context["year"]) != request.GET["year"] or not context["full"]:
        # A force's briefing is about its officers' entries: for its reps and national staff.
        raise Http404("No briefing for that force and year.")
    figures = context["figures"]
    snapshot = context["snapshot"]
    data = snapshot.data if snapshot else {}
    context["headline"] = _headline(context["force"].local_short_name, context["year_label"], data, figures)
    context["official"] = data.get("official")
    context["breakdowns"] = context["breakdowns"][:3]
    return render(request, "reports/briefing.html", context)


def _headline(name: str, year_label: str, data: dict[str, Any], figures: AreaFigures) -> str:
    """The briefing's first sentence, which says what its numbers are."""
    cells = figures.cells
    raw = figures.raw
    values = {"force": name, "logged": cells["logged"], "year": year_label}
    official = data.get("official")
    implied = raw["implied"] is not None
    if official and official.get("total") is not None:
        kind = cells.get("official_kind")
        total = f"{official['total']:,}"
        # The figure and who published it: "1,057 (Home Office)".
        values["official"] = _("%(official)s (%(source)s)") % {"official": total, "source": kind} if kind else total
        if implied:
            values |= {
                "estimate": f"{raw['implied']:,}",
                "low": f"{raw['implied_low']:,}",
                "high": f"{raw['implied_high']:,}",
            }
            text = (
                _(
                    "Officers in %(force)s logged %(logged)s assaults in %(year)s; the official figure was "
                    "%(official)s; from the share of the logged assaults officers say reached it, the true number "
                    "is estimated at about %(estimate)s (%(low)s–%(high)s)."
                )
                % values
            )
        else:
            text = (
                _("Officers in %(force)s logged %(logged)s assaults in %(year)s; the official figure was %(official)s.")
                % values
            )
    else:
        text = (
            _(
                "Officers in %(force)s logged %(logged)s assaults in %(year)s; no official figure has been "
                "published for that year."
            )
            % values
        )
    if cells.get("verified_headline"):
        text += " " + cells["verified_headline"]
    if implied:
        text += " " + _("This is an estimate from officers who chose to log, not a count.")
    return text


def method(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/method.html")


METHOD_STATEMENT = settings.BASE_DIR / "docs" / "method.md"


@require_GET
def method_statement(request: HttpRequest) -> HttpResponse:
    """The full statement of the method (docs/method.md: every formula and a worked example a
    statistician can redo by hand), as the plain text it is written in, for anyone to read."""
    return HttpResponse(METHOD_STATEMENT.read_bytes(), content_type="text/plain; charset=utf-8")


@require_POST
@viewer_required
def recompute(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    if not viewer.national:
        return render(request, "reports/no_access.html", status=403)
    try:
        run = services.recompute_run_start(actor=signed_in_user(request))
    except services.RecomputeAlreadyRunning as running:
        started = timezone.localtime(running.run.started_at)
        messages.info(
            request,
            _("Recompute %(number)s, started at %(time)s, is still running: nothing new started.")
            % {"number": running.run.pk, "time": f"{started:%H:%M}"},
        )
    else:
        run.refresh_from_db()  # with tasks run in-process (the embedded default) it is done already
        if run.finished_at:
            messages.success(
                request, _("Recompute %(number)s finished: every year is up to date.") % {"number": run.pk}
            )
        else:
            messages.success(
                request, _("Recompute %(number)s started. Refresh this page to follow it.") % {"number": run.pk}
            )
    return redirect("reports:dashboard")
