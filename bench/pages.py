"""Page latency under gunicorn and each page's query count, on a seeded database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/assaultlog_bench \
        .venv/bin/python bench/pages.py --rounds 3 --requests 20

Seed first (DJANGO_SETTINGS_MODULE=bench.settings manage.py seed_bench --incidents N). The
script starts gunicorn in production
mode (config/gunicorn.py, DJANGO_ENV=production, bench.settings) on loopback, signs in an
officer, a rep and national staff by writing their sessions directly (staff with allauth's
password and TOTP markers, as after the real login), then requests each page one at a time
(``--rounds`` passes over every page, ``--requests`` timed requests a page a round, after a
warm-up), and prints the median and 95th percentile. The query counts come from a separate
in-process pass (django.test.Client with CaptureQueriesContext), streamed bodies read to the end.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from incidents.models import User

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness  # noqa: E402

OFFICER_PAGE_TARGET_MS = 100
ADMIN_LIST_TARGET_MS = 300
EXPORT_ROWS = 10_000


def pages(admin: str) -> tuple[list[tuple[str, str, str]], User, User]:
    """(label, persona, path) for every page measured. Filled in from the seeded data."""
    from django.db.models import Count

    from incidents.models import Force, Incident, RepForce, User
    from reports.models import Snapshot

    officer = User.objects.get(email="seed.officer.1@seed.invalid")
    rep = harness.seeded(User.objects.filter(email__startswith="seed.rep.").order_by("email").first(), "rep")
    force = RepForce.objects.get(rep=rep).force
    incident = harness.seeded(
        Incident.objects.filter(force=force, status="submitted").order_by("-submitted_at").first(), "sent report"
    )
    # The newest year with an official figure, as an MP's briefing would be.
    snapshot = Snapshot.objects.filter(area=force.code, official_figure__isnull=False).order_by("-financial_year")
    year = harness.seeded(
        snapshot.first() or Snapshot.objects.order_by("-financial_year").first(), "statistics snapshot"
    ).financial_year
    # An export of at least EXPORT_ROWS rows: the whole list if that is its size, else the
    # smallest of these filters on the biggest force that reaches it.
    total = Incident.objects.exclude(status="draft").count()
    export_query = ""
    if total > EXPORT_ROWS * 1.2:
        biggest = harness.seeded(Force.objects.annotate(n=Count("incidents")).order_by("-n").first(), "force")
        candidates = []
        for name, value in (
            ("injury__exact", "none"),
            ("injury__exact", "minor"),
            ("status__exact", "verified"),
            ("status__exact", "submitted"),
            ("reported_to_force__exact", "yes"),
            ("reported_to_force__exact", "no"),
        ):
            rows = Incident.objects.filter(force=biggest, **{name: value}).exclude(status="draft").count()
            candidates.append((rows < EXPORT_ROWS, rows, f"?force={biggest.pk}&{name}={value}"))
        export_query = min(candidates)[2]
    changelist = f"/{admin}incidents/incident/"
    return (
        [
            ("Quick log (form)", "officer", "/report/quick/"),
            ("My reports", "officer", "/reports/"),
            ("Home", "officer", "/"),
            ("National dashboard", "officer", "/dashboard/"),
            ("National dashboard", "national", "/dashboard/"),
            ("Force dashboard", "rep", f"/dashboard/{force.slug}/"),
            ("Briefing", "rep", f"/dashboard/{force.slug}/{year}/briefing/"),
            ("Admin change list, default", "rep", changelist),
            ("Admin change list, default", "national", changelist),
            (
                "Admin change list, status + injury + year",
                "national",
                f"{changelist}?status__exact=submitted&injury__exact=serious&year=2024",
            ),
            ("Admin change list, what happened + waiting", "rep", f"{changelist}?assault=punch&waiting=over_7_days"),
            (
                "Admin change list, by month (drill-down)",
                "national",
                f"{changelist}?occurred_on__year=2024&occurred_on__month=3",
            ),
            ("Admin change list, status verified", "national", f"{changelist}?status__exact=verified"),
            ("Admin change list, 2017/18 + verified", "national", f"{changelist}?year=2017&status__exact=verified"),
            ("Admin change list, 2017/18", "rep", f"{changelist}?year=2017"),
            ("Admin change list, reference search by prefix", "national", f"{changelist}?q=SEED-43"),
            ("Admin change list, single-crewed: no", "national", f"{changelist}?single_crewed__exact=no"),
            ("Admin change list, what happened + 2017/18", "national", f"{changelist}?assault=grab&year=2017"),
            ("Admin change list, page 20 (the last offered)", "national", f"{changelist}?p=20"),
            ("Admin change page (report)", "rep", f"{changelist}{incident.pk}/change/"),
            (
                "Export CSV",
                "national",
                f"/{admin}incidents/incident/export/csv/{export_query}",
            ),
            ("Health check", "anonymous", "/healthz"),
        ],
        officer,
        rep,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=20, help="Timed requests per page per round.")
    parser.add_argument("--export-requests", type=int, default=3, help="Timed exports per round (they are slow).")
    parser.add_argument("--port", type=int, default=8701)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    database_url = os.environ["DATABASE_URL"]
    harness.collectstatic(database_url)
    harness.django_setup(database_url)

    from django.conf import settings
    from django.db import connection
    from django.http import StreamingHttpResponse
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from incidents.models import Incident, User

    measured, officer, rep = pages(settings.ADMIN_URL)
    national = User.objects.get(email="seed.national@seed.invalid")
    sessions = {
        "officer": harness.session_cookie(officer),
        "rep": harness.session_cookie(rep, staff=True),
        "national": harness.session_cookie(national, staff=True),
        "anonymous": "",
    }
    incidents = Incident.objects.count()
    print(f"# {incidents:,} reports; {harness.load_average()} at start")

    # Query counts, in-process, with the same sessions.
    queries: dict[str, int] = {}
    rows: dict[str, int] = {}
    for label, persona, path in measured:
        client = Client()
        if sessions[persona]:
            client.cookies[settings.SESSION_COOKIE_NAME] = sessions[persona]
        with CaptureQueriesContext(connection) as captured:
            page = client.get(path)
            body = b"".join(page) if isinstance(page, StreamingHttpResponse) else page.content
        harness.expect(page.status_code, label, path)
        queries[label + persona] = len(captured)
        if "export" in path:
            rows[label] = body.count(b"\n") - 1

    samples: dict[str, list[float]] = {label + persona: [] for label, persona, _ in measured}
    sizes: dict[str, int] = {}
    with harness.gunicorn(database_url, port=args.port, workers=args.workers):
        for _round in range(args.rounds):
            for label, persona, path in measured:
                cookies = {settings.SESSION_COOKIE_NAME: sessions[persona]} if sessions[persona] else {}
                count = args.export_requests if "export" in path else args.requests
                for attempt in range(count + 2):  # two warm-up requests a round
                    response = harness.request("GET", args.port, path, cookies=cookies)
                    harness.expect(response.status, label, path)
                    if attempt >= 2:
                        samples[label + persona].append(response.seconds * 1000)
                sizes[label + persona] = len(response.body)
    harness.purge_queue(harness.production_env(database_url)["REDIS_URL"])

    print(f"# {harness.load_average()} at end; {args.rounds} rounds x {args.requests} requests, one at a time")
    print("| Page | As | Queries | Median | p95 | KB |")
    print("|---|---|---:|---:|---:|---:|")
    for label, persona, _path in measured:
        key = label + persona
        extra = f" ({rows[label]:,} rows)" if label in rows else ""
        print(
            f"| {label}{extra} | {persona} | {queries[key]} | {harness.median(samples[key]):.0f} ms "
            f"| {harness.percentile(samples[key], 95):.0f} ms | {sizes[key] / 1024:.0f} |"
        )


if __name__ == "__main__":
    main()
