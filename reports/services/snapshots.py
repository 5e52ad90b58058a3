"""Writes: the statistics brought up to date with the reports, and the full recompute.

The one path. A change to a report marks its force and financial year in its own
transaction (incidents.models.StatisticsMark). statistics_refresh, run every 30 seconds by
Celery beat (and as soon as a change commits when tasks run in-process, ``make run``), then:

1. recomputes each marked force and year's tally from that force and year's reports only;
2. recomputes the snapshots of those years from the tallies: each force's, and England and
   Wales as their sum (reports.estimates fits each force's pool from the others, so a year's
   estimates are rebuilt together, from the tallies, without reading the reports again);
3. deletes the marks it covered, in the same transaction.

A change committed meanwhile moves its mark's time on, so the mark survives for the next run;
a run repeated or redelivered finds the snapshots unchanged (by their digest) and writes
nothing. An official figures import rebuilds its years' snapshots in its own transaction.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import re
from collections import defaultdict
from collections.abc import Iterable
from functools import reduce
from operator import or_
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max, Min, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from config.celery import app as celery_app
from config.celery import publish
from incidents.models import Force, StatisticsMark, User
from reports import statistics
from reports.estimates import year_estimates
from reports.models import NATIONAL, OfficialFigure, RecomputeRun, Snapshot, Tally
from reports.periods import financial_year_of
from reports.selectors import (
    area_names,
    counted_incidents,
    estimate_sums,
    figure_summary,
    incident_counts,
    national_check,
    officer_strength_current,
    official_figures_ranked,
    used_checks,
)

logger = logging.getLogger(__name__)

# The tasks queued here, by name (config.celery.publish).
REFRESH_TASK = "reports.tasks.statistics_refresh"
RECOMPUTE_ALL_TASK = "reports.tasks.snapshots_recompute_all"

COUNT_FIELDS = (
    "logged",
    "verified",
    "with_injury",
    "without_injury",
    "reported_yes",
    "reported_no",
    "reported_not_yet",
    "recorded_yes",
    "recorded_no",
    "recorded_dont_know",
)


# -- the refresh -------------------------------------------------------------------


@transaction.atomic
def statistics_refresh() -> int:
    """Bring the statistics up to date with every report changed since the last run (the
    module's docstring). Returns how many marks it covered."""
    marks = list(StatisticsMark.objects.order_by("force_id", "financial_year"))
    if not marks:
        return 0
    years = {mark.financial_year for mark in marks}
    # Every marked force in every marked year: usually one of each; a few extra pairs are
    # recounted to the same numbers, and the two queries stay two.
    tallies_recompute(years, force_ids={mark.force_id for mark in marks})
    snapshots_from_tallies(years)
    covered = reduce(or_, (Q(pk=mark.pk, marked_at=mark.marked_at) for mark in marks))
    StatisticsMark.objects.filter(covered).delete()
    return len(marks)


def statistics_refresh_soon(**_signal: Any) -> None:
    """The receiver of incidents.signals.statistics_marked. Where tasks run in this process
    (``make run``, most tests) the refresh runs as soon as the change commits, so a page
    shows it at once; with a worker, Celery beat runs it (settings.CELERY_BEAT_SCHEDULE)."""
    if not celery_app.conf.task_always_eager:
        return

    def refresh() -> None:
        publish(REFRESH_TASK)

    refresh.__qualname__ = f"enqueue {REFRESH_TASK}"
    transaction.on_commit(refresh, robust=True)


# -- tallies: one force and year's reports, counted ---------------------------------------


def tallies_recompute(years: Iterable[int], *, force_ids: Iterable[int] | None = None) -> None:
    """Recount the tallies of the given years: of the given forces (every force when None),
    from their reports alone, in two grouped queries whatever the number of years. A force
    and year left with no counted report loses its tally."""
    years = sorted(set(years))
    force_ids = None if force_ids is None else set(force_ids)
    counts = incident_counts(counted_incidents(years=years, force_ids=force_ids))
    sums = estimate_sums(years, force_ids=force_ids)
    forces = Force.objects.all() if force_ids is None else Force.objects.filter(pk__in=force_ids)
    codes = list(forces.values_list("code", flat=True))
    now = timezone.now()
    tallies = [
        Tally(
            area=code,
            financial_year=year,
            computed_at=now,
            counts=counts[(code, year)]["counts"],
            breakdowns=counts[(code, year)]["breakdowns"],
            sums=sums.get((code, year), {}),
        )
        for code, year in sorted(counts)
        if code in codes and year in years
    ]
    kept = Q()
    for tally in tallies:
        kept |= Q(area=tally.area, financial_year=tally.financial_year)
    Tally.objects.filter(financial_year__in=years, area__in=codes).exclude(kept).delete()
    Tally.objects.bulk_create(
        tallies,
        update_conflicts=True,
        unique_fields=["area", "financial_year"],
        update_fields=["computed_at", "counts", "breakdowns", "sums"],
    )


# -- snapshots: the pages' figures, from the tallies --------------------------------------


def snapshot_data(
    counts: dict[str, int],
    breakdowns: dict[str, Any],
    official: dict[str, Any] | None,
    officers: float | None,
    estimate: dict[str, Any] | None,
) -> dict[str, Any]:
    """Everything a page shows for one area and year: counts made by the database, the official
    figure used (figure_summary) and the estimate (reports.estimates); only a figure compared
    with the entries gives an implied total, any other is shown with why."""
    counts = {name: counts.get(name, 0) for name in COUNT_FIELDS}
    counts["pending"] = counts["logged"] - counts["verified"]
    estimate = estimate or {}
    implied = estimate.get("implied")
    official_count = official["total"] if official else None
    active = estimate.get("active_officers") or 0
    return {
        "counts": counts,
        "estimate": estimate,
        "official": official,
        "comparable": bool(official and official["compared"]),
        "implied": implied,
        "adoption": {"officers": active, "per_officer": counts["logged"] / active if active else None},
        "officers_fte": officers,
        "rates": {
            "logged": statistics.per_thousand(counts["logged"], officers),
            "official": statistics.per_thousand(official_count, officers),
            "implied": statistics.per_thousand(implied["total"] if implied else None, officers),
        },
        "breakdowns": breakdowns,
    }


def _national(tallies: Iterable[Tally]) -> dict[str, Any]:
    """England and Wales: the forces' tallies added up."""
    counts: dict[str, int] = defaultdict(int)
    breakdowns: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for tally in tallies:
        for name, count in tally.counts.items():
            counts[name] += count
        for name, bucket in tally.breakdowns.items():
            for label, count in bucket.items():
                breakdowns[name][label] += count
    return {"counts": dict(counts), "breakdowns": {name: dict(bucket) for name, bucket in breakdowns.items()}}


def snapshots_from_tallies(years: Iterable[int]) -> int:
    """Rebuild the snapshots of the given years from the tallies, the official figures and
    officer strength; upsert those that changed. Running it twice changes nothing. Returns
    how many snapshots were written.

    The words a snapshot keeps (an official figure's basis and source, why there is no
    estimate) are in English, whichever page's request made it (tasks may run in the request's
    process): the same words every time, so the digest holds. Pages make their own words, in
    their language, from the numbers and codes the snapshot keeps (reports.tables)."""
    with translation.override(settings.LANGUAGE_CODE):
        return _snapshots_from_tallies(years)


def _snapshots_from_tallies(years: Iterable[int]) -> int:
    years = sorted(set(years))
    if not years:
        return 0
    by_year: dict[int, dict[str, Tally]] = defaultdict(dict)
    for row in Tally.objects.filter(financial_year__in=years):
        by_year[row.financial_year][row.area] = row
    ranked = official_figures_ranked(years=years)
    used_in = used_checks(years)
    names = area_names()
    strength = officer_strength_current()
    force_codes = list(Force.objects.order_by("code").values_list("code", flat=True))
    existing = {
        (area, year): digest
        for area, year, digest in Snapshot.objects.filter(financial_year__in=years).values_list(
            "area", "financial_year", "digest"
        )
    }
    now = timezone.now()
    written: list[tuple[Any, ...]] = []
    for year in years:
        tallies = by_year[year]
        used = {area: candidates[0] for (area, fy), candidates in ranked.items() if fy == year}
        checks = {area: check for (area, fy), check in used_in.items() if fy == year}
        estimates = year_estimates(year, {code: t.sums for code, t in tallies.items()}, used, force_codes, checks)
        for area in [*force_codes, NATIONAL]:
            tally = tallies.get(area)
            source = (
                _national(tallies.values())
                if area == NATIONAL
                else {"counts": tally.counts, "breakdowns": tally.breakdowns}
                if tally
                else None
            )
            candidates = ranked.get((area, year), [])
            figure = candidates[0] if candidates else None
            if source is None and figure is None and (area, year) not in existing:
                continue
            source = source or {"counts": {}, "breakdowns": {}}
            official = None
            if figure is not None:
                official = figure_summary(figure, names)
                official["check"] = national_check(candidates) if area == NATIONAL else None
            data = snapshot_data(
                source["counts"], source["breakdowns"], official, strength.get((area, year)), estimates.get(area)
            )
            document = json.dumps(data, sort_keys=True, separators=(",", ":"))
            figure_id = figure.pk if figure else None
            digest = hashlib.sha256(f"{figure_id}:{document}".encode()).hexdigest()
            if existing.get((area, year)) == digest:
                continue
            counts = data["counts"]
            written.append((area, year, now, figure_id, counts["logged"], counts["verified"], document, digest))
    _snapshots_upsert(written)
    logger.info("snapshots written=%s years=%s", len(written), ",".join(map(str, years)))
    return len(written)


@transaction.atomic
def snapshots_recompute(*, years: Iterable[int] | None = None) -> int:
    """Recount every force's tallies of the given years (all years with data when None) and
    rebuild their snapshots: the full recompute, for the nightly run and national staff's
    button. Returns how many snapshots were written."""
    wanted = sorted(set(years) if years is not None else _years_with_data())
    tallies_recompute(wanted)
    return snapshots_from_tallies(wanted)


SNAPSHOT_UPSERT = """
INSERT INTO reports_snapshot (area, financial_year, computed_at, official_figure_id, logged, verified, data, digest)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s)
ON CONFLICT (area, financial_year) DO UPDATE SET
    computed_at = excluded.computed_at, official_figure_id = excluded.official_figure_id,
    logged = excluded.logged, verified = excluded.verified, data = excluded.data, digest = excluded.digest
"""


def _snapshots_upsert(rows: list[tuple[Any, ...]]) -> None:
    """Upsert snapshot rows under (area, financial_year), the JSON already serialised.

    Plain INSERT ... ON CONFLICT through executemany (pipelined by psycopg): half the time
    of bulk_create, whose UNNEST of a jsonb array escapes every quote in the documents.
    """
    if not rows:
        return
    with connection.cursor() as cursor:
        cursor.executemany(SNAPSHOT_UPSERT, rows)


# A run not finished by then was lost with its worker (the broker hands its task to another
# worker after the visibility timeout, 15 minutes, settings): another may be started.
RECOMPUTE_RUN_LOST_AFTER = datetime.timedelta(minutes=20)


class RecomputeAlreadyRunning(Exception):
    """A full recompute is under way: a second would only repeat its work."""

    def __init__(self, run: RecomputeRun) -> None:
        super().__init__(run.pk)
        self.run = run


def recompute_run_start(*, actor: User) -> RecomputeRun:
    """Start a full recompute, one at a time: pressed again while one runs, it says so."""
    running = RecomputeRun.objects.filter(
        finished_at__isnull=True, error="", started_at__gte=timezone.now() - RECOMPUTE_RUN_LOST_AFTER
    ).first()
    if running is not None:
        raise RecomputeAlreadyRunning(running)
    run = RecomputeRun.objects.create(started_by=actor)
    run_id = run.pk

    def enqueue() -> None:
        publish(RECOMPUTE_ALL_TASK, run_id)

    enqueue.__qualname__ = "enqueue snapshots_recompute_all"
    transaction.on_commit(enqueue, robust=True)
    return run


def snapshots_recompute_all(*, run_id: int | None = None) -> int:
    """Recompute every year, one year at a time, reporting progress on the run."""
    years = sorted(_years_with_data())
    run = RecomputeRun.objects.filter(pk=run_id) if run_id else RecomputeRun.objects.none()
    run.update(areas_total=len(years), areas_done=0, error="")
    written = 0
    try:
        for done, year in enumerate(years, start=1):
            written += snapshots_recompute(years=[year])
            run.update(areas_done=done)
    except Exception as error:
        # Shown on the dashboard (the kind of failure only, never data); the task retries a
        # database outage, and the years already done are saved.
        run.update(error=RECOMPUTE_STOPPED % {"error": type(error).__name__})
        raise
    run.update(finished_at=timezone.now())
    return written


# Kept on the run in English; the dashboard shows it in its own language (recompute_error_text).
RECOMPUTE_STOPPED = gettext_noop("Stopped by %(error)s; retried automatically if the database dropped out.")
RECOMPUTE_STOPPED_RE = re.compile(r"Stopped by (\w+); retried automatically if the database dropped out\.")


def recompute_error_text(error: str) -> str:
    """A run's error, as the task kept it (in English), in the page's language."""
    match = RECOMPUTE_STOPPED_RE.fullmatch(error)
    return _(RECOMPUTE_STOPPED) % {"error": match[1]} if match else error


def _years_with_data() -> set[int]:
    bounds = counted_incidents().aggregate(first=Min("occurred_on"), last=Max("occurred_on"))
    years = set(OfficialFigure.objects.values_list("financial_year", flat=True))
    if bounds["first"]:
        years |= set(range(financial_year_of(bounds["first"]), financial_year_of(bounds["last"]) + 1))
    return years
