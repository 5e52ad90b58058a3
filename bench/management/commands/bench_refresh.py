"""manage.py bench_refresh: what the statistics refresh costs after one report changes.

Run on a seeded database (seed_bench) with REDIS_URL set, so tasks are queued as in
production (the receipts it queues are left in the queue: flush it after). For --repeat
rounds, an officer of the force with the most reports this financial year files a quick log
through the real service (not timed); then reports.services.statistics_refresh runs and is
timed (wall clock, statements). For scale, it also times what one change cost before the
tallies (the whole year recomputed for every force) and a full recompute. The reports it
files are deleted afterwards and the refresh run again. Figures go in docs/performance.md;
the machines are shared and noisy, so it prints the median and the slowest round and never
asserts.
"""

from __future__ import annotations

import statistics as stats
import time
import uuid
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from config.celery import app as celery_app
from incidents import services as incident_services
from incidents.choices import AssaultKind, Injury, ReportedToForce
from incidents.models import Incident, StatisticsMark, User
from incidents.services.events import statistics_changed
from reports.periods import financial_year_of
from reports.selectors import counted_incidents
from reports.services import snapshots_recompute, statistics_refresh, tallies_recompute


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


class Command(BaseCommand):
    help = "Time the statistics refresh after one report changes, on a seeded database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--repeat", type=int, default=20)

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("The benchmark runs on PostgreSQL: set DATABASE_URL=postgres://...")
        if celery_app.conf.task_always_eager:
            # As in production: the refresh is the worker's, never run after each commit.
            raise CommandError("Set REDIS_URL=redis://...: tasks must be queued, not run in-process.")
        total = Incident.objects.count()
        if StatisticsMark.objects.exists():
            marks = StatisticsMark.objects.count()
            started = time.perf_counter()
            statistics_refresh()
            self.stdout.write(
                f"First refresh ({marks} marks waiting, e.g. after migrating): {_ms(self._since(started))}"
            )
        today = timezone.localdate()
        year = financial_year_of(today)
        busiest = counted_incidents(years=[year]).values("force_id").annotate(n=Count("id")).order_by("-n").first()
        if busiest is None:
            raise CommandError("No reports this financial year: seed first (seed_bench).")
        officer = User.objects.filter(officer_profile__force_id=busiest["force_id"]).order_by("pk").first()
        if officer is None:
            raise CommandError("No officer in the busiest force: seed first (seed_bench).")
        in_year = counted_incidents(years=[year]).count()
        self.stdout.write(
            f"{total:,} reports; {in_year:,} counted in {year}/{str(year + 1)[-2:]}, "
            f"{busiest['n']:,} of them in the busiest force"
        )
        filed: list[int] = []
        timings: list[float] = []
        queries: list[int] = []
        try:
            for _ in range(options["repeat"]):
                incident = incident_services.incident_quick_log(
                    officer=officer,
                    submission_key=uuid.uuid4(),
                    data={
                        "occurred_on": today,
                        "assaults": [AssaultKind.PUSH],
                        "injury": Injury.NONE,
                        "reported_to_force": ReportedToForce.NO,
                    },
                )
                filed.append(incident.pk)
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    covered = statistics_refresh()
                    timings.append(self._since(started))
                queries.append(len(captured))
                if covered != 1:
                    raise CommandError(f"expected one mark, the refresh covered {covered}")
            self.stdout.write(
                f"Refresh after one change ({len(timings)} rounds): median {_ms(stats.median(timings))}, "
                f"slowest {_ms(max(timings))}, {stats.median(queries):.0f} statements"
            )
            started = time.perf_counter()
            tallies_recompute([year])
            self.stdout.write(
                f"Tallies of every force in the year ({in_year:,} reports, as one force that size): "
                f"{_ms(self._since(started))}"
            )
            started = time.perf_counter()
            rewritten = snapshots_recompute(years=[year])
            self.stdout.write(
                f"The year recomputed whole (what one change cost before): {_ms(self._since(started))}, "
                f"{rewritten} snapshots rewritten (0: the refreshes had left every one exact)"
            )
            started = time.perf_counter()
            snapshots_recompute()
            self.stdout.write(f"Full recompute, every year (nightly): {_ms(self._since(started))}")
        finally:
            Incident.objects.filter(pk__in=filed).delete()
            statistics_changed(force_id=busiest["force_id"], occurred_on=today)
            statistics_refresh()
            self.stdout.write(f"Deleted the {len(filed)} reports filed; statistics refreshed.")

    @staticmethod
    def _since(started: float) -> float:
        return time.perf_counter() - started
