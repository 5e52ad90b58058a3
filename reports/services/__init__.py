"""Writes. snapshots: marking statistics stale, computing the snapshots, the full recompute;
figures: importing official figures and officer strength."""

from __future__ import annotations

from reports.services.figures import ImportPlan, ImportRefused, Release, official_figures_import
from reports.services.snapshots import (
    RECOMPUTE_QUEUED,
    RecomputeAlreadyRunning,
    incident_mark_stale,
    recompute_batch_forget,
    recompute_run_start,
    snapshot_data,
    snapshots_recompute,
    snapshots_recompute_all,
    snapshots_recompute_marked,
    statistics_mark_stale,
)

__all__ = [
    "RECOMPUTE_QUEUED",
    "ImportPlan",
    "ImportRefused",
    "RecomputeAlreadyRunning",
    "Release",
    "incident_mark_stale",
    "official_figures_import",
    "recompute_batch_forget",
    "recompute_run_start",
    "snapshot_data",
    "snapshots_recompute",
    "snapshots_recompute_all",
    "snapshots_recompute_marked",
    "statistics_mark_stale",
]
