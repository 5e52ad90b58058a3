"""Demo accounts and a few hundred realistic reports, for ``make run``.

Idempotent: a second run finds the demo officer and only prints the logins.
Reports are inserted in bulk with their audit event; they are fixture data,
not officers' actions, so they bypass the services (and send no e-mails).
"""

from __future__ import annotations

import datetime
import random
from pathlib import Path
from typing import Any, cast

from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

import reports
from incidents.choices import (
    NATIONAL_GROUP,
    REPS_GROUP,
    Answer,
    AssaultKind,
    BackupWait,
    Duty,
    EventKind,
    Injury,
    NotReportedReason,
    Outcome,
    RecordedAsCrime,
    RejectionReason,
    ReportedToForce,
    ServiceBand,
    Setting,
    Status,
)
from incidents.models import (
    Force,
    Incident,
    IncidentAssault,
    IncidentEvent,
    IncidentNotReportedReason,
    IncidentQuestion,
    OfficerProfile,
    RepForce,
    User,
    choice_mask,
)
from incidents.services.filing import new_reference
from reports.choices import CheckFound, CheckOffence, CheckStatus, SourceKind
from reports.importing import parse_official_file
from reports.models import RecordingCheck, RecordingCheckItem
from reports.services import Release, official_figures_import, snapshots_recompute_all
from reports.services.checks import recording_check_draw, recording_check_transition

DEMO_PASSWORD = "assault-log-demo"  # noqa: S105 published demo login, printed by make run
# Staff must use two-factor authentication; the demo staff share this published
# secret so anyone can sign in (authenticator app, or `oathtool --totp -b SECRET`).
DEMO_TOTP_SECRET = "ASSAULTLOGDEMOTOTPSTAFF2"  # noqa: S105 published in the README for the demo
# Invented, and named no one: what officers typically write in a line or two.
DEMO_NARRATIVES = (
    "Spat at while putting a detained man into the van.",
    "Kicked in the shin during a search in custody.",
    "Pushed over when I stepped in to separate two men outside a bar.",
    "Punched in the face while making an arrest for a public order offence.",
    "Bitten on the hand while restraining a man in mental health crisis.",
    "Threatened with a bottle and then pushed against a wall.",
    "Headbutted while being booked in at the custody desk.",
    "Dragged along by a car when the driver pulled away during a stop.",
)
DEMO_ACCOUNTS = (
    # (e-mail, role, force slug for officers)
    ("officer@thamesvalley.police.uk", "officer", "thames-valley"),
    ("rep@federation.example", "rep", None),
    ("national@federation.example", "national", None),
    ("admin@federation.example", "admin", None),
)
REPORTS = 600
# Official figures found so far in public sources, shipped with the app (each row keeps its URL).
OFFICIAL_DATA = Path(reports.__file__).resolve().parent / "data"
OFFICIAL_FILES = ("official_assaults_national.csv", "official_assaults_by_force.csv", "officer_strength.csv")
OFFICIAL_SOURCE = "Public sources compiled for Assault Log (each figure links its source)"
OFFICIAL_PUBLISHED = datetime.date(2026, 11, 1)
# Each row of the files says its own kind of source (Home Office, federation, press).
OFFICIAL_RELEASE = Release(OFFICIAL_SOURCE, OFFICIAL_PUBLISHED, SourceKind.PRESS)
FIRST_DAY = datetime.date(2017, 4, 1)
# The demo's reports fall between these days, and its reviews happened before DEMO_NOW, whatever
# the date the demo is loaded: its figures, and the worked example in docs/method.md that a test
# holds, are the same on every machine and every day.
LAST_DAY = datetime.date(2026, 11, 30)
DEMO_NOW = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC)
# The demo's answered recording check: Thames Valley, 2018/19.
CHECK_FORCE, CHECK_YEAR = "E23000029", 2018
DRIVE_REPORTS = 90
# Roughly proportional to force size, so the demo figures look like a real spread.
FORCE_WEIGHTS = {
    "metropolitan": 10,
    "greater-manchester": 4,
    "west-midlands": 4,
    "west-yorkshire": 3,
    "thames-valley": 24,  # the demo rep's branch: enough reports for its estimates
}
ASSAULT_WEIGHTS = {
    AssaultKind.PUSH: 30,
    AssaultKind.GRAB: 18,
    AssaultKind.PUNCH: 15,
    AssaultKind.KICK: 12,
    AssaultKind.TRIP: 6,
    AssaultKind.SPIT: 16,
    AssaultKind.BITE: 4,
    AssaultKind.HEADBUTT: 3,
    AssaultKind.THROWN_OBJECT: 4,
    AssaultKind.WEAPON_BLADED: 1,
    AssaultKind.WEAPON_BLUNT: 1,
    AssaultKind.WEAPON_OTHER: 1,
    AssaultKind.VEHICLE: 1,
    AssaultKind.SEXUAL: 1,
    AssaultKind.THREAT: 8,
}


