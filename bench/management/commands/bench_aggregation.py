"""manage.py bench_aggregation --incidents N: time a full recompute of the snapshots
against hand-written SQL computing the same sums over the same rows.

Synthetic reports (reference BENCH-…) and their officers (one per --per-officer reports,
bench.officer.<n>@bench.invalid) are inserted by the database itself on PostgreSQL
(bench/synthetic.py, shared with seed_bench) and removed afterwards unless --keep.
Figures go in docs/performance.md; this is a benchmark, not a test: the machines are shared
and noisy, so it reports the best of --repeat.
"""

from __future__ import annotations

import re
import time
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import IntegrityError, connection, transaction

from bench.synthetic import CLEAR_ASSAULTS, synthetic_incidents_insert, synthetic_officers
from incidents.choices import AssaultKind, Duty, Injury, NotReportedReason, Setting
from incidents.models import Force, Incident, User, choice_bit, choice_mask
from reports.importing import parse_official_file
from reports.management.commands.seed_demo import OFFICIAL_DATA, OFFICIAL_FILES, OFFICIAL_RELEASE
from reports.models import OfficialFigure, Snapshot
from reports.selectors import estimate_sums
from reports.services import official_figures_import, snapshots_recompute

PREFIX = "BENCH-"
BENCH_DOMAIN = "bench.invalid"
OFFICER_PREFIX = "bench.officer."


def hand_written_sql() -> str:
    """One GROUP BY computing the same numbers as the recompute, written as plain SQL:
    the counts, and every breakdown as a FILTERed count (what happened from the bit summary).
    The baseline does the same work, so the ratio measures our own overhead."""
    injury = "CASE WHEN i.reviewed_injury = '' THEN i.injury ELSE i.reviewed_injury END"
    kinds = "CASE WHEN i.reviewed_assault_mask = 0 THEN i.assault_mask ELSE i.reviewed_assault_mask END"
    filters = [f"{injury} = '{value}'" for value in Injury.values]
    filters += [f"i.duty_type = '{value}'" for value in [*Duty.values, ""]]
    filters += [f"i.setting = '{value}'" for value in [*Setting.values, ""]]
    filters += [f"i.single_crewed = '{value}'" for value in ["yes", "no", "unsure", ""]]
    filters += [f"({kinds} & {choice_bit(AssaultKind, kind)}) <> 0" for kind in AssaultKind.values]
    filters += [
        f"(i.reason_mask & {choice_bit(NotReportedReason, reason)}) <> 0" for reason in NotReportedReason.values
    ]
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


# The estimate's sums, written out by hand (reports.selectors.estimate_sums builds the same
# from the app's choices): each officer's counts per force and year, then per force and year
# their sums and the sums of products of each officer's counts. Physical assaults only (not a
# threat alone, not a sexual assault); with injury (w), without (o), and all (a = w + o).
MOMENT_COUNTS = {
    "n": "TRUE",
    "r": "i.reported_to_force = 'yes'",
    "y": "i.reported_to_force = 'yes' AND i.recorded_as_crime = 'yes'",
    "m": "i.reported_to_force = 'yes' AND i.recorded_as_crime = 'no'",
    "d": "i.reported_to_force = 'yes' AND i.recorded_as_crime = 'dont_know'",
}
MOMENT_PRODUCTS = {
    "nn": "n * n", "rr": "r * r", "rn": "r * n", "yy": "y * y", "yq": "y * (y + m)",
    "qq": "(y + m) * (y + m)", "ry": "r * y", "rq": "r * (y + m)", "ny": "n * y", "nq": "n * (y + m)",
}  # fmt: skip


def hand_written_moments_sql() -> str:
    injury = "CASE WHEN i.reviewed_injury = '' THEN i.injury ELSE i.reviewed_injury END"
    kinds = "CASE WHEN i.reviewed_assault_mask = 0 THEN i.assault_mask ELSE i.reviewed_assault_mask END"
    physical = choice_mask(AssaultKind, [k for k in AssaultKind.values if k not in ("threat", "sexual")])
    inner, both, outer = [], [], []
    for part, scope in (("w", f"{injury} <> 'none'"), ("o", f"{injury} = 'none'")):
        for name, condition in MOMENT_COUNTS.items():
            inner.append(
                f"COUNT(*) FILTER (WHERE ({kinds}) & {physical} <> 0 AND {scope} AND {condition}) AS {part}_{name}"
            )
    both = [f"w_{name} + o_{name} AS a_{name}" for name in MOMENT_COUNTS]
    for part in ("w", "o", "a"):
        outer.append(f"COUNT(*) FILTER (WHERE {part}_n > 0) AS {part}_officers")
        outer += [f"SUM({part}_{name}) AS {part}_{name}" for name in MOMENT_COUNTS]
        for product, expression in MOMENT_PRODUCTS.items():
            named = re.sub(r"\b([nrym])\b", rf"{part}_\1", expression)  # "r * (y + m)" -> "w_r * (w_y + w_m)"
            outer.append(f"SUM({named}) AS {part}_{product}")
    return f"""
WITH per_officer AS (
  SELECT i.force_id,
         EXTRACT(YEAR FROM i.occurred_on) - CASE WHEN EXTRACT(MONTH FROM i.occurred_on) < 4 THEN 1 ELSE 0 END AS fy,
         COALESCE(i.officer_id, -i.id) AS officer,
         COUNT(*) FILTER (WHERE ({kinds}) & {physical} = 0) AS out_of_scope,
         {", ".join(inner)}
  FROM incidents_incident i
  WHERE i.status NOT IN ('draft', 'withdrawn', 'rejected')
  GROUP BY 1, 2, 3
), with_all AS (
  SELECT *, {", ".join(both)} FROM per_officer
), per_force AS (
  SELECT force_id, fy, COUNT(*) AS active_officers, SUM(out_of_scope) AS out_of_scope, {", ".join(outer)}
  FROM with_all GROUP BY force_id, fy
)
SELECT f.code, per_force.* FROM per_force JOIN incidents_force f ON f.id = per_force.force_id
"""  # noqa: S608 built only from the app's own choice values and bit positions


