"""Writes. snapshots: the statistics brought up to date with the reports, the full
recompute; figures: importing official figures and officer strength."""

from __future__ import annotations

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
