"""Every filter of the review list, alone and in pairs, timed in-process on a seeded database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/assaultlog_bench \
        .venv/bin/python bench/review_filters.py --repeats 5 --show 25

bench/pages.py measures a dozen chosen links under gunicorn; this walks the combinations a
rep can click: each filter's every value alone, then every pair of filters (each with its
rarest and its commonest value at this data, the two ends of the planner's choices), for a
rep (the biggest force) and for national staff, plus deep pages and reference searches. Each
link is requested ``--repeats`` times after a warm-up through django.test.Client with a
signed-in session (the whole view: filters, count, page of rows, rendering), and the slowest
``--show`` links are printed with their median and 95th percentile, then the share of links
over the 300 ms target. In-process, so it measures the view and the database, not gunicorn.
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness  # noqa: E402

TARGET_MS = 300


def filter_values() -> dict[str, list[str]]:
    """Each filter's parameter and its values, rarest first (counted once, at start)."""
    from django.db.models import Count

    from incidents.choices import Answer, AssaultKind, Injury, ReportedToForce, Status
    from incidents.models import Incident, IncidentAssault

    def by_frequency(field: str, values: list[str]) -> list[str]:
        counts = dict(Incident.objects.values_list(field).annotate(n=Count("pk")).order_by())
        return sorted(values, key=lambda value: counts.get(value, 0))

    kinds = dict(IncidentAssault.objects.values_list("kind").annotate(n=Count("pk")).order_by())
    latest = harness_latest_year()
    return {
        "status__exact": by_frequency("status", [s for s in Status.values if s != "draft"]),
        "assault": sorted(AssaultKind.values, key=lambda kind: kinds.get(kind, 0)),
        "injury__exact": by_frequency("injury", list(Injury.values)),
        "reported_to_force__exact": by_frequency("reported_to_force", list(ReportedToForce.values)),
        "assigned": ["me", "others", "none"],
        # The oldest and the newest financial years: the two ends of the queue.
        "year": [str(latest - 9), str(latest - 8), str(latest)],
        "single_crewed__exact": by_frequency("single_crewed", list(Answer.values)),
        "waiting": ["over_7_days"],
    }


def harness_latest_year() -> int:
    from incidents.admin.filters import latest_financial_year

    return latest_financial_year()


def links(values: dict[str, list[str]]) -> list[str]:
    singles = [f"{name}={value}" for name, options in values.items() for value in options]
    ends = {name: sorted({options[0], options[-1]}) for name, options in values.items()}
    pairs = [f"{a}={va}&{b}={vb}" for a, b in itertools.combinations(values, 2) for va in ends[a] for vb in ends[b]]
    latest = harness_latest_year()
    extra = [
        "",
        "p=20",
        "p=19",
        f"occurred_on__year={latest - 8}&occurred_on__month=6",
        f"occurred_on__year={latest - 8}&occurred_on__month=6&status__exact=verified",
        f"occurred_on__year={latest}&occurred_on__month=1&occurred_on__day=15",
        "q=SEED-4",
        "q=SEED-43",
        "q=AL-2026",
        "o=2",
        "o=-2",
        "o=-2&assault=bite",
        "o=2&single_crewed__exact=no",
    ]
    return extra + singles + pairs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--show", type=int, default=25)
    parser.add_argument("--persona", choices=["rep", "national", "both"], default="both")
    parser.add_argument("--only", default="", help="Only the links containing this text.")
    parser.add_argument(
        "--again", type=int, default=10, help="Time the slowest N links once more, 4x as often, and print those."
    )
    args = parser.parse_args()
    harness.collectstatic(os.environ["DATABASE_URL"])
    harness.django_setup(os.environ["DATABASE_URL"])

    from django.conf import settings
    from django.db.models import Count
    from django.test import Client

    from incidents.models import Force, Incident, User

    biggest = harness.seeded(Force.objects.annotate(n=Count("incidents")).order_by("-n").first(), "force")
    rep = User.objects.get(email=f"seed.rep.{biggest.slug}@seed.invalid")
    national = User.objects.get(email="seed.national@seed.invalid")
    personas = {"rep": rep, "national": national}
    if args.persona != "both":
        personas = {args.persona: personas[args.persona]}
    values = filter_values()
    changelist = f"/{settings.ADMIN_URL}incidents/incident/"
    print(f"# {Incident.objects.count():,} reports; rep of {biggest.short_name}; {harness.load_average()} at start")
    results = []
    for persona, user in personas.items():
        client = Client()
        client.cookies[settings.SESSION_COOKIE_NAME] = harness.session_cookie(user, staff=True)
        for query in links(values):
            if args.only not in query or (persona == "national" and "assigned=me" in query):
                continue
            path = f"{changelist}?{query}" if query else changelist
            harness.expect(client.get(path).status_code, query, path)  # warm-up
            samples = []
            for _ in range(args.repeats):
                start = time.perf_counter()
                response = client.get(path)
                samples.append((time.perf_counter() - start) * 1000)
                harness.expect(response.status_code, query, path)
            results.append((harness.percentile(samples, 95), harness.median(samples), persona, query or "(none)"))
    results.sort(reverse=True)
    if args.again:
        # With 5 requests the p95 is the slowest of 5: one stray pause on a shared machine.
        # The slowest links are timed once more, 4x as often, and those figures replace them.
        clients = {}
        for persona, user in personas.items():
            clients[persona] = Client()
            clients[persona].cookies[settings.SESSION_COOKIE_NAME] = harness.session_cookie(user, staff=True)
        again = []
        for _p95, _median, persona, query in results[: args.again]:
            path = f"{changelist}?{query}" if query != "(none)" else changelist
            samples = []
            for _ in range(args.repeats * 4):
                start = time.perf_counter()
                clients[persona].get(path)
                samples.append((time.perf_counter() - start) * 1000)
            again.append((harness.percentile(samples, 95), harness.median(samples), persona, query))
        results = sorted(again + results[args.again :], reverse=True)
    print(f"# {harness.load_average()} at end; {len(results)} links x {args.repeats} requests")
    print("| Link | As | Median | p95 |")
    print("|---|---|---:|---:|")
    for p95, median, persona, query in results[: args.show]:
        print(f"| `{query}` | {persona} | {median:.0f} ms | {p95:.0f} ms |")
    over = [row for row in results if row[0] > TARGET_MS]
    print(f"\n{len(over)} of {len(results)} links over {TARGET_MS} ms p95; slowest p95 {results[0][0]:.0f} ms")


if __name__ == "__main__":
    main()
