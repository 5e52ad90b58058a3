"""Writes: marking statistics stale, computing the snapshots, the full recompute runs."""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import time
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import connection, transaction
from django.db.models import Max, Min
from django.utils import timezone
from redis.exceptions import RedisError

from config.celery import app as celery_app
from config.celery import publish
from incidents.models import Force
from reports import statistics
from reports.estimates import year_estimates
from reports.models import NATIONAL, OfficialFigure, RecomputeMark, RecomputeRun, Snapshot
from reports.periods import financial_year_of
from reports.selectors import (
    Key,
    area_names,
    counted_incidents,
    estimate_sums,
    figure_summary,
    incident_counts,
    national_check,
    officer_strength_current,
    official_figures_ranked,
)

logger = logging.getLogger(__name__)

# The tasks queued here, by name (config.celery.publish).
RECOMPUTE_MARKED_TASK = "reports.tasks.snapshots_recompute_marked"
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


# -- marking stale -----------------------------------------------------------------


RECOMPUTE_CALLBACK = "enqueue snapshots_recompute_marked"
# Set in the cache while a recompute is queued and not yet started; the task clears it as it
# starts, before it reads the marks. A change committed while it is set is covered by that
# task, so it sends no other: a busy hour of filings queues a recompute now and then, not one
# per report. It expires on its own, so a task lost after it was set (or a web process that
# died between setting it and sending) holds back no change made after the expiry; the
# changes in between wait for the sweep (every 5 minutes), as a lost dispatch always has.
RECOMPUTE_QUEUED = "reports:recompute-queued"
RECOMPUTE_QUEUED_SECONDS = 120
# Without that flag (a per-process cache with a separate worker, or the cache down) each web
# process sends at most one recompute in this many seconds, timed to start when they are up:
# it reads the marks of every change the process committed meanwhile.
RECOMPUTE_BATCH_SECONDS = 10
# The worker times the start by its own clock: a second more for one a little ahead of ours.
RECOMPUTE_BATCH_START_SECONDS = RECOMPUTE_BATCH_SECONDS + 1
_batch_sent_until: dict[str, float] = {}
_monotonic = time.monotonic  # tests move this clock on


def _recompute_flag_shared() -> bool:
    """Whether the task clears the flag the web set: one shared cache (production's Redis),
    or tasks run in this process. A per-process memory cache with a separate worker would
    hold each web process's flag until it expires."""
    return _tasks_in_process() or not isinstance(caches["default"], LocMemCache)


def _tasks_in_process() -> bool:
    return bool(celery_app.conf.task_always_eager)


def statistics_mark_stale(*, keys: Iterable[tuple[str, int]]) -> None:
    """Mark each (area, year) and England and Wales for those years as needing recompute, in
    the caller's transaction, in one statement; one task after commit recomputes them, and the
    sweep catches any dispatch lost on the way."""
    keys = set(keys)
    if keys:
        _mark_stale(keys)


def incident_mark_stale(
    *, force_code: str, occurred_on: datetime.date, previously_on: datetime.date | None = None
) -> None:
    """A report changed: its year goes stale, and the year it counted in before if its date moved."""
    _mark_stale({(force_code, financial_year_of(day)) for day in (occurred_on, previously_on) if day})


def _mark_stale(keys: set[tuple[str, int]]) -> None:
    now = timezone.now()
    # One upsert for every mark, always in the same order, so two changes at once cannot
    # deadlock on each other's marks.
    marks = sorted({(key_area, year) for area, year in keys for key_area in (area, NATIONAL)})
    RecomputeMark.objects.bulk_create(
        [RecomputeMark(area=key_area, financial_year=year, marked_at=now) for key_area, year in marks],
        update_conflicts=True,
        unique_fields=["area", "financial_year"],
        update_fields=["marked_at"],
    )
    db = transaction.get_connection()
    # One dispatch per transaction however many marks it writes (an import writes hundreds).
    if any(getattr(callback, "__qualname__", "") == RECOMPUTE_CALLBACK for _, callback, _ in db.run_on_commit):
        return

    def enqueue() -> None:
        if _recompute_flag_shared():
            try:
                flagged = cache.add(RECOMPUTE_QUEUED, True, RECOMPUTE_QUEUED_SECONDS)
            except RedisError:
                logger.warning("cache unavailable: recompute batched in this process")
            else:
                if flagged:
                    _recompute_send_flagged()
                return  # else one is queued and will read this change's marks
        _recompute_send_batched()

    enqueue.__qualname__ = RECOMPUTE_CALLBACK
    transaction.on_commit(enqueue, robust=True)


def _recompute_send_flagged() -> None:
    try:
        publish(RECOMPUTE_MARKED_TASK)
    except Exception:
        _recompute_queued_clear()  # not queued after all: the next change tries again
        raise


