"""Helpers shared by the security tests: the forms an officer posts, built as the pages build them."""

from __future__ import annotations

import uuid
from typing import Any

from django.utils import timezone

from incidents.choices import AssaultKind, Injury, ReportedToForce


def quick_post(**overrides: Any) -> dict[str, Any]:
    data = {
        "occurred_on": timezone.localdate().isoformat(),
        "assaults": [AssaultKind.SPIT],
        "injury": Injury.NONE,
        "reported_to_force": ReportedToForce.NO,
        "note": "",
        "submission_key": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


def new_report_post(**overrides: Any) -> dict[str, Any]:
    """Step 1 of the full report, which starts a draft."""
    data = {
        "occurred_on": timezone.localdate().isoformat(),
        "occurred_at": "",
        "setting": "custody_suite",
        "place": "",
        "submission_key": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data
