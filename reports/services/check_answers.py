"""Writes: the registrar's answers to a recording check (issue 20), read from the filled-in
sheet by reports.importing.answers.

All or nothing, and idempotent: importing the same answers again changes nothing and says
so. A check whose answers are in (answered, or used in the figures) takes no new or changed
answer: the figures may rest on them, so it is cancelled and drawn again instead. A cancelled
check takes nothing. No crime reference is read, logged or written here: an answer is known
by its sheet's row id.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from incidents.models import User
from reports.choices import CheckFound, CheckOffence, CheckStatus
from reports.importing.answers import Answer, answers_problems
from reports.importing.rows import Problem
from reports.models import RecordingCheck, RecordingCheckItem
from reports.services.checks import recording_check_transition

logger = logging.getLogger(__name__)

ANSWER_FIELDS = ("found", "offence", "offence_other", "recorded_on")
LOCKED = "This check is {status}: its answers are in; cancel it and draw again to change them."
CANCELLED = "This check was cancelled: it takes no answers. Draw a new check."


@dataclass(frozen=True)
class PlannedAnswer:
    """One row of the plan: the answer the file gives, and for a change the one it replaces."""

    row_id: str
    line: int
    answer: str
    before: str = ""


@dataclass
class AnswersPlan:
    """What an import does (or a dry run would do), with the values, for a person to check."""

    new: list[PlannedAnswer] = field(default_factory=list)
    changed: list[PlannedAnswer] = field(default_factory=list)
    unchanged: list[PlannedAnswer] = field(default_factory=list)
    # The check's rows with no answer once this file is in.
    unanswered: int = 0

    @property
    def changes(self) -> int:
        return len(self.new) + len(self.changed)


class AnswersRefused(Exception):
    """Nothing was imported: the message says why, with each problem of the answers."""

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


def answer_text(found: str, offence: str, offence_other: str, recorded_on: datetime.date | None) -> str:
    """ "found, 8S, recorded 3 June 2018", "found, other (criminal damage), recorded ...",
    "not found", or "no answer"."""
    if not found:
        return "no answer"
    if found == CheckFound.NO:
        return "not found"
    code = f"other ({offence_other})" if offence == CheckOffence.OTHER else offence
    day = f"{recorded_on.day} {recorded_on:%B %Y}" if recorded_on else "no date"
    return f"found, {code}, recorded {day}"


@transaction.atomic
def recording_check_answers_import(
    check: RecordingCheck, answers: list[Answer], *, actor: User, dry_run: bool
) -> AnswersPlan:
    """Import the answers, all or nothing, or (``dry_run``) say what importing them would do.

    Raises AnswersRefused, with nothing written, when the check takes no answers (cancelled),
    or no change to them (answered, used), or when an answer does not fit the check. A real
    import with any new or changed answer marks each with when it came, and moves a drawn or
    sent check to answered, which records it in the check's history.
    """
    check = RecordingCheck.objects.select_for_update().get(pk=check.pk)
    if check.status == CheckStatus.CANCELLED:
        raise AnswersRefused(CANCELLED)
    problems = answers_problems(check, answers)
    if problems:
        raise AnswersRefused(f"{len(problems)} problems in the answers; nothing was imported.", problems)
    items = {item.row_id: item for item in check.items.all()}
    plan = AnswersPlan()
    changed: list[RecordingCheckItem] = []
    now = timezone.now()
    for answer in sorted(answers, key=lambda a: a.line):
        item = items[answer.row_id]
        values = {name: getattr(answer, name) for name in ANSWER_FIELDS}
        text = answer_text(**values)
        if all(getattr(item, name) == value for name, value in values.items()):
            plan.unchanged.append(PlannedAnswer(answer.row_id, answer.line, text))
            continue
        if item.found:
            before = answer_text(item.found, item.offence, item.offence_other, item.recorded_on)
            plan.changed.append(PlannedAnswer(answer.row_id, answer.line, text, before))
        else:
            plan.new.append(PlannedAnswer(answer.row_id, answer.line, text))
        for name, value in values.items():
            setattr(item, name, value)
        item.answered_at = now
        changed.append(item)
    plan.unanswered = sum(1 for item in items.values() if not item.found)
    if plan.changes and check.status in (CheckStatus.ANSWERED, CheckStatus.USED):
        raise AnswersRefused(LOCKED.format(status=check.get_status_display().lower()))
    logger.info(
        "recording check answers check=%s new=%s changed=%s unchanged=%s dry_run=%s",
        check.pk,
        len(plan.new),
        len(plan.changed),
        len(plan.unchanged),
        dry_run,
    )
    if dry_run or not plan.changes:
        return plan
    RecordingCheckItem.objects.bulk_update(changed, [*ANSWER_FIELDS, "answered_at"])
    found = sum(1 for item in items.values() if item.found == CheckFound.YES)
    note = (
        f"{plan.changes} answers imported: {found} found, {len(items) - found - plan.unanswered} not found, "
        f"{plan.unanswered} unanswered"
    )
    recording_check_transition(check, to=CheckStatus.ANSWERED, actor=actor, note=note)
    return plan
