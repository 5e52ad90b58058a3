"""The project's Celery app, for a worker started by a fault test:
``celery -A tests.faults.worker_app worker`` with FAULT_HOLD_DIR set.

In each pool process it wraps reports.services.snapshots._snapshots_upsert so that the second
upsert (the second financial year of a full recompute: the first is committed, the second
written but not) holds its transaction open forever, the first time any process gets
there. The test reads that process's pid from FAULT_HOLD_DIR/held and kills it. Every
upsert is noted in FAULT_HOLD_DIR/upserts as "<pid> <rows>". Nothing here is imported
by the project itself.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from celery.signals import worker_process_init

from config.celery import app

__all__ = ["app"]

if "FAULT_VISIBILITY_TIMEOUT" in os.environ:
    # A worker standing in for the one that replaced a dead machine, seconds rather than
    # minutes later: messages the dead worker held count as lost after this many seconds,
    # and this worker looks for them every second.
    app.conf.broker_transport_options = {
        **app.conf.broker_transport_options,
        "visibility_timeout": float(os.environ["FAULT_VISIBILITY_TIMEOUT"]),
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
    }

HOLD_AT_UPSERT = 2


@worker_process_init.connect
def _hold_mid_recompute(**kwargs: Any) -> None:
    from reports.services import snapshots as services

    hold_dir = Path(os.environ["FAULT_HOLD_DIR"])
    upsert = services._snapshots_upsert
    calls = 0

    def held_upsert(rows: list[tuple[Any, ...]]) -> None:
        nonlocal calls
        upsert(rows)
        calls += 1
        with open(hold_dir / "upserts", "a") as log:
            log.write(f"{os.getpid()} {len(rows)}\n")
        if calls != HOLD_AT_UPSERT:
            return
        try:  # the first process to get here holds; any later one (the redelivery) goes on
            claim = os.open(hold_dir / "held", os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            return
        os.write(claim, str(os.getpid()).encode())
        os.close(claim)
        while True:  # until the test kills this process
            time.sleep(0.05)

    services._snapshots_upsert = held_upsert
