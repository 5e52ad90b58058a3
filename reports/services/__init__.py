"""Writes. snapshots: the statistics brought up to date with the reports, the full
recompute; figures: importing official figures and officer strength; checks: the recording
check's sample of crime references."""

from __future__ import annotations

from reports.services.checks import check_eligible, check_margin, recording_check_draw
from reports.services.figures import ImportPlan, ImportRefused, Release, official_figures_import
from reports.services.snapshots import (
    RecomputeAlreadyRunning,
    recompute_run_start,
    snapshot_data,
    snapshots_from_tallies,
    snapshots_recompute,
    snapshots_recompute_all,
    statistics_refresh,
    statistics_refresh_soon,
    tallies_recompute,
)

__all__ = [
    "check_eligible",
    "check_margin",
    "recording_check_draw",
    "ImportPlan",
    "ImportRefused",
    "RecomputeAlreadyRunning",
    "Release",
    "official_figures_import",
    "recompute_run_start",
    "snapshot_data",
    "snapshots_from_tallies",
    "snapshots_recompute",
    "snapshots_recompute_all",
    "statistics_refresh",
    "statistics_refresh_soon",
    "tallies_recompute",
]
