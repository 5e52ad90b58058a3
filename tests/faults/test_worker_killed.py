"""A worker process killed in the middle of a full recompute: the task is delivered again
(acks_late + reject_on_worker_lost) and the snapshots come out as from a clean run."""

from __future__ import annotations

import contextlib
import datetime
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from incidents.choices import Injury, RecordedAsCrime, ReportedToForce, Status
from incidents.models import User
from reports.models import RecomputeRun, Snapshot
from reports.services import recompute_run_start, snapshots_recompute_all
from tests.conftest import transactional_db
from tests.factories import IncidentFactory
from tests.faults.services import RedisServer, broker, die_with_parent, wait_for

pytestmark = [pytest.mark.redis, pytest.mark.postgres, transactional_db]


def database_url() -> str:
    """The pytest database (test_<name>), whose committed rows the worker process reads."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


class Worker:
    """``celery worker --pool=prefork --concurrency=1`` in its own process group."""

    def __init__(self, broker_url: str, hold_dir: Path, name: str, **extra_env: str) -> None:
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "REDIS_URL": broker_url,
            "FAULT_HOLD_DIR": str(hold_dir),
            "DJANGO_SETTINGS_MODULE": "config.settings",
            **extra_env,
        }
        self.log_path = hold_dir / f"{name}.log"
        self.log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "tests.faults.worker_app", "worker", "--hostname", f"{name}@%h"]
            + ["--pool=prefork", "--concurrency=1", "--loglevel=INFO", "--without-gossip", "--without-mingle"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # one group: the parent and its pool children
            preexec_fn=die_with_parent,
        )

    def kill(self) -> None:
        """SIGKILL the whole group (parent and pool) and wait: nothing may keep the test database open."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)
        wait_for(lambda: not self._group_alive(), timeout=10)
        self.log.close()

    def _group_alive(self) -> bool:
        try:
            os.killpg(self.process.pid, 0)
        except ProcessLookupError:
            return False
        return True


class Workers:
    def __init__(self, broker_url: str, hold_dir: Path) -> None:
        self.broker_url, self.hold_dir = broker_url, hold_dir
        self.started: list[Worker] = []

    def start(self, **extra_env: str) -> Worker:
        worker = Worker(self.broker_url, self.hold_dir, f"worker{len(self.started) + 1}", **extra_env)
        self.started.append(worker)
        return worker

    def logs(self) -> str:
        return "\n".join(read(worker.log_path) for worker in self.started)

    def read(self, name: str) -> str:
        return read(self.hold_dir / name)


@pytest.fixture
def workers(redis_server: RedisServer, tmp_path: Path) -> Iterator[Workers]:
    with broker(redis_server.url):
        started = Workers(redis_server.url, tmp_path)
        try:
            yield started
        finally:
            for worker in started.started:
                worker.kill()


def snapshot_rows() -> list[tuple[Any, ...]]:
    return list(
        Snapshot.objects.order_by("area", "financial_year").values_list(
            "area", "financial_year", "official_figure_id", "logged", "verified", "data", "digest"
        )
    )


def read(path: Path) -> str:
    return path.read_text() if path.exists() else ""


@pytest.fixture
def clean_run(officer: User, other_force_officer: User) -> list[tuple[Any, ...]]:
    """Reports in three financial years, and the snapshots a clean full recompute gives them
    (computed here, then wiped for the worker to do again)."""
    for day, status, injury in (
        (datetime.date(2021, 6, 1), Status.VERIFIED, Injury.MINOR),
        (datetime.date(2022, 5, 1), Status.SUBMITTED, Injury.NONE),
        (datetime.date(2022, 9, 1), Status.VERIFIED, Injury.MEDICAL),
        (datetime.date(2023, 6, 1), Status.IN_REVIEW, Injury.SERIOUS),
    ):
        for who in (officer, other_force_officer):
            IncidentFactory(
                officer=who,
                occurred_on=day,
                status=status,
                injury=injury,
                reported_to_force=ReportedToForce.YES,
                recorded_as_crime=RecordedAsCrime.YES,
            )
    snapshots_recompute_all()
    clean = snapshot_rows()
    assert {row[1] for row in clean} == {2021, 2022, 2023}
    Snapshot.objects.all().delete()
    return clean


def recompute_held_mid_way(workers: Workers, national_staff: User) -> tuple[RecomputeRun, int]:
    """Start a full recompute from the dashboard's service and wait until the worker holds it
    in its second year; return the run and the pid of the pool process running it."""
    run = recompute_run_start(actor=national_staff)  # published to the workers' Redis
    assert wait_for(lambda: workers.read("held").strip(), timeout=30), "never reached year 2:\n" + workers.logs()
    run.refresh_from_db()
    # Mid-way: 2021 is committed, 2022 written but not committed, 2023 not started.
    assert (run.areas_total, run.areas_done, run.finished_at) == (3, 1, None)
    assert {year for (_area, year, *_rest) in snapshot_rows()} == {2021}
    return run, int(workers.read("held"))


def assert_finished_as_a_clean_run(
    workers: Workers, run: RecomputeRun, killed: int, clean: list[tuple[Any, ...]]
) -> None:
    def finished() -> bool:
        run.refresh_from_db()
        return run.finished_at is not None

    assert wait_for(finished, timeout=30), "the task was not delivered again:\n" + workers.logs()
    # Delivered again to another process, which ran it from the start (three years).
    runs_by = [int(line.split()[0]) for line in workers.read("upserts").splitlines()]
    assert runs_by[:2] == [killed, killed]
    assert len(runs_by) == 5 and killed not in runs_by[2:]
    assert (run.areas_total, run.areas_done, run.error) == (3, 3, "")
    assert snapshot_rows() == clean
    assert RecomputeRun.objects.count() == 1


def test_a_pool_process_killed_mid_recompute_gets_the_task_again_and_the_result_is_a_clean_runs(
    national_staff: User, workers: Workers, clean_run: list[tuple[Any, ...]]
) -> None:
    workers.start()
    run, killed = recompute_held_mid_way(workers, national_staff)
    # The pool process running the task, as the OOM killer would. The worker's main process
    # sees it go, rejects the message back onto the queue (acks_late + reject_on_worker_lost)
    # and hands it to the new pool process it starts.
    os.kill(killed, signal.SIGKILL)
    assert_finished_as_a_clean_run(workers, run, killed, clean_run)


def test_a_whole_worker_killed_mid_recompute_has_its_task_taken_up_by_another(
    national_staff: User, workers: Workers, clean_run: list[tuple[Any, ...]]
) -> None:
    first = workers.start()
    run, killed = recompute_held_mid_way(workers, national_staff)
    # The machine is lost: the main process too, so nothing gives the message back. It stays
    # in Redis as delivered-but-unacknowledged until the visibility timeout (settings: 15
    # minutes in production; here a few seconds) makes it the next worker's.
    first.kill()
    workers.start(FAULT_VISIBILITY_TIMEOUT="3")
    assert_finished_as_a_clean_run(workers, run, killed, clean_run)
