"""manage.py bench_aggregation --incidents N: time a full recompute of the snapshots
against one hand-written SQL GROUP BY over the same rows.

Synthetic reports (reference BENCH-…) are inserted by the database itself on
PostgreSQL (incidents/synthetic.py, shared with seed_bench) and removed
afterwards unless --keep. Figures go in docs/performance.md; this is a benchmark,
not a test: the machines are shared and noisy, so it reports the best of --repeat.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import IntegrityError, connection, transaction

from incidents.choices import AssaultKind, Duty, Injury, NotReportedReason, ServiceBand, Setting
from incidents.models import Force, Incident, OfficerProfile, User
from incidents.synthetic import CLEAR_ASSAULTS, synthetic_incidents_insert
from reports.models import Snapshot
from reports.services import snapshots_recompute

PREFIX = "BENCH-"
BENCH_DOMAIN = "bench.invalid"


def hand_written_sql() -> str:
    """One GROUP BY computing the same numbers as the recompute, written as plain SQL:
    the counts, and every breakdown as a FILTERed count (what happened from the bit summary).
    The baseline does the same work, so the ratio measures our own overhead."""
    injury = "CASE WHEN i.reviewed_injury = '' THEN i.injury ELSE i.reviewed_injury END"
    kinds = "CASE WHEN i.reviewed_assault_mask = 0 THEN i.assault_mask ELSE i.reviewed_assault_mask END"
    filters = [f"{injury} = '{value}'" for value in Injury.values]
    filters += [f"i.duty_type = '{value}'" for value in [*Duty.values, ""]]
    filters += [f"i.setting = '{value}'" for value in [*Setting.values, ""]]
    filters += ["i.single_crewed", "NOT i.single_crewed", "i.single_crewed IS NULL"]
    filters += [f"({kinds} & {1 << n}) <> 0" for n in range(len(AssaultKind.values))]
    filters += [f"(i.reason_mask & {1 << n}) <> 0" for n in range(len(NotReportedReason.values))]
    breakdowns = ",\n       ".join(f"COUNT(*) FILTER (WHERE {condition})" for condition in filters)
    return f"""
SELECT f.code,
       EXTRACT(YEAR FROM i.occurred_on) - CASE WHEN EXTRACT(MONTH FROM i.occurred_on) < 4 THEN 1 ELSE 0 END AS fy,
       COUNT(*),
       COUNT(*) FILTER (WHERE i.status = 'verified'),
       COUNT(*) FILTER (WHERE {injury} <> 'none'),
       COUNT(*) FILTER (WHERE {injury} = 'none'),
       COUNT(*) FILTER (WHERE i.reported_to_force = 'yes'),
       COUNT(*) FILTER (WHERE i.reported_to_force = 'no'),
       COUNT(*) FILTER (WHERE i.reported_to_force = 'not_yet'),
       COUNT(*) FILTER (WHERE i.recorded_as_crime = 'yes'),
       COUNT(*) FILTER (WHERE i.recorded_as_crime = 'no'),
       COUNT(*) FILTER (WHERE i.recorded_as_crime = 'dont_know'),
       {breakdowns}
FROM incidents_incident i JOIN incidents_force f ON f.id = i.force_id
WHERE i.status NOT IN ('draft', 'withdrawn', 'rejected')
GROUP BY 1, 2
"""  # noqa: S608 built only from the app's own choice values and bit positions


def _best(runs: list[float]) -> float:
    return min(runs)


class Command(BaseCommand):
    help = "Create N synthetic incidents and time a full recompute against a hand-written GROUP BY."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--incidents", type=int, default=100_000)
        parser.add_argument("--repeat", type=int, default=3)
        parser.add_argument("--keep", action="store_true", help="Leave the synthetic incidents in place.")

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("The benchmark runs on PostgreSQL: set DATABASE_URL=postgres://...")
        count = options["incidents"]
        self._clear()
        started = time.perf_counter()
        self._create(count)
        self.stdout.write(f"Inserted {count:,} incidents in {time.perf_counter() - started:.1f} s")
        try:
            hand, cold, warm = [], [], []
            for _ in range(options["repeat"]):
                with connection.cursor() as cursor:
                    start = time.perf_counter()
                    cursor.execute(hand_written_sql())
                    cursor.fetchall()
                    hand.append(time.perf_counter() - start)
                Snapshot.objects.all().delete()
                start = time.perf_counter()
                written = snapshots_recompute()  # every snapshot written
                cold.append(time.perf_counter() - start)
                start = time.perf_counter()
                snapshots_recompute()  # nothing changed: nothing written (the nightly run)
                warm.append(time.perf_counter() - start)
            self.stdout.write(
                f"incidents={count:,} hand_written_group_by={_best(hand) * 1000:.0f} ms "
                f"recompute_cold={_best(cold) * 1000:.0f} ms "
                f"(x{_best(cold) / _best(hand):.2f}, {written} snapshots written) "
                f"recompute_warm={_best(warm) * 1000:.0f} ms (x{_best(warm) / _best(hand):.2f})"
            )
        finally:
            if not options["keep"]:
                self._clear()

    def _officers(self) -> list[int]:
        ids = []
        for force in Force.objects.order_by("code"):
            user, created = User.objects.get_or_create(email=f"bench.{force.slug}@{BENCH_DOMAIN}")
            if created:
                OfficerProfile.objects.create(
                    user=user,
                    force=force,
                    display_name="Bench",
                    usual_duty=Duty.RESPONSE,
                    service_band=ServiceBand.UNDER_2,
                )
            ids.append(user.pk)
        return ids

    @transaction.atomic
    def _create(self, count: int) -> None:
        officers = self._officers()
        with connection.cursor() as cursor:
            synthetic_incidents_insert(cursor, prefix=PREFIX, count=count, officer_ids=officers)

    def _clear(self) -> None:
        # The benchmark creates reports and their assault rows only: two plain DELETEs take
        # seconds where the ORM's cascade collects a million objects in memory first. Should
        # anything else hang off a synthetic report, the foreign keys refuse, and the ORM's
        # cascade does it the slow way.
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(CLEAR_ASSAULTS, [PREFIX + "%"])
                cursor.execute("DELETE FROM incidents_incident WHERE reference LIKE %s", [PREFIX + "%"])
        except IntegrityError:
            with transaction.atomic():
                Incident.objects.filter(reference__startswith=PREFIX).delete()
