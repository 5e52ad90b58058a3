"""Writes: the recording check (issue 20). National staff draw a simple random sample of one
force's reports in one financial year that carry a crime reference; the force's crime
registrar looks each one up; the answers correct the recording share the officers reported.

This module draws the sample. Eligible: a report counted in the statistics, in scope (at least
one physical assault: what 8S and 104 could include), reported to the force, with a crime
reference. The draw is reproducible: the eligible reports in id order, shuffled by a stored
seed, so the same seed over the same reports gives the same sample (``check_sample``). Asked
to stratify, it draws within each answer the officer gave to "recorded as a crime?" (yes,
don't know, no), in proportion to each answer's share of the eligible reports.
"""

from __future__ import annotations

import datetime
import math
import random
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from incidents.choices import RecordedAsCrime, ReportedToForce
from incidents.models import Force, Incident, User
from incidents.services.events import statistics_changed
from reports.choices import CheckStatus
from reports.models import RecordingCheck, RecordingCheckEvent, RecordingCheckItem
from reports.selectors import PHYSICAL_MASK, counted_incidents, effective_kinds
from reports.selectors import counted_in_year as counted_in_year  # where the admin pages look for it

# The officer's answers a stratified draw keeps apart, in this order ("" is not answered).
STRATA = (RecordedAsCrime.YES, RecordedAsCrime.DONT_KNOW, RecordedAsCrime.NO, "")
MAX_SIZE = 2_000
Z95 = 1.959963984540054


def check_eligible(area: str, year: int) -> QuerySet[Incident]:
    """The reports a check of ``area`` in financial year ``year`` may draw (module docstring)."""
    return (
        counted_incidents(years=[year], force_codes=[area])
        .filter(reported_to_force=ReportedToForce.YES)
        .exclude(crime_reference_digest="")
        .annotate(physical=effective_kinds().bitand(PHYSICAL_MASK))
        .exclude(physical=0)
    )


def check_margin(size: int, eligible: int, share: float = 0.5) -> float:
    """The half-width, in points, of a 95% interval for a rate measured on ``size`` crime
    references (at most the ``eligible`` ones): 1.96 * sqrt(p(1-p)/n), at p = 0.5 the widest a
    rate can need; shown before drawing ("100 references give the rate to about +/- 10
    points"). No finite population correction: the rate stands for all the force's reported
    assaults, of which the logged ones are themselves a sample (docs/method.md 8.11), so even a
    check of every eligible reference leaves it uncertain."""
    if size <= 0 or eligible <= 0:
        return math.inf
    size = min(size, eligible)
    return 100 * Z95 * math.sqrt(share * (1 - share) / size)


def allocate(size: int, counts: Sequence[int]) -> list[int]:
    """Split ``size`` across strata of ``counts`` reports in proportion to them (largest
    remainder, ties to the earlier stratum), never more than a stratum holds."""
    total = sum(counts)
    size = min(size, total)
    if size == 0:
        return [0] * len(counts)
    exact = [size * count / total for count in counts]
    taken = [math.floor(share) for share in exact]  # never above a stratum's count: size <= total
    # What the floors left goes one each to the largest fractions; a stratum with a fraction
    # is below its count, so it has room.
    order = sorted(range(len(counts)), key=lambda i: (taken[i] - exact[i], i))
    for i in order[: size - sum(taken)]:
        taken[i] += 1
    return taken


@dataclass(frozen=True)
class Drawn:
    incident_id: int
    officer_said: str


def check_sample(eligible: Sequence[tuple[int, str]], size: int, *, seed: str, stratified: bool) -> list[Drawn]:
    """The sample, from ``eligible`` (report id, the officer's answer) pairs: the same seed and
    pairs give the same sample, in id order."""
    rng = random.Random(seed)  # noqa: S311  reproducible by design: a statistical sample, not a secret
    pairs = sorted(eligible)
    if not stratified:
        chosen = rng.sample(pairs, min(size, len(pairs)))
    else:
        groups = [[pair for pair in pairs if pair[1] == stratum] for stratum in STRATA]
        chosen = []
        for group, take in zip(groups, allocate(size, [len(g) for g in groups]), strict=True):
            chosen += rng.sample(group, take)
    return [Drawn(incident_id, said) for incident_id, said in sorted(chosen)]


