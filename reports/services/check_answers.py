"""Writes: the registrar's answers to a recording check (issue 20), read from the filled-in
sheet by reports.importing.answers.

All or nothing, and idempotent: importing the same answers again changes nothing and says
so. A registrar may answer in batches: a drawn, sent or answered check takes new answers for
its rows that have none yet, and the first answers in make it answered. An answer already in
never changes (the figures may rest on it): a file that would change one is refused, naming
each row, and the check is cancelled and drawn again instead. A check used in the figures
takes no new answer until it stops being used, so the figures never rest on answers that
came in under them; a cancelled check takes nothing. No crime reference is read, logged or
written here: an answer is known by its sheet's row id.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from incidents.models import User
from reports.choices import CheckFound, CheckOffence, CheckStatus
from reports.importing.answers import ROW_ID, Answer, answers_problems
from reports.importing.rows import Problem
from reports.models import RecordingCheck, RecordingCheckEvent, RecordingCheckItem
from reports.services.checks import recording_check_transition

logger = logging.getLogger(__name__)

ANSWER_FIELDS = ("found", "offence", "offence_other", "recorded_on")
CHANGED = (
    "{count} in this file would change an answer already in, and an answer already in never changes "
    "(to change one, cancel the check and draw again)."
)
USED = "This check is used in the figures: stop using it first, then import the remaining answers, then use it again."
CANCELLED = "This check was cancelled: it takes no answers. Draw a new check."


@dataclass(frozen=True)
class PlannedAnswer:
    """One row of the plan: the answer the file gives."""

    row_id: str
    line: int
    answer: str


@dataclass
class AnswersPlan:
    """What an import does (or a dry run would do), with the values, for a person to check."""

    new: list[PlannedAnswer] = field(default_factory=list)
    unchanged: list[PlannedAnswer] = field(default_factory=list)
    # The check's rows with no answer once this file is in: a later file may answer them.
    unanswered: int = 0


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
    when an answer does not fit the check or would change one already in (each named by its
    line and row id), or when a check used in the figures would take a new answer. A real
    import with new answers marks each with when it came and writes the check's history: it
    moves a drawn or sent check to answered, and an answered check stays answered.
    """
    check = RecordingCheck.objects.select_for_update().get(pk=check.pk)
    if check.status == CheckStatus.CANCELLED:
        raise AnswersRefused(CANCELLED)
    problems = answers_problems(check, answers)
    if problems:
        raise AnswersRefused(f"{_count(len(problems), 'problem')} in the answers.", problems)
    items = {item.row_id: item for item in check.items.all()}
    plan = AnswersPlan()
    new: list[RecordingCheckItem] = []
    changes: list[Problem] = []
    now = timezone.now()
    for answer in sorted(answers, key=lambda a: a.line):
        item = items[answer.row_id]
        values = {name: getattr(answer, name) for name in ANSWER_FIELDS}
        text = answer_text(**values)
        if all(getattr(item, name) == value for name, value in values.items()):
            plan.unchanged.append(PlannedAnswer(answer.row_id, answer.line, text))
        elif item.found:
            held = answer_text(item.found, item.offence, item.offence_other, item.recorded_on)
            message = f"{answer.row_id} already has its answer ({held}); this file says {text}"
            changes.append(Problem(answer.line, ROW_ID, message, answer.sheet))
        else:
            plan.new.append(PlannedAnswer(answer.row_id, answer.line, text))
            for name, value in values.items():
                setattr(item, name, value)
            item.answered_at = now
            new.append(item)
    if changes:
        raise AnswersRefused(CHANGED.format(count=_count(len(changes), "answer")), changes)
    if plan.new and check.status == CheckStatus.USED:
        raise AnswersRefused(USED)
    plan.unanswered = sum(1 for item in items.values() if not item.found)
    logger.info(
        "recording check answers check=%s new=%s unchanged=%s unanswered=%s dry_run=%s",
        check.pk,
        len(plan.new),
        len(plan.unchanged),
        plan.unanswered,
        dry_run,
    )
    if dry_run or not plan.new:
        return plan
    RecordingCheckItem.objects.bulk_update(new, [*ANSWER_FIELDS, "answered_at"])
    found = sum(1 for item in items.values() if item.found == CheckFound.YES)
    counts = f"{found} found, {len(items) - found - plan.unanswered} not found, {plan.unanswered} unanswered"
    if check.status == CheckStatus.ANSWERED:
        # Not a move of status (answered stays answered), but the check's history says when
        # its late answers came and from whom.
        note = f"{_count(len(plan.new), 'more answer')} imported: {counts}"
        RecordingCheckEvent.objects.create(recording_check=check, actor=actor, status=check.status, note=note)
    else:
        note = f"{_count(len(plan.new), 'answer')} imported: {counts}"
        recording_check_transition(check, to=CheckStatus.ANSWERED, actor=actor, note=note)
    return plan


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
