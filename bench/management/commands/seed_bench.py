"""manage.py seed_bench --incidents N: a national-scale data set for the benchmarks in bench/.

On PostgreSQL only, in a database of its own (it is not demo data). It creates:

- officers (users with a verified e-mail address and an OfficerProfile), one for every ten
  reports by default, spread evenly over the 44 forces: ``seed.officer.<n>@seed.invalid``;
- one federation rep per force (with RepForce) and one national staff user, each with TOTP
  set up (``seed.rep.<force slug>@seed.invalid``, ``seed.national@seed.invalid``);
- N reports (references ``SEED-1`` to ``SEED-N``) through the same SQL as bench_aggregation
  (bench/synthetic.py): a million in a minute or two;
- the official figures shipped in reports/data, and every statistics snapshot.

Every seeded account has the password ``SEED_PASSWORD`` and staff the TOTP secret
``SEED_TOTP_SECRET``. A second run replaces the seeded rows (``--clear`` only removes them).
"""

from __future__ import annotations

import time
from typing import Any

from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from bench.synthetic import synthetic_incidents_insert, synthetic_officers
from incidents.choices import NATIONAL_GROUP, REPS_GROUP
from incidents.models import Force, RepForce, User
from reports.importing import parse_official_file
from reports.management.commands.seed_demo import OFFICIAL_DATA, OFFICIAL_FILES, OFFICIAL_RELEASE
from reports.services import official_figures_import, snapshots_recompute_all

PREFIX = "SEED-"
DOMAIN = "seed.invalid"
SEED_PASSWORD = "seed-bench-password"  # noqa: S105 throw-away accounts in a benchmark database
SEED_TOTP_SECRET = "SEEDBENCHTOTPSECRETSTAFF"  # noqa: S105 the same
NATIONAL_EMAIL = f"seed.national@{DOMAIN}"

# Rows elsewhere that point at the seeded users or reports, found from the catalogue so a
# table added later (by a migration) is cleared too.
REFERENCING = """
SELECT cl.relname, att.attname
FROM pg_constraint c
JOIN pg_class cl ON cl.oid = c.conrelid
JOIN pg_attribute att ON att.attrelid = c.conrelid AND att.attnum = c.conkey[1]
WHERE c.contype = 'f' AND c.confrelid = %s::regclass
"""


class Command(BaseCommand):
    help = "Seed N synthetic reports with officers, reps and national staff, for the benchmarks (PostgreSQL)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--incidents", type=int, default=1_000_000)
        parser.add_argument("--officers", type=int, help="Default: one per ten reports, at least one per force.")
        parser.add_argument("--clear", action="store_true", help="Only remove the seeded rows.")

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("seed_bench runs on PostgreSQL: set DATABASE_URL=postgres://...")
        started = time.perf_counter()
        self._clear()
        self.stdout.write(f"Cleared earlier seed in {time.perf_counter() - started:.1f} s")
        if options["clear"]:
            return
        count = options["incidents"]
        forces = list(Force.objects.order_by("code").values_list("pk", flat=True))
        officers = options["officers"] or max(len(forces), count // 10)

        started = time.perf_counter()
        with transaction.atomic():
            officer_ids = self._officers(officers, forces)
            self._staff()
        self.stdout.write(f"Created {officers:,} officers and {len(forces) + 1} staff in {self._since(started)}")

        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            synthetic_incidents_insert(cursor, prefix=PREFIX, count=count, officer_ids=officer_ids)
        self.stdout.write(f"Inserted {count:,} reports in {self._since(started)}")

        started = time.perf_counter()
        for name in OFFICIAL_FILES:  # the same public figures as the demo
            parsed = parse_official_file((OFFICIAL_DATA / name).read_bytes())
            official_figures_import(parsed=parsed, release=OFFICIAL_RELEASE)
        snapshots_recompute_all()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE incidents_incident")
        self.stdout.write(f"Official figures, snapshots and VACUUM ANALYZE in {self._since(started)}")

    @staticmethod
    def _since(started: float) -> str:
        return f"{time.perf_counter() - started:.1f} s"

    def _officers(self, count: int, forces: list[int]) -> list[int]:
        with connection.cursor() as cursor:
            return synthetic_officers(
                cursor,
                email_prefix="seed.officer.",
                domain=DOMAIN,
                count=count,
                forces=forces,
                password=make_password(SEED_PASSWORD),
                verified_emails=True,
            )

    def _staff(self) -> None:
        password = make_password(SEED_PASSWORD)
        reps = Group.objects.get(name=REPS_GROUP)
        for force in Force.objects.order_by("code"):
            rep = User.objects.create(email=f"seed.rep.{force.slug}@{DOMAIN}", password=password, is_staff=True)
            rep.groups.add(reps)
            RepForce.objects.create(rep=rep, force=force)
            TOTP.activate(rep, SEED_TOTP_SECRET)
        national = User.objects.create(email=NATIONAL_EMAIL, password=password, is_staff=True)
        national.groups.add(Group.objects.get(name=NATIONAL_GROUP))
        TOTP.activate(national, SEED_TOTP_SECRET)

    def _clear(self) -> None:
        """Delete the seeded reports and accounts and every row pointing at them.

        Plain DELETEs: the ORM's cascade would first load a million objects into memory."""
        quote = connection.ops.quote_name
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMP TABLE seed_incident ON COMMIT DROP AS "
                "SELECT id FROM incidents_incident WHERE reference LIKE %s",
                [PREFIX + "%"],
            )
            cursor.execute(
                "CREATE TEMP TABLE seed_user ON COMMIT DROP AS SELECT id FROM incidents_user WHERE email LIKE %s",
                ["%@" + DOMAIN],
            )
            for table, temp in (("incidents_incident", "seed_incident"), ("incidents_user", "seed_user")):
                cursor.execute(REFERENCING, [table])
                for referencing, column in cursor.fetchall():
                    # Reports point at reports (duplicate_of) and at users (officer, assigned
                    # rep): unlinked. Any other row pointing at a seeded row goes with it.
                    name, key = quote(referencing), quote(column)
                    if referencing == "incidents_incident":
                        action = f"UPDATE {name} SET {key} = NULL"  # noqa: S608
                    else:
                        action = f"DELETE FROM {name}"  # noqa: S608
                    cursor.execute(f"{action} WHERE {key} IN (SELECT id FROM {temp})")  # noqa: S608 catalogue names
                cursor.execute(f"DELETE FROM {table} WHERE id IN (SELECT id FROM {temp})")  # noqa: S608
