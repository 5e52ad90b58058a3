"""Dashboards, the briefing, the method page and their CSV downloads. Every page reads
snapshots, so its query count does not grow with the number of incidents."""

from __future__ import annotations

import csv
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from incidents.models import Force
from reports import charts, services
from reports.models import NATIONAL, RecomputeRun
from reports.periods import financial_year_label
from reports.selectors import (
    COLUMNS,
    SUPPRESS_BELOW,
    Viewer,
    area_figures,
    breakdown_tables,
    dashboard_table,
    dashboard_viewer,
    snapshot_years,
    snapshots_for_area,
    snapshots_for_year,
)

View = Callable[..., HttpResponse]


def viewer_required(view: View) -> View:
    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        viewer = dashboard_viewer(request.user)
        if viewer is None:
            return render(request, "reports/no_access.html", status=403)
        request.viewer = viewer  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapped


def _year(request: HttpRequest, years: list[int]) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = 0
    if year in years:
        return year
    comparable = [y for y in years if y >= 2017]
    return (comparable or years or [2018])[0]


def _csv(filename: str, header: list[str], rows: list[list[Any]]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(header)
    writer.writerows(rows)
    return response


@viewer_required
def dashboard(request: HttpRequest) -> HttpResponse:
    viewer: Viewer = request.viewer  # type: ignore[attr-defined]
    years = snapshot_years()
    year = _year(request, years)
    sort = request.GET.get("sort", "name")
    descending = request.GET.get("dir") == "desc"
    national = area_figures(
        snapshots_for_year(year).get(NATIONAL),
        area=NATIONAL,
        name="England and Wales",
        slug="",
        year=year,
        viewer=viewer,
    )
    rows = dashboard_table(year, viewer, sort=sort, descending=descending) if viewer.sees_force_table() else []
    if request.GET.get("format") == "csv":
        header = ["Area", "Financial year", *[label for _, label in COLUMNS]]
        body = [
            [row.name, financial_year_label(year), *[row.cells[key] for key, _ in COLUMNS]] for row in [national, *rows]
        ]
        return _csv(f"assault-log-{year}.csv", header, body)
    headers = [
        {
            "key": key,
            "label": label,
            "sorted": sort == key,
            "aria_sort": ("descending" if descending else "ascending") if sort == key else "none",
            "next_dir": "asc" if sort == key and descending else "desc",
        }
        for key, label in [("name", "Force"), *COLUMNS]
        if key in ("name", "logged", "recorded_share", "official", "implied", "hidden", "logged_rate", "implied_rate")
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
        "run": RecomputeRun.objects.select_related("started_by").first() if viewer.national else None,
    }
    return render(request, "reports/dashboard.html", context)


def _trend(area: str, viewer: Viewer) -> list[dict[str, Any]]:
    full = viewer.full(area)
    trend = []
    for snapshot in snapshots_for_area(area):
        figures = area_figures(snapshot, area=area, name="", slug="", year=snapshot.financial_year, viewer=viewer)
        implied = snapshot.data.get("implied") if full else None
        trend.append(
            {
                "year": snapshot.financial_year,
                "label": financial_year_label(snapshot.financial_year),
                "figures": figures,
                "point": charts.TrendPoint(
                    financial_year_label(snapshot.financial_year),
                    # Small counts stay off the chart outside national staff views, as in tables.
                    snapshot.logged if full and (viewer.national or snapshot.logged >= SUPPRESS_BELOW) else None,
                    figures.raw["official"],
                    implied["total"] if implied else None,
                    implied["low"] if implied else None,
                    implied["high"] if implied else None,
                ),
            }
        )
    return trend


def _force_context(request: HttpRequest, slug: str) -> dict[str, Any]:
    viewer: Viewer = request.viewer  # type: ignore[attr-defined]
    force = get_object_or_404(Force, slug=slug)
    if not viewer.sees_force_page(force.code):
        raise Http404("No dashboard for this force.")
    trend = _trend(force.code, viewer)
    years = [item["year"] for item in reversed(trend)]
    year = _year(request, years)
    snapshot = snapshots_for_year(year).get(force.code)
    figures = area_figures(snapshot, area=force.code, name=force.short_name, slug=force.slug, year=year, viewer=viewer)
    tables = breakdown_tables(snapshot, viewer, force.code)
    return {
        "force": force,
        "viewer": viewer,
        "full": viewer.full(force.code),
        "trend": trend,
        "chart": charts.trend_chart(
            [item["point"] for item in trend], title=f"{force.short_name}: assaults by year", chart_id="trend"
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
                    [(label, count) for label, count, _ in table["rows"]],
                    title=table["title"],
                    chart_id=f"bd-{table['key']}",
                ),
            }
            if viewer.national
            else table
            for table in tables
        ],
    }


