"""Move every encrypted value onto the newest key in FIELD_ENCRYPTION_KEYS.

Rotation: put the new key first in FIELD_ENCRYPTION_KEYS (keep the old ones after
it), deploy, run this command, check it reports 0 values left under old keys,
then remove the old keys. See docs/privacy.md.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from incidents.services.encryption import fields_not_under_newest_key, fields_reencrypt


class Command(BaseCommand):
    help = "Re-encrypt the free text stored encrypted under the newest key (and refresh search digests)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=1000)
        parser.add_argument(
            "--check", action="store_true", help="Only count values the newest key cannot read; exit 1 if any."
        )

    def handle(self, *args: Any, batch_size: int, check: bool, **options: Any) -> None:
        if not check:
            for table, count in fields_reencrypt(batch_size=batch_size).items():
                self.stdout.write(f"{table}: {count} values re-encrypted")
        stale = fields_not_under_newest_key()
        for table, count in stale.items():
            self.stdout.write(f"{table}: {count} values not under the newest key")
        if any(stale.values()):
            raise CommandError("Some values are still under an older key: run reencrypt_fields without --check.")
        self.stdout.write(self.style.SUCCESS("Every encrypted value is under the newest key."))
