from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from reports.services import snapshots_recompute_all


class Command(BaseCommand):
    help = "Recompute every statistics snapshot now (the nightly job does this too)."

    def handle(self, *args: Any, **options: Any) -> None:
        written = snapshots_recompute_all()
        self.stdout.write(f"{written} snapshots written.")
