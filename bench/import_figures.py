"""How long the importer takes on the full Home Office recorded-crime table, and how much memory.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/import_figures.py

Writes a synthetic table in the Home Office's layout (every force and the non-force rows, every
offence code, four quarters, one sheet per year; ``--years`` x ``--codes``) as CSV, XLSX and ODS
into a temporary folder, then for each format runs a fresh process that parses the file and
imports it (dry run, then for real) into a test database Django creates and drops, and prints
the rows, the file size, the seconds for each step, and the process's memory before parsing
and its peak while parsing (Linux /proc: VmRSS, then VmHWM after resetting it).
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

NON_FORCES = ("Action Fraud", "CIFAS", "UK Finance")


def table(years: int, codes: int) -> dict[str, list[Sequence[object]]]:
    from tests.reports.workbooks import PRC_HEADER

    names = [row["short_name"] for row in _forces()]
    offence_codes = ["8S", "104", *[f"{n}A" for n in range(1, codes)]][:codes]
    sheets = {}
    for year in range(2017, 2017 + years):
        label = f"{year}/{str(year + 1)[-2:]}"
        rows: list[Sequence[object]] = [[f"Police recorded crime, year ending March {year + 1}"], [], PRC_HEADER]
        for name in [*names, *NON_FORCES]:
            for code in offence_codes:
                for quarter in range(1, 5):
                    count = (len(name) * quarter) % 97
                    rows.append([label, quarter, name, "Offence", "Group", "Subgroup", code, count])
        sheets[f"{year}_{str(year + 1)[-2:]}"] = rows
    return sheets


def _forces() -> list[dict[str, str]]:
    """The forces as the migrations load them (incidents/data/forces.csv): no database needed."""
    path = Path(__file__).resolve().parent.parent / "incidents" / "data" / "forces.csv"
    with path.open() as file:
        return list(csv.DictReader(file))


def write(folder: Path, years: int, codes: int) -> dict[str, Path]:
    from tests.reports.workbooks import csv_text, ods, xlsx

    sheets = table(years, codes)
    paths = {"csv": folder / "prc.csv", "xlsx": folder / "prc.xlsx", "ods": folder / "prc.ods"}
    header, *_ = (sheet[2] for sheet in sheets.values())
    long_rows = [header] + [row for sheet in sheets.values() for row in sheet[3:]]
    paths["csv"].write_text(csv_text(long_rows))
    paths["xlsx"].write_bytes(xlsx(sheets))
    paths["ods"].write_bytes(ods(sheets))
    return paths


def measure(path: str) -> None:
    """In its own process: parse and import one file, print JSON timings and peak memory."""
    import django

    django.setup()
    from unittest.mock import patch

    from django.test import override_settings
    from django.test.utils import setup_databases, setup_test_environment, teardown_databases

    from reports.importing import parse_official_file
    from reports.services import Release, official_figures_import

    def memory_mb(field: str) -> int:
        """VmRSS (now) or VmHWM (peak since the last reset) of this process, in MB (Linux)."""
        status = Path("/proc/self/status").read_text()
        return round(int(next(line.split()[1] for line in status.splitlines() if line.startswith(field))) / 1024)

    def reset_peak() -> None:
        Path("/proc/self/clear_refs").write_text("5")  # the peak starts again from now

    setup_test_environment()
    databases = setup_databases(verbosity=0, interactive=False)
    try:
        content = Path(path).read_bytes()
        before = memory_mb("VmRSS:")
        reset_peak()
        started = time.perf_counter()
        parsed = parse_official_file(content)
        parse_seconds = time.perf_counter() - started
        parse_peak = memory_mb("VmHWM:")
        if parsed.problems:
            raise SystemExit(f"problems: {parsed.problems[:3]}")
        release = Release("Police recorded crime (synthetic)", datetime.date(2024, 7, 25), "home_office")
        started = time.perf_counter()
        plan = official_figures_import(parsed=parsed, release=release, dry_run=True)
        dry_seconds = time.perf_counter() - started
        # The import alone: the statistics' recompute it queues is measured by bench_aggregation.
        with override_settings(CELERY_TASK_ALWAYS_EAGER=False), patch("reports.services.snapshots.publish"):
            started = time.perf_counter()
            official_figures_import(parsed=parsed, release=release)
            import_seconds = time.perf_counter() - started
    finally:
        teardown_databases(databases, verbosity=0)
    print(
        json.dumps(
            {
                "figures": len(parsed.figures),
                "new": len(plan.new),
                "skipped_rows": parsed.skipped,
                "parse": round(parse_seconds, 2),
                "dry_run": round(dry_seconds, 2),
                "import": round(import_seconds, 2),
                "before_parse_mb": before,
                "parse_peak_mb": parse_peak,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--years", type=int, default=7)
    parser.add_argument("--codes", type=int, default=120, help="offence codes per force (the real table has ~120)")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args.measure)
        return
    with tempfile.TemporaryDirectory() as folder:
        paths = write(Path(folder), args.years, args.codes)
        rows = sum(1 for _ in paths["csv"].open()) - 1
        print(f"{rows:,} data rows ({args.years} years x 47 areas x {args.codes} offences x 4 quarters)")
        for kind, path in paths.items():
            result = subprocess.run(  # noqa: S603 our own interpreter and script
                [sys.executable, __file__, "--measure", str(path)], capture_output=True, text=True, check=True
            )
            numbers = json.loads(result.stdout.strip().splitlines()[-1])
            size = path.stat().st_size / 1024 / 1024
            print(
                f"{kind:5} {size:6.1f} MB  parse {numbers['parse']:5.2f} s  dry run {numbers['dry_run']:5.2f} s  "
                f"import {numbers['import']:5.2f} s  memory {numbers['before_parse_mb']} MB before parsing, "
                f"peak {numbers['parse_peak_mb']} MB while parsing  "
                f"({numbers['figures']} figures)"
            )


if __name__ == "__main__":
    main()
