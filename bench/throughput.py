"""Report submission throughput against a trivial Django view, on the same gunicorn, same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/assaultlog_bench \
        .venv/bin/python bench/throughput.py --users 8 --seconds 20 --rounds 3

Seed first (DJANGO_SETTINGS_MODULE=bench.settings manage.py seed_bench). gunicorn runs in
production mode with the production
config file (workers: ``--workers``, default 2 x cores + 1 as in config/gunicorn.py). Each
round runs, for ``--seconds`` with ``--users`` threads (a closed loop: each sends its next
request when the last one is answered):

- **trivial**: GET /bench/trivial, a view returning "ok" through the whole middleware stack
  (bench/urls.py, reachable only under bench.settings);
- **trivial, signed in**: the same with an officer's session, loading the session and the user
  (two queries) as every signed-in page must;
- **submission**: each user signs in once through the real allauth login form (officers have
  no second factor), then loops GET /report/quick/ and POST it (CSRF token and one-time key
  read from the form), each POST answered with the redirect to the new report.

The load generator is stdlib threads on the same two cores as the server, so it takes CPU
from both sides alike. "Machine CPU per request" is every core's busy time during the run
(gunicorn, PostgreSQL, Redis and the load generator together) over the requests answered.
Reports filed by the run are deleted afterwards and the task queue (receipt e-mails: queued,
as in production, not sent) is purged; the statistics' marks they left are counted by the next
refresh, as in production.
"""

from __future__ import annotations

import argparse
import datetime
import os
import re
import sys
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness  # noqa: E402

HIDDEN = re.compile(r'name="(csrfmiddlewaretoken|submission_key)" value="([^"]+)"')


class Tally:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requests = 0
        self.submissions = 0
        self.errors: list[str] = []
        self.latencies: list[float] = []
        self.cpu_seconds = 0.0

    def add(self, response: harness.Response, *, submitted: bool = False) -> None:
        with self.lock:
            self.requests += 1
            self.submissions += submitted
            self.latencies.append(response.seconds * 1000)


def sign_in(port: int, email: str) -> tuple[dict[str, str], float]:
    cookies: dict[str, str] = {}
    page = harness.request("GET", port, "/accounts/login/", cookies=cookies)
    harness.remember_cookies(cookies, page)
    token = dict(HIDDEN.findall(page.body.decode()))["csrfmiddlewaretoken"]
    form = {"csrfmiddlewaretoken": token, "login": email, "password": "seed-bench-password"}
    response = harness.request("POST", port, "/accounts/login/", cookies=cookies, form=form)
    harness.expect(response.status, "sign-in", email, 302)
    harness.remember_cookies(cookies, response)
    return cookies, response.seconds * 1000


def trivial_user(port: int, cookies: dict[str, str], deadline: float, tally: Tally) -> None:
    path = "/bench/trivial-signed-in" if cookies else "/bench/trivial"
    while time.monotonic() < deadline:
        response = harness.request("GET", port, path, cookies=cookies)
        if response.status != 200:
            tally.errors.append(f"trivial {response.status}")
        tally.add(response)


def submitting_user(port: int, cookies: dict[str, str], deadline: float, tally: Tally) -> None:
    today = datetime.date.today().isoformat()
    while time.monotonic() < deadline:
        page = harness.request("GET", port, "/report/quick/", cookies=cookies)
        tally.add(page)
        hidden = dict(HIDDEN.findall(page.body.decode()))
        form = {
            **hidden,
            "occurred_on": today,
            "assaults": ["push", "spit"],
            "injury": "minor",
            "reported_to_force": "yes",
            # A different note each time: the same answers again within 15 minutes would be
            # asked about (409), not filed. So every POST looks back over the officer's recent
            # reports, finding the ones that share every other answer.
            "note": f"bench report {uuid.uuid4().hex[:12]}",
        }
        response = harness.request("POST", port, "/report/quick/", cookies=cookies, form=form)
        if response.status != 302:
            tally.errors.append(f"quick log {response.status}")
        tally.add(response, submitted=response.status == 302)