def _recompute_send_batched() -> None:
    """One recompute per RECOMPUTE_BATCH_SECONDS from this process, starting at the end of
    them (tasks run in-process run at once: each change's own)."""
    if _tasks_in_process():
        publish(RECOMPUTE_MARKED_TASK)
        return
    now = _monotonic()
    if now < _batch_sent_until.get("recompute", 0.0):
        return  # the one sent moments ago starts after this commit
    _batch_sent_until["recompute"] = now + RECOMPUTE_BATCH_SECONDS
    try:
        publish(RECOMPUTE_MARKED_TASK, countdown=RECOMPUTE_BATCH_START_SECONDS)
    except Exception:
        _batch_sent_until.clear()  # not sent: the next change tries again
        raise


def recompute_batch_forget() -> None:
    """Send the next batched recompute at once (tests, and nothing else, need this)."""
    _batch_sent_until.clear()


def _recompute_queued_clear() -> None:
    try:
        cache.delete(RECOMPUTE_QUEUED)
    except RedisError:
        logger.warning("cache unavailable: could not clear the queued-recompute flag (it expires)")


# -- computing -----------------------------------------------------------------------


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


def _national(per_force: dict[Key, dict[str, Any]], year: int) -> dict[str, Any]:
    counts: dict[str, int] = defaultdict(int)
    breakdowns: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (_area, row_year), value in per_force.items():
        if row_year != year:
            continue
        for name, count in value["counts"].items():
            counts[name] += count
        for name, bucket in value["breakdowns"].items():
            for label, count in bucket.items():
                breakdowns[name][label] += count
    return {"counts": dict(counts), "breakdowns": {name: dict(bucket) for name, bucket in breakdowns.items()}}


@transaction.atomic
def snapshots_recompute(*, years: Iterable[int] | None = None, force_codes: Iterable[str] | None = None) -> int:
    """Recompute the snapshots of the given years (all when None) and upsert them.

    A snapshot whose numbers have not changed is left alone, so running this twice
    changes nothing. Returns how many snapshots were written.
    """
    years = None if years is None else sorted(set(years))
    # National figures need every force of the year, so a year is always recomputed whole.
    per_force = incident_counts(counted_incidents(years=years))
    sums = estimate_sums(years)
    ranked = official_figures_ranked()
    names = area_names()
    strength = officer_strength_current()
    wanted_years = set(years) if years is not None else {y for (_a, y) in per_force} | {y for (_a, y) in ranked}
    force_codes_all = list(Force.objects.order_by("code").values_list("code", flat=True))
    areas = [*force_codes_all, NATIONAL]
    force_filter = set(force_codes) | {NATIONAL} if force_codes is not None else None
    existing = {
        (area, year): digest
        for area, year, digest in Snapshot.objects.filter(financial_year__in=wanted_years).values_list(
            "area", "financial_year", "digest"
        )
    }
    now = timezone.now()
    written: list[tuple[Any, ...]] = []
    for year in sorted(wanted_years):
        used = {area: candidates[0] for (area, fy), candidates in ranked.items() if fy == year}
        rows = {area: row for (area, fy), row in sums.items() if fy == year}
        estimates = year_estimates(year, rows, used, force_codes_all)
        for area in areas:
            if force_filter is not None and area not in force_filter:
                continue
            source = _national(per_force, year) if area == NATIONAL else per_force.get((area, year))
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
    logger.info("snapshots recomputed written=%s years=%s", len(written), years or "all")
    return len(written)


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


@transaction.atomic
def snapshots_recompute_marked(*, limit: int = 200) -> int:
    """The sweep: recompute what is marked stale, then clear the marks it has covered.

    A mark set again while this runs has a later marked_at and survives for the next pass.
    The snapshots and the clearing of their marks commit together: a database lost between
    them leaves both as they were (tests/faults/test_database_down.py).
    """
    # Before the marks are read: a change committed from here on sends a recompute of its own.
    _recompute_queued_clear()
    marks = list(RecomputeMark.objects.order_by("marked_at")[:limit])
    if not marks:
        return 0
    snapshots_recompute(years={mark.financial_year for mark in marks})
    for mark in marks:
        RecomputeMark.objects.filter(pk=mark.pk, marked_at=mark.marked_at).delete()
    return len(marks)


# A run not finished by then was lost with its worker (the broker hands its task to another
# worker after the visibility timeout, 15 minutes, settings): another may be started.
RECOMPUTE_RUN_LOST_AFTER = datetime.timedelta(minutes=20)


class RecomputeAlreadyRunning(Exception):
    """A full recompute is under way: a second would only repeat its work."""

    def __init__(self, run: RecomputeRun) -> None:
        super().__init__(run.pk)
        self.run = run


def recompute_run_start(*, actor: AbstractBaseUser) -> RecomputeRun:
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
        run.update(error=f"Stopped by {type(error).__name__}; retried automatically if the database dropped out.")
        raise
    run.update(finished_at=timezone.now())
    return written


def _years_with_data() -> set[int]:
    bounds = counted_incidents().aggregate(first=Min("occurred_on"), last=Max("occurred_on"))
    years = set(OfficialFigure.objects.values_list("financial_year", flat=True))
    if bounds["first"]:
        years |= set(range(financial_year_of(bounds["first"]), financial_year_of(bounds["last"]) + 1))
    return years
