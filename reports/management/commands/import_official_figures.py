"""manage.py import_official_figures FILE: official assault figures or officer strength.

The format (Home Office recorded-crime or workforce open data, or a simple sheet) is
recognised from the header. A file with any problem imports nothing; --dry-run shows
what would change. Importing the same file twice changes nothing.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reports.importing import parse_official_file
from reports.services import ImportRefused, official_figures_import


class Command(BaseCommand):
    help = "Import official assault figures or officer strength from a CSV file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--source-title", default="", help="The release's title (default: the file name).")
        parser.add_argument("--source-url", default="", help="Where the release is published.")
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
        try:
            plan = official_figures_import(
                parsed=parsed,
                source_title=options["source_title"] or path.name,
                source_url=options["source_url"],
                published_on=options["published"] or datetime.date.today(),
                dry_run=options["dry_run"],
            )
        except ImportRefused as error:
            raise CommandError(str(error)) from error
        verb = "Would import" if options["dry_run"] else "Imported"
        self.stdout.write(f"{verb}: {len(plan.new)} new, {len(plan.updated)} updated, {plan.unchanged} unchanged.")
        for line in plan.supersedes:
            self.stdout.write(f"  supersedes {line}")