def run(target: Callable[..., None], args: Sequence[tuple[object, ...]], users: int, seconds: float) -> Tally:
    tally = Tally()
    busy = harness.cpu_busy_seconds()
    deadline = time.monotonic() + seconds
    threads = [threading.Thread(target=target, args=(*args[i], deadline, tally)) for i in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    tally.cpu_seconds = harness.cpu_busy_seconds() - busy
    return tally


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) * 2 + 1)
    parser.add_argument("--port", type=int, default=8702)
    args = parser.parse_args()
    database_url = os.environ["DATABASE_URL"]
    harness.collectstatic(database_url)
    harness.django_setup(database_url)
    from django.utils import timezone

    from incidents.models import Incident

    started_at = timezone.now()
    emails = [f"seed.officer.{n}@seed.invalid" for n in range(2, 2 + args.users)]
    print(f"# {Incident.objects.count():,} reports; {harness.load_average()} at start")
    print(f"# gunicorn {args.workers} sync workers; {args.users} users; {args.seconds:.0f} s per run")
    results: dict[str, list[float]] = {"trivial": [], "signed_in": [], "submission": [], "submissions": []}
    p95: dict[str, list[float]] = {"trivial": [], "signed_in": [], "submission": []}
    cpu_ms: dict[str, list[float]] = {"trivial": [], "signed_in": [], "submission": []}
    try:
        with harness.gunicorn(database_url, port=args.port, workers=args.workers):
            signed_in = [sign_in(args.port, email) for email in emails]
            logins = [ms for _, ms in signed_in]
            print(f"# sign-in (allauth form, Argon2): median {harness.median(logins):.0f} ms over {len(logins)}")
            for round_ in range(args.rounds):
                trivial = run(trivial_user, tuple((args.port, {}) for _ in range(args.users)), args.users, args.seconds)
                signed_in_trivial = run(
                    trivial_user, tuple((args.port, cookies) for cookies, _ in signed_in), args.users, args.seconds
                )
                submission = run(
                    submitting_user,
                    tuple((args.port, cookies) for cookies, _ in signed_in),
                    args.users,
                    args.seconds,
                )
                for name, tally in (("trivial", trivial), ("signed_in", signed_in_trivial), ("submission", submission)):
                    if tally.errors:
                        raise SystemExit(f"{name}: {len(tally.errors)} errors, first {tally.errors[0]}")
                    results[name].append(tally.requests / args.seconds)
                    p95[name].append(harness.percentile(tally.latencies, 95))
                    cpu_ms[name].append(tally.cpu_seconds * 1000 / tally.requests)
                results["submissions"].append(submission.submissions / args.seconds)
                print(
                    f"round {round_ + 1}: trivial {results['trivial'][-1]:.0f} req/s, "
                    f"signed in {results['signed_in'][-1]:.0f} req/s, "
                    f"submission {results['submission'][-1]:.0f} req/s ({results['submissions'][-1]:.1f} reports/s), "
                    f"ratio {results['submission'][-1] / results['trivial'][-1]:.2f}"
                )
    finally:
        filed = Incident.objects.filter(created_at__gte=started_at, officer__email__in=emails)
        print(f"# deleting {filed.count()} reports filed by the run")
        filed.delete()
        harness.purge_queue(harness.production_env(database_url)["REDIS_URL"])
    trivial_rate, submission_rate = harness.median(results["trivial"]), harness.median(results["submission"])
    signed_in_rate = harness.median(results["signed_in"])
    print(f"# {harness.load_average()} at end")
    print("| Run | Requests/s (median of rounds) | p95 latency | Machine CPU per request | Reports filed/s |")
    print("|---|---:|---:|---:|---:|")
    for name, label, reports_per_second in (
        ("trivial", "Trivial view", ""),
        ("signed_in", "Trivial view, signed in", ""),
        ("submission", "Quick log: GET form + POST", f"{harness.median(results['submissions']):.1f}"),
    ):
        print(
            f"| {label} | {harness.median(results[name]):.0f} | {harness.median(p95[name]):.0f} ms "
            f"| {harness.median(cpu_ms[name]):.2f} ms | {reports_per_second} |"
        )
    print(
        f"Ratio (requests/s): {submission_rate / trivial_rate:.2f} of the trivial view, "
        f"{submission_rate / signed_in_rate:.2f} of the signed-in trivial view"
    )
    # The target (issue 19): a GET and a POST of the quick log cost at most 3x the machine CPU
    # of two signed-in do-nothing requests, and at least 50 reports are filed a second.
    per_report = harness.median(cpu_ms["submission"]) * 2
    do_nothing = harness.median(cpu_ms["signed_in"]) * 2
    print(
        f"Target: GET + POST {per_report:.2f} ms CPU against {do_nothing:.2f} ms for two signed-in "
        f"do-nothing requests: {per_report / do_nothing:.2f}x (at most 3x); "
        f"{harness.median(results['submissions']):.1f} reports/s (at least 50)"
    )


if __name__ == "__main__":
    main()