@transaction.atomic
def recording_check_draw(
    *,
    area: str,
    year: int,
    size: int,
    stratified: bool,
    actor: User,
    seed: str | None = None,
    token: uuid.UUID | None = None,
) -> RecordingCheck:
    """Draw a check of ``size`` crime references (all of them if fewer are eligible) and record
    it with its seed, its population and its first history entry. A ``token`` already drawn
    with returns that check and draws nothing (the same form sent twice)."""
    if token is not None:
        existing = RecordingCheck.objects.filter(draw_token=token).first()
        if existing is not None:
            return existing
    if not 1 <= size <= MAX_SIZE:
        raise ValidationError({"size": f"Choose between 1 and {MAX_SIZE:,} crime references."})
    eligible = list(check_eligible(area, year).values_list("pk", "recorded_as_crime"))
    if not eligible:
        raise ValidationError("No report of this force in this year carries a crime reference to check.")
    seed = seed or secrets.token_hex(16)
    drawn = check_sample(eligible, size, seed=seed, stratified=stratified)
    try:
        with transaction.atomic():  # a savepoint: two sends at once meet on the unique token
            check = RecordingCheck.objects.create(
                area=area,
                financial_year=year,
                requested_size=size,
                stratified=stratified,
                seed=seed,
                eligible=len(eligible),
                created_by=actor,
                draw_token=token,
            )
    except IntegrityError:
        return RecordingCheck.objects.get(draw_token=token)
    row_ids = _row_ids(len(drawn))
    RecordingCheckItem.objects.bulk_create(
        [
            RecordingCheckItem(
                recording_check=check, incident_id=d.incident_id, officer_said=d.officer_said, row_id=row
            )
            for d, row in zip(drawn, row_ids, strict=True)
        ]
    )
    RecordingCheckEvent.objects.create(
        recording_check=check,
        actor=actor,
        status=CheckStatus.DRAWN,
        note=f"{len(drawn)} of {len(eligible)} crime references drawn{' by answer' if stratified else ''}",
    )
    return check


def open_checks(area: str, year: int) -> QuerySet[RecordingCheck]:
    """The checks of a force and year not cancelled, newest first: the draw page names them
    before another is drawn."""
    return RecordingCheck.objects.filter(area=area, financial_year=year).exclude(status=CheckStatus.CANCELLED)


def _row_ids(count: int) -> list[str]:
    """Opaque row ids for the registrar's sheet: random, nothing about the report in them, none
    already used by another check."""
    ids: set[str] = set()
    while len(ids) < count:
        fresh = {"RC-" + secrets.token_hex(4).upper() for _ in range(count - len(ids))} - ids
        ids |= fresh - set(RecordingCheckItem.objects.filter(row_id__in=fresh).values_list("row_id", flat=True))
    return list(ids)


# The registrar's sheet, in this order (XLSX and CSV alike; row 1 is this header). The first
# three are filled by the app; the registrar fills the last four. The answers importer reads
# the same columns back by their header.
SHEET_COLUMNS = (
    "Row id",
    "Crime reference",
    "Date of assault",
    "Found (yes/no)",
    "Offence code (8S, 104 or other)",
    "If other: which offence",
    "Date recorded",
)
FILLED_BY_REGISTRAR = SHEET_COLUMNS[3:]

# Where a check may go from each status. A check is drawn, sent (its sheet downloaded), answered
# (the registrar's answers imported), used (published: the figures use it and reps may see
# the result). It can be cancelled at any point; once answered its answers never change.
NEXT_STATUSES: dict[str, frozenset[str]] = {
    CheckStatus.DRAWN: frozenset({CheckStatus.SENT, CheckStatus.ANSWERED, CheckStatus.CANCELLED}),
    CheckStatus.SENT: frozenset({CheckStatus.ANSWERED, CheckStatus.CANCELLED}),
    CheckStatus.ANSWERED: frozenset({CheckStatus.USED, CheckStatus.CANCELLED}),
    CheckStatus.USED: frozenset({CheckStatus.ANSWERED, CheckStatus.CANCELLED}),
    CheckStatus.CANCELLED: frozenset(),
}


@transaction.atomic
def recording_check_transition(check: RecordingCheck, *, to: str, actor: User, note: str = "") -> RecordingCheck:
    """Move a check to status ``to`` with a history entry, or raise ValidationError (nothing
    written). Using a check puts any other used check of the same force and year back to
    answered (the figures use one check per force and year); using one, or ceasing to, marks
    that force and year for the statistics to recompute."""
    check = RecordingCheck.objects.select_for_update().get(pk=check.pk)
    if to not in NEXT_STATUSES[check.status]:
        raise ValidationError(
            f"A check that is {check.get_status_display().lower()} cannot become {CheckStatus(to).label.lower()}."
        )
    if to in (CheckStatus.ANSWERED, CheckStatus.USED) and not check.items.exclude(answered_at=None).exists():
        raise ValidationError("This check has no answers yet: import the registrar's answers first.")
    previous = check.status
    if to == CheckStatus.USED:
        replaced = RecordingCheck.objects.select_for_update().filter(
            area=check.area, financial_year=check.financial_year, status=CheckStatus.USED
        )
        for other in replaced.exclude(pk=check.pk):
            other.status = CheckStatus.ANSWERED
            other.save(update_fields=["status"])
            RecordingCheckEvent.objects.create(
                recording_check=other, actor=actor, status=CheckStatus.ANSWERED, note=f"Replaced by check {check.pk}"
            )
    check.status = to
    check.save(update_fields=["status"])
    RecordingCheckEvent.objects.create(recording_check=check, actor=actor, status=to, note=note[:200])
    if CheckStatus.USED in (to, previous):
        force = Force.objects.filter(code=check.area).first()
        if force is not None:
            statistics_changed(force_id=force.pk, occurred_on=datetime.date(check.financial_year, 4, 1))
    return check
