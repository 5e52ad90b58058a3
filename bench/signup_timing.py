"""Does sign-up take as long for an address that already has an account as for a new one?

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/signup_timing.py --pairs 40

A new address and a known one are signed up alternately (so drift on a shared machine falls
on both alike), in-process through Django's test client with the production password hasher
(Argon2), on a throw-away test database Django creates and drops. Prints the median and 95th
percentile of each and their difference. Before the fix (issue 14, finding 7) the known address
answered in about 17 ms and a new one in about 290 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=30)
    args = parser.parse_args()

    import django

    django.setup()
    from django.test import Client, override_settings
    from django.test.utils import setup_databases, setup_test_environment, teardown_databases
    from django.urls import reverse

    setup_test_environment()
    databases = setup_databases(verbosity=0, interactive=False)
    try:
        # Sign-up's own rate limit (20 a minute from one address) would stop the run; e-mails
        # are kept in memory (each path sends one, through the same backend).
        with override_settings(
            ACCOUNT_RATE_LIMITS=False, EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"
        ):
            new, known = measure(Client, reverse("account_signup"), args.pairs)
    finally:
        teardown_databases(databases, verbosity=0)

    def line(label: str, times: list[float]) -> str:
        ordered = sorted(times)
        p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
        return f"{label:<28} median {statistics.median(times):7.1f} ms   p95 {p95:7.1f} ms   n={len(times)}"

    print(line("new address", new))
    print(line("address with an account", known))
    print(f"{'difference of medians':<28} {statistics.median(new) - statistics.median(known):+7.1f} ms")


def measure(client_class: type, url: str, pairs: int) -> tuple[list[float], list[float]]:
    from allauth.account.models import EmailAddress
    from django.core.cache import cache

    form = {
        "display_name": "PC Bench",
        "collar_number": "TV0000",
        "usual_duty": "response",
        "service_band": "under_2",
        "password1": "a-long-unusual-passphrase",
        "password2": "a-long-unusual-passphrase",
    }
    existing = "bench.signup.existing@thamesvalley.police.uk"
    client_class().post(url, {**form, "email": existing})  # the account the known address has
    EmailAddress.objects.filter(email=existing).update(verified=True)
    new: list[float] = []
    known: list[float] = []
    for number in range(-2, pairs):  # two warm-up pairs
        for email, times in ((f"bench.signup.{number}@thamesvalley.police.uk", new), (existing, known)):
            # allauth sends an address one e-mail per 3 minutes: each visit here is the first, as
            # an attacker's first try at an address is.
            cache.clear()
            client = client_class()
            started = time.perf_counter()
            response = client.post(url, {**form, "email": email})
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 302:
                raise SystemExit(f"sign-up answered {response.status_code}, not the 302 to 'check your e-mail'")
            if number >= 0:
                times.append(elapsed)
    return new, known


if __name__ == "__main__":
    main()