def _pick(rng: random.Random, weights: dict[Any, int]) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _answer(value: bool) -> str:
    return Answer.YES if value else Answer.NO


def _answer_or_unsure(draw: float, *, yes_below: float, unsure_below: float) -> str:
    """One random draw read as yes, not sure or no (so the demo's random sequence is unchanged)."""
    return Answer.YES if draw < yes_below else Answer.UNSURE if draw < unsure_below else Answer.NO


class Command(BaseCommand):
    help = "Create the demo accounts and a few hundred realistic reports (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not User.objects.filter(email=DEMO_ACCOUNTS[0][0]).exists():
            with transaction.atomic():
                self._seed()
            self.stdout.write(f"Created {Incident.objects.count()} demo reports.")
        for name in OFFICIAL_FILES:
            parsed = parse_official_file((OFFICIAL_DATA / name).read_bytes())
            plan = official_figures_import(parsed=parsed, release=OFFICIAL_RELEASE)
            if plan.changes:
                self.stdout.write(f"Loaded {name}: {len(plan.new)} new, {len(plan.changed)} changed.")
        self._recording_check()
        snapshots_recompute_all()
        self.stdout.write("Demo logins (e-mail / password):")
        for email, role, _slug in DEMO_ACCOUNTS:
            self.stdout.write(f"  {role:<9} {email} / {DEMO_PASSWORD}")
        self.stdout.write(
            f"Staff also enter a two-factor code: TOTP secret {DEMO_TOTP_SECRET} "
            f"(an authenticator app, or: oathtool --totp -b {DEMO_TOTP_SECRET})."
        )

    def _seed(self) -> None:
        rng = random.Random(2017)  # noqa: S311 seeded for repeatable demo data, not secrets
        reps, _ = Group.objects.get_or_create(name=REPS_GROUP)
        national, _ = Group.objects.get_or_create(name=NATIONAL_GROUP)
        forces = {force.slug: force for force in Force.objects.prefetch_related("email_domains")}
        for email, role, slug in DEMO_ACCOUNTS:
            user = User.objects.create_user(
                email=email,
                password=DEMO_PASSWORD,
                is_staff=role != "officer",
                is_superuser=role == "admin",
            )
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
            if role == "officer":
                OfficerProfile.objects.create(
                    user=user,
                    force=forces[cast(str, slug)],  # every officer account names its force
                    display_name="PC Sam Taylor",
                    collar_number="TV4821",
                    usual_duty=Duty.RESPONSE,
                    service_band=ServiceBand.FROM_2_TO_5,
                )
            else:
                TOTP.activate(user, DEMO_TOTP_SECRET)
            if role == "rep":
                user.groups.add(reps)
                RepForce.objects.create(rep=user, force=forces["thames-valley"])
            elif role == "national":
                user.groups.add(national)

        officers = [User.objects.get(email=DEMO_ACCOUNTS[0][0])]
        weights = {slug: FORCE_WEIGHTS.get(slug, 1) for slug in forces}
        for number in range(60):
            force = forces[_pick(rng, weights)]
            email = f"demo.officer{number}@{force.email_domains.all()[0].domain}"
            user = User.objects.create_user(email=email, password=None)
            OfficerProfile.objects.create(
                user=user,
                force=force,
                display_name=f"Demo officer {number}",
                usual_duty=rng.choice(Duty.values),
                service_band=rng.choice(ServiceBand.values),
            )
            officers.append(user)
        profiles = {p.user_id: p for p in OfficerProfile.objects.select_related("force")}

        span = (LAST_DAY - FIRST_DAY).days
        incidents: list[Incident] = []
        for number in range(REPORTS):
            officer = officers[0] if number < 8 else rng.choice(officers[1:])
            incidents.append(
                self._incident(
                    rng,
                    officer,
                    profiles[officer.pk].force,
                    FIRST_DAY + datetime.timedelta(days=rng.randrange(span)),
                    number,
                )
            )
        self._file(rng, incidents)
        self._review(rng, incidents)
        # Thames Valley's 2018/19 logging drive: more reports, from its own officers, each with
        # its own random sequence (the reports above stay as they were), so that the year's
        # recording check has crime references to draw.
        drive = random.Random(2018)  # noqa: S311 seeded for repeatable demo data, not secrets
        valley = [user for user in officers[1:] if profiles[user.pk].force.code == CHECK_FORCE] or officers[:1]
        start, days = datetime.date(CHECK_YEAR, 4, 1), 365
        extra = [
            self._incident(
                drive,
                drive.choice(valley),
                forces["thames-valley"],
                start + datetime.timedelta(days=drive.randrange(days)),
                REPORTS + number,
            )
            for number in range(DRIVE_REPORTS)
        ]
        self._file(drive, extra)
        self._review(drive, extra)

    def _file(self, rng: random.Random, incidents: list[Incident]) -> None:
        """Write the reports with their assaults, reasons and first events, at the times they
        were filed."""
        kinds: list[IncidentAssault] = []
        reasons: list[IncidentNotReportedReason] = []
        Incident.objects.bulk_create(incidents)
        for incident in incidents:
            count = 1 if rng.random() < 0.7 else 2
            chosen = {_pick(rng, ASSAULT_WEIGHTS) for _ in range(count)}
            kinds += [IncidentAssault(incident=incident, kind=kind) for kind in chosen]
            incident.assault_mask = choice_mask(AssaultKind, chosen)
            if incident.reported_to_force != ReportedToForce.YES:
                why = rng.sample(NotReportedReason.values, k=rng.choice([1, 1, 2]))
                reasons += [IncidentNotReportedReason(incident=incident, reason=reason) for reason in why]
                incident.reason_mask = choice_mask(NotReportedReason, why)
        IncidentAssault.objects.bulk_create(kinds)
        IncidentNotReportedReason.objects.bulk_create(reasons)
        Incident.objects.bulk_update(incidents, ["assault_mask", "reason_mask"], batch_size=500)
        IncidentEvent.objects.bulk_create(
            IncidentEvent(
                incident=incident,
                actor=incident.officer,
                kind=EventKind.SUBMITTED if incident.status != Status.DRAFT else EventKind.CREATED,
            )
            for incident in incidents
        )
        # auto_now_add stamped "now": put each report and its event at the time it was filed.
        for incident in incidents:
            filed = incident.submitted_at or DEMO_NOW
            Incident.objects.filter(pk=incident.pk).update(created_at=filed, updated_at=filed)
            IncidentEvent.objects.filter(incident=incident).update(created_at=filed)

    def _recording_check(self) -> None:
        """One answered check in use, for Thames Valley 2018/19: a stratified sample of its crime
        references, answered as a registrar might (most "yes" confirmed, some recorded under
        another offence or in the next year, a few "no" recorded after all)."""
        area, year = CHECK_FORCE, CHECK_YEAR
        if RecordingCheck.objects.filter(area=area, financial_year=year).exists():
            return
        staff = User.objects.get(email="national@federation.example")
        check = recording_check_draw(area=area, year=year, size=30, stratified=True, actor=staff, seed="demo-check")
        rng = random.Random(2018)  # noqa: S311 seeded for repeatable demo data, not secrets
        answered_at = timezone.now()  # the check is drawn, sent and answered as the demo is seeded
        items = list(check.items.select_related("incident").order_by("incident_id"))  # row ids are random
        for item in items:
            incident = item.incident
            if incident is None:  # anonymised since the draw: no answer
                continue
            draw = rng.random()
            counted = {"yes": 0.8, "no": 0.15}.get(item.officer_said, 0.55)
            if draw < counted or draw > 0.95:
                item.found = CheckFound.YES
                item.offence = (
                    CheckOffence.WITHOUT_INJURY if incident.injury == Injury.NONE else CheckOffence.WITH_INJURY
                )
                # Beyond "counted": recorded only in the next financial year.
                days = rng.randrange(1, 20) if draw < counted else 400
                item.recorded_on = min(DEMO_NOW.date(), incident.occurred_on + datetime.timedelta(days=days))
            elif draw < counted + 0.15:
                item.found = CheckFound.YES
                item.offence, item.offence_other = CheckOffence.OTHER, "Public order: section 4A"
                item.recorded_on = incident.occurred_on + datetime.timedelta(days=rng.randrange(1, 20))
            else:
                item.found = CheckFound.NO
            item.answered_at = answered_at
        RecordingCheckItem.objects.bulk_update(
            items, ["found", "offence", "offence_other", "recorded_on", "answered_at"]
        )
        for status, note in (
            (CheckStatus.SENT, "Sheet sent to the force's crime registrar"),
            (CheckStatus.ANSWERED, f"{len(items)} answers imported"),
            (CheckStatus.USED, "Published with the 2018/19 figures"),
        ):
            recording_check_transition(check, to=status, actor=staff, note=note)
        self.stdout.write(
            f"Drew and answered a recording check of {len(items)} crime references for Thames Valley 2018/19."
        )

    def _review(self, rng: random.Random, incidents: list[Incident]) -> None:
        """Most reports older than a month have been reviewed; a few wait on a question."""
        rep = User.objects.get(email="rep@federation.example")
        national = User.objects.get(email="national@federation.example")
        month_ago = DEMO_NOW - datetime.timedelta(days=30)
        for incident in incidents:
            submitted_at = incident.submitted_at  # set, as the officer is, on every report seeded as sent
            if (
                incident.status != Status.SUBMITTED
                or submitted_at is None
                or incident.officer is None
                or incident.officer.email == DEMO_ACCOUNTS[0][0]
            ):
                continue
            reviewer = rep if incident.force.slug == "thames-valley" else national
            if submitted_at < month_ago:
                outcome = _pick(rng, {Status.VERIFIED: 88, Status.REJECTED: 6, Status.IN_REVIEW: 6})
            else:
                outcome = _pick(rng, {Status.SUBMITTED: 60, Status.IN_REVIEW: 30, Status.NEEDS_INFO: 10})
            if outcome == Status.SUBMITTED:
                continue
            incident.status = outcome
            incident.assigned_rep = reviewer
            incident.rejection_reason = RejectionReason.NOT_ON_DUTY if outcome == Status.REJECTED else ""
            incident.save(update_fields=["status", "assigned_rep", "rejection_reason"])
            event = IncidentEvent.objects.create(
                incident=incident,
                actor=reviewer,
                kind=EventKind.STATUS_CHANGED,
                changes={"status": [Status.SUBMITTED, outcome]},
            )
            reviewed = min(submitted_at + datetime.timedelta(days=rng.randint(1, 10)), DEMO_NOW)
            IncidentEvent.objects.filter(pk=event.pk).update(created_at=reviewed)
            if outcome == Status.NEEDS_INFO:
                IncidentQuestion.objects.create(
                    incident=incident,
                    asked_by=reviewer,
                    question="Did you need to see a doctor afterwards, and has the offender been identified?",
                )

    def _incident(self, rng: random.Random, officer: User, force: Force, day: datetime.date, number: int) -> Incident:
        reported = _pick(rng, {ReportedToForce.YES: 55, ReportedToForce.NO: 35, ReportedToForce.NOT_YET: 10})
        if reported == ReportedToForce.YES:
            recorded = _pick(rng, {RecordedAsCrime.YES: 55, RecordedAsCrime.NO: 15, RecordedAsCrime.DONT_KNOW: 30})
        else:
            recorded = RecordedAsCrime.NO
        filed = timezone.make_aware(
            datetime.datetime.combine(day, datetime.time(8)) + datetime.timedelta(hours=rng.randrange(1, 72))
        )
        filed = min(filed, DEMO_NOW)
        status = Status.DRAFT if number == 7 else _pick(rng, {Status.SUBMITTED: 97, Status.WITHDRAWN: 3})
        single = rng.random() < 0.3
        return Incident(
            reference=new_reference(filed),
            officer=officer,
            force=force,
            status=status,
            occurred_on=day,
            occurred_at=datetime.time(rng.choice([0, 1, 2, 3, 14, 18, 20, 21, 22, 23]), rng.randrange(60)),
            # About half carry a few words of their own (stored encrypted, like any narrative).
            narrative=DEMO_NARRATIVES[number % len(DEMO_NARRATIVES)] if number % 2 == 0 else "",
            setting=_pick(
                rng,
                {
                    Setting.STREET: 40,
                    Setting.CUSTODY_SUITE: 15,
                    Setting.POLICE_VEHICLE: 10,
                    Setting.PRIVATE_DWELLING: 15,
                    Setting.LICENSED_PREMISES: 8,
                    Setting.HOSPITAL: 5,
                    Setting.STATION: 4,
                    Setting.OTHER: 3,
                },
            ),
            injury=_pick(rng, {Injury.NONE: 55, Injury.MINOR: 30, Injury.MEDICAL: 11, Injury.SERIOUS: 4}),
            duty_type=_pick(
                rng,
                {
                    Duty.RESPONSE: 55,
                    Duty.NEIGHBOURHOOD: 12,
                    Duty.CUSTODY: 12,
                    Duty.ROADS: 6,
                    Duty.PUBLIC_ORDER: 8,
                    Duty.INVESTIGATION: 4,
                    Duty.OTHER: 3,
                },
            ),
            single_crewed=_answer(single),
            backup_requested=_answer(single or rng.random() < 0.4),
            backup_wait=rng.choice(BackupWait.values) if single else "",
            during_arrest=_answer(rng.random() < 0.6),
            body_worn_video=_answer(rng.random() < 0.8),
            offender_count=rng.choice([1, 1, 1, 1, 2, 3]),
            offender_intoxicated=_answer_or_unsure(rng.random(), yes_below=0.6, unsure_below=0.7),
            offender_mental_health=_answer_or_unsure(rng.random(), yes_below=0.2, unsure_below=0.35),
            offender_under_18=_answer_or_unsure(rng.random(), yes_below=0.1, unsure_below=0.25),
            reported_to_force=reported,
            recorded_as_crime=recorded,
            # Most reported assaults have a crime reference (from the number, not the random
            # sequence, so the demo's other answers stay as they were).
            crime_reference=f"{force.slug[:3].upper()}/{number:05d}/{day:%y}"
            if reported == ReportedToForce.YES and number % 5 != 4
            else "",
            outcome=_pick(
                rng,
                {
                    Outcome.NO_ACTION_YET: 40,
                    Outcome.CHARGED: 15,
                    Outcome.CONVICTED: 20,
                    Outcome.NFA: 15,
                    Outcome.PENDING: 8,
                    Outcome.ACQUITTED: 2,
                },
            )
            if reported == ReportedToForce.YES
            else Outcome.NO_ACTION_YET,
            share_identity=rng.random() < 0.85,
            submitted_at=None if status == Status.DRAFT else filed,
        )