def _best(runs: list[float]) -> float:
    return min(runs)


class Command(BaseCommand):
    help = "Create N synthetic incidents and time a full recompute against hand-written SQL."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--incidents", type=int, default=100_000)
        parser.add_argument("--per-officer", type=int, default=10, help="Reports per officer (default 10).")
        parser.add_argument("--repeat", type=int, default=3)
        parser.add_argument("--keep", action="store_true", help="Leave the synthetic incidents in place.")

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("The benchmark runs on PostgreSQL: set DATABASE_URL=postgres://...")
        count = options["incidents"]
        self._clear()
        started = time.perf_counter()
        officers = self._create(count, max(1, options["per_officer"]))
        self.stdout.write(
            f"Inserted {count:,} incidents by {officers:,} officers in {time.perf_counter() - started:.1f} s"
        )
        self._figures()
        try:
            self._check()
            hand, cold, warm = [], [], []
            for _ in range(options["repeat"]):
                with connection.cursor() as cursor:
                    start = time.perf_counter()
                    cursor.execute(hand_written_sql())
                    cursor.fetchall()
                    cursor.execute(hand_written_moments_sql())
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
                f"incidents={count:,} officers={officers:,} hand_written={_best(hand) * 1000:.0f} ms "
                f"recompute_cold={_best(cold) * 1000:.0f} ms "
                f"(x{_best(cold) / _best(hand):.2f}, {written} snapshots written) "
                f"recompute_warm={_best(warm) * 1000:.0f} ms (x{_best(warm) / _best(hand):.2f})"
            )
        finally:
            if not options["keep"]:
                self._clear()

    def _figures(self) -> None:
        """The public figures the demo ships, if the database has none: without them there is
        nothing to compare and the estimate is never computed."""
        if OfficialFigure.objects.exists():
            return
        for name in OFFICIAL_FILES:
            parsed = parse_official_file((OFFICIAL_DATA / name).read_bytes())
            official_figures_import(parsed=parsed, release=OFFICIAL_RELEASE)
        self.stdout.write("Imported the official figures the demo ships (they stay).")

    def _check(self) -> None:
        """The hand-written sums are the app's, to the last product: otherwise the two do not
        do the same work and the ratio means nothing."""
        with connection.cursor() as cursor:
            cursor.execute(hand_written_moments_sql())
            columns = [column[0] for column in cursor.description]
            hand = {(row[0], int(row[2])): {c: int(v or 0) for c, v in zip(columns[3:], row[3:], strict=True)}
                    for row in cursor.fetchall()}  # fmt: skip
        if hand != estimate_sums():
            raise CommandError("The hand-written sums differ from reports.selectors.estimate_sums.")
        self.stdout.write(f"Hand-written sums equal the app's for {len(hand)} force-years.")

    @transaction.atomic
    def _create(self, count: int, per_officer: int) -> int:
        forces = list(Force.objects.order_by("code").values_list("pk", flat=True))
        with connection.cursor() as cursor:
            officers = synthetic_officers(
                cursor,
                email_prefix=OFFICER_PREFIX,
                domain=BENCH_DOMAIN,
                count=max(len(forces), count // per_officer),
                forces=forces,
                password=make_password(None),  # unusable: nobody signs in as them
            )
            synthetic_incidents_insert(cursor, prefix=PREFIX, count=count, officer_ids=officers)
        return len(officers)

    def _clear(self) -> None:
        # The benchmark creates reports, their assault rows, officers and their profiles only:
        # plain DELETEs take seconds where the ORM's cascade collects a million objects in
        # memory first. Should anything else hang off them, the foreign keys refuse, and the
        # ORM's cascade does it the slow way.
        officers = "SELECT id FROM incidents_user WHERE email LIKE %s"
        pattern = f"%@{BENCH_DOMAIN}"
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(CLEAR_ASSAULTS, [PREFIX + "%"])
                cursor.execute("DELETE FROM incidents_incident WHERE reference LIKE %s", [PREFIX + "%"])
                cursor.execute(f"DELETE FROM incidents_officerprofile WHERE user_id IN ({officers})", [pattern])  # noqa: S608
                cursor.execute(f"DELETE FROM incidents_user WHERE id IN ({officers})", [pattern])  # noqa: S608
        except IntegrityError:
            with transaction.atomic():
                Incident.objects.filter(reference__startswith=PREFIX).delete()
                User.objects.filter(email__endswith="@" + BENCH_DOMAIN).delete()
