"""manage.py import_official_figures FILE: official assault figures or officer strength.

CSV, XLSX or ODS: the Home Office recorded-crime or workforce open data table, or a simple
sheet; the format is recognised from the header. A file with any problem imports nothing;
--dry-run shows what would change, figure by figure with the values. Importing the same file
twice changes nothing.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reports.choices import SourceKind
from reports.importing import PRC, WORKFORCE, parse_official_file
from reports.services import ImportRefused, Release, official_figures_import


class Command(BaseCommand):
    help = "Import official assault figures or officer strength from a CSV, XLSX or ODS file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--source-title", default="", help="The release's title (default: the file name).")
        parser.add_argument("--source-url", default="", help="Where the release is published.")
        parser.add_argument(
            "--source-kind",
            choices=SourceKind.values,
            default="",
            help="Who published it (default for the Home Office tables: home_office). A simple sheet may give "
            "each row its own in a 'source kind' column.",
        )
        parser.add_argument(
            "--published", type=datetime.date.fromisoformat, default=None, help="Publication date, YYYY-MM-DD."
        )
        parser.add_argument("--dry-run", action="store_true", help="Show what would change; write nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        parsed = parse_official_file(path.read_bytes())
        self.stdout.write(f"{path.name}: {parsed.kind}")
        if parsed.problems:
            for problem in parsed.problems:
                self.stderr.write(f"  {problem}")
            raise CommandError(f"{len(parsed.problems)} problems: nothing was imported.")
        kind = options["source_kind"] or (SourceKind.HOME_OFFICE if parsed.kind in (PRC, WORKFORCE) else "")
        if not kind and any(not row.source_kind for row in parsed.figures):
            raise CommandError("Say who published these figures with --source-kind: nothing was imported.")
        release = Release(
            title=options["source_title"] or path.name,
            published_on=options["published"] or datetime.date.today(),
            source_kind=kind or SourceKind.PRESS,
            url=options["source_url"],
        )
        try:
            plan = official_figures_import(parsed=parsed, release=release, dry_run=options["dry_run"])
        except ImportRefused as error:
            raise CommandError(str(error)) from error
        for heading, lines in (
            ("About this file", plan.notes),
            ("New", plan.new),
            ("Changed", plan.changed),
            ("Unchanged", plan.unchanged),
        ):
            if lines:
                self.stdout.write(f"{heading}:")
                for line in lines:
                    self.stdout.write(f"  {line}")
        verb = "Would import" if options["dry_run"] else "Imported"
        self.stdout.write(f"{verb}: {len(plan.new)} new, {len(plan.changed)} changed, {len(plan.unchanged)} unchanged.")