@viewer_required
def force_dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    context = _force_context(request, slug)
    if request.GET.get("format") == "csv":
        if request.GET.get("table") == "breakdowns":
            rows = [[t["title"], label, text] for t in context["breakdowns"] for label, _count, text in t["rows"]]
            return _csv(f"{slug}-{context['year']}-breakdowns.csv", ["Breakdown", "Answer", "Reports"], rows)
        header = ["Financial year", *[label for _, label in COLUMNS]]
        rows = [[item["label"], *[item["figures"].cells[key] for key, _ in COLUMNS]] for item in context["trend"]]
        return _csv(f"{slug}-trend.csv", header, rows)
    return render(request, "reports/force.html", context)


@viewer_required
def briefing(request: HttpRequest, slug: str, year: str) -> HttpResponse:
    request.GET = request.GET.copy()  # type: ignore[assignment]
    request.GET["year"] = year.split("-")[0]
    context = _force_context(request, slug)
    if str(context["year"]) != request.GET["year"]:
        raise Http404("No figures for that year.")
    figures = context["figures"]
    snapshot = context["snapshot"]
    data = snapshot.data if snapshot else {}
    context["headline"] = _headline(context["force"].short_name, context["year_label"], data, figures, context["full"])
    context["official"] = data.get("official")
    return render(request, "reports/briefing.html", context)


def _headline(name: str, year_label: str, data: dict[str, Any], figures: Any, full: bool) -> str:
    official = data.get("official")
    parts = [f"Officers in {name} logged {figures.cells['logged']} assaults in {year_label}"]
    recorded = data.get("recorded_share")
    if full and recorded:
        parts.append(
            f"{recorded['estimate'] * 100:.0f}% ({recorded['low'] * 100:.0f}–{recorded['high'] * 100:.0f}%) "
            "say they were officially recorded"
        )
    if official and official.get("total") is not None:
        kind = figures.cells.get("official_kind")
        sentence = f"the official figure was {official['total']:,}" + (f" ({kind})" if kind else "")
        implied = data.get("implied")
        if full and implied:
            sentence += f", implying about {implied['total']:,.0f} ({implied['low']:,.0f}–{implied['high']:,.0f})"
        parts.append(sentence)
    else:
        parts.append("no official figure has been published for that year")
    return "; ".join(parts) + "."


def method(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/method.html")


@require_POST
@viewer_required
def recompute(request: HttpRequest) -> HttpResponse:
    viewer: Viewer = request.viewer  # type: ignore[attr-defined]
    if not viewer.national:
        return render(request, "reports/no_access.html", status=403)
    try:
        run = services.recompute_run_start(actor=request.user)
    except services.RecomputeAlreadyRunning as running:
        started = timezone.localtime(running.run.started_at)
        messages.info(
            request, f"Recompute {running.run.pk}, started at {started:%H:%M}, is still running: nothing new started."
        )
    else:
        run.refresh_from_db()  # with tasks run in-process (the embedded default) it is done already
        if run.finished_at:
            messages.success(request, f"Recompute {run.pk} finished: every year is up to date.")
        else:
            messages.success(request, f"Recompute {run.pk} started. Refresh this page to follow it.")
    return redirect("reports:dashboard")
