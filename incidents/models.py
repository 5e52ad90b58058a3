from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from functools import cached_property
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.http import HttpRequest
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from incidents.choices import (
    NATIONAL_GROUP,
    OFFICER_EDITABLE_STATUSES,
    SERIOUS_INJURIES,
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
    StaffAction,
    Status,
    SupportOffered,
)
from incidents.fields import DigestField, EncryptedCharField, EncryptedTextField

# Official statistics on this basis start in 2017; the app accepts older
# assaults back to 2010 so officers can record what they still carry with them.
EARLIEST_INCIDENT_DATE = datetime.date(2010, 1, 1)
# The columns the review list's filters and scope test (incidents/admin/filters.py), carried
# by its covering indexes so that a page's ids never need the table.
REVIEW_FILTER_COLUMNS = [
    "status",
    "force",
    "occurred_on",
    "injury",
    "reported_to_force",
    "single_crewed",
    "assigned_rep",
]
NARRATIVE_MAX_LENGTH = 5000
PLACE_MAX_LENGTH = 200
CRIME_REFERENCE_MAX_LENGTH = 40
QUESTION_MAX_LENGTH = 1000
ANSWER_MAX_LENGTH = 2000
NOTE_MAX_LENGTH = 2000
MAX_DAYS_OFF = 365
MAX_OFFENDERS = 50
MAX_OTHER_OFFICERS = 50

# Fields an officer may set on a report, and the ones whose content is personal
# free text: the audit trail records that those changed, never what they say.
INCIDENT_FIELDS: tuple[str, ...] = (
    "occurred_on",
    "occurred_at",
    "setting",
    "place",
    "injury",
    "days_off_work",
    "other_officers_assaulted",
    "duty_type",
    "single_crewed",
    "backup_requested",
    "backup_wait",
    "during_arrest",
    "body_worn_video",
    "offender_count",
    "offender_intoxicated",
    "offender_mental_health",
    "offender_under_18",
    "reported_to_force",
    "recorded_as_crime",
    "crime_reference",
    "outcome",
    "narrative",
    "share_identity",
)
FREE_TEXT_FIELDS = frozenset({"place", "crime_reference", "narrative"})
MULTI_FIELDS: tuple[str, ...] = ("assaults", "not_reported_reasons")


# Each choice's bit in the masks (Incident.assault_mask, reason_mask), fixed for good: the
# stored masks and the statistics read them by these numbers, so a bit is never moved or
# reused, whatever the order of the choices. A new choice takes the next free bit.
# tests/incidents/test_models.py pins every one.
CHOICE_BITS: dict[type[models.TextChoices], dict[str, int]] = {
    AssaultKind: {
        "push": 0,
        "grab": 1,
        "punch": 2,
        "kick": 3,
        "trip": 4,
        "spit": 5,
        "bite": 6,
        "headbutt": 7,
        "thrown_object": 8,
        "weapon_bladed": 9,
        "weapon_blunt": 10,
        "weapon_firearm": 11,
        "weapon_other": 12,
        "vehicle": 13,
        "sexual": 14,
        "threat": 15,
    },
    NotReportedReason: {
        "part_of_job": 0,
        "too_minor": 1,
        "no_time": 2,
        "no_confidence": 3,
        "discouraged": 4,
        "other": 5,
    },
}


def choice_bit(choices: type[models.TextChoices], value: str) -> int:
    """The bit of one choice value in its mask (CHOICE_BITS)."""
    return 1 << CHOICE_BITS[choices][value]


def choice_mask(choices: type[models.TextChoices], values: Iterable[str]) -> int:
    """The bit summary of a set of choice values (see Incident.assault_mask)."""
    return sum(choice_bit(choices, value) for value in set(values))


def incident_rule_errors(values: Mapping[str, Any], *, now: datetime.datetime) -> dict[str, str]:
    """Rules across the fields of one report, shared by the forms and the services.

    ``values`` holds the report as it would be after the change; ``now`` is an
    aware datetime in Europe/London. Returns {field: message}, empty when valid.
    """
    errors: dict[str, str] = {}
    occurred_on = values.get("occurred_on")
    if occurred_on:
        if occurred_on > now.date():
            errors["occurred_on"] = _("The date can't be in the future.")
        elif occurred_on < EARLIEST_INCIDENT_DATE:
            errors["occurred_on"] = _("Enter a date from %(date)s onwards.") % {
                "date": date_format(EARLIEST_INCIDENT_DATE, "j F Y")
            }
        elif occurred_on == now.date() and values.get("occurred_at") and values["occurred_at"] > now.time():
            errors["occurred_at"] = _("The time can't be later than now.")
    reported = values.get("reported_to_force")
    if values.get("crime_reference") and reported != ReportedToForce.YES:
        errors["crime_reference"] = _(
            "A crime reference only goes with an assault you reported to your force: "
            "remove it, or answer 'Yes' to 'Did you report it to your force?'."
        )
    if values.get("not_reported_reasons") and reported == ReportedToForce.YES:
        errors["not_reported_reasons"] = _("You said you reported it, so leave 'Why not?' empty.")
    if values.get("backup_wait") and values.get("backup_requested") == Answer.NO:
        errors["backup_wait"] = _("You said you did not request back-up, so leave how long it took empty.")
    return errors


class Force(models.Model):
    """A territorial police force of England and Wales, or British Transport Police."""

    code = models.CharField(max_length=9, unique=True, help_text="ONS police force area code; BTP for BTP.")
    official_name = models.CharField(max_length=100)
    ons_name = models.CharField(max_length=100, blank=True, help_text="The name used in Home Office tables.")
    short_name = models.CharField(max_length=60)
    slug = models.SlugField(max_length=60, unique=True)
    region = models.CharField(max_length=60)
    country = models.CharField(max_length=60)
    # The Welsh forces' own Welsh names (Heddlu Dyfed-Powys...), shown on Welsh pages; blank
    # for the others, whose English name stands on a Welsh page too.
    welsh_name = models.CharField(max_length=100, blank=True)
    welsh_short_name = models.CharField(max_length=60, blank=True)

    class Meta:
        ordering = ["short_name"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The force's name in the page's language (officers' pages, figures, e-mails)."""
        if self.welsh_name and translation.get_language() == "cy":
            return self.welsh_name
        return self.official_name

    @property
    def local_short_name(self) -> str:
        """The force's short name in the page's language."""
        if self.welsh_short_name and translation.get_language() == "cy":
            return self.welsh_short_name
        return self.short_name

    @property
    def name_lang(self) -> str:
        """The language of the force's name where it differs from the page's: "en-GB" on a Welsh
        page for a force with no Welsh name (Thames Valley Police), for a lang attribute so a
        screen reader says it in English; "" where the name is in the page's language."""
        if not self.welsh_name and translation.get_language() == "cy":
            return "en-GB"
        return ""


class ForceEmailDomain(models.Model):
    """An e-mail domain whose holders are officers of the force (sign-up is gated on it)."""

    force = models.ForeignKey(Force, on_delete=models.CASCADE, related_name="email_domains")
    domain = models.CharField(max_length=120, unique=True, help_text="Lower case, without '@'.")

    class Meta:
        ordering = ["domain"]
        constraints = [
            models.CheckConstraint(condition=Q(domain=Lower("domain")), name="email_domain_lower"),
        ]

    def __str__(self) -> str:
        return self.domain


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)


class User(AbstractUser):
    """Everyone signs in with an e-mail address; there are no usernames."""

    username = None  # type: ignore[assignment]  # AbstractUser's field removed: no usernames
    # Marked: the password checks name it ("too similar to the e-mail address") in the page's language.
    email = models.EmailField(gettext_lazy("e-mail address"), unique=True)
    # The language the officer chose (switcher, or the one they signed up in): their pages after
    # signing in and their e-mails use it. Blank: the browser's.
    language = models.CharField(max_length=10, choices=settings.LANGUAGES, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]  # AbstractUser's makes users by username

    def __str__(self) -> str:
        return self.email

    # Read once per request: request.user is a new object each request, so a change to a
    # rep's groups or forces takes effect on their next page.
    @cached_property
    def in_national_group(self) -> bool:
        return self.groups.filter(name=NATIONAL_GROUP).exists()

    @cached_property
    def covered_force_ids(self) -> frozenset[int]:
        """The forces this rep covers (RepForce)."""
        return frozenset(self.rep_forces.values_list("force_id", flat=True))


def signed_in_user(request: HttpRequest) -> User:
    """The user of a request that only signed-in users reach (login_required views, the admin),
    as this project's User; anyone else is refused."""
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user


class OfficerProfile(models.Model):
    """What makes a user an officer who can file reports. Staff have none."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="officer_profile")
    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="officers")
    display_name = models.CharField(max_length=80)
    collar_number = models.CharField(max_length=20, blank=True)
    usual_duty = models.CharField(max_length=20, choices=Duty.choices)
    service_band = models.CharField(max_length=10, choices=ServiceBand.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.display_name

    def clean(self) -> None:
        # Officers are never staff: a staff account cannot be given a profile (the user
        # form refuses the reverse, making an officer staff).
        if self.user_id and User.objects.filter(pk=self.user_id, is_staff=True).exists():
            raise ValidationError(
                {"user": "A staff account cannot file reports: officers and staff use separate accounts."}
            )


def answer_field(verbose_name: str | None = None) -> models.CharField:
    """Yes, no or not sure; blank when not answered (the database fills in blank too, for rows
    written by plain SQL)."""
    return models.CharField(verbose_name, max_length=6, choices=Answer.choices, blank=True, default="", db_default="")


class Incident(models.Model):
    """One assault on one officer, as that officer reports it."""

    reference = models.CharField(max_length=20, unique=True, editable=False)
    # Empty once the report is anonymised (retention, or the officer closed their account):
    # the report then counts in the statistics and identifies no one.
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="incidents"
    )
    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="incidents")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    # The one-time key carried by the form that created this report: a double tap
    # or a resubmit after a timeout finds it and creates nothing new.
    submission_key = models.UUIDField(unique=True, null=True, blank=True, editable=False)

    occurred_on = models.DateField("date")
    occurred_at = models.TimeField("time", null=True, blank=True)
    setting = models.CharField(max_length=20, choices=Setting.choices, blank=True)
    place = EncryptedCharField(max_length=PLACE_MAX_LENGTH, blank=True)

    injury = models.CharField(max_length=10, choices=Injury.choices, blank=True)
    days_off_work = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(MAX_DAYS_OFF)]
    )
    other_officers_assaulted = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(MAX_OTHER_OFFICERS)]
    )

    duty_type = models.CharField(max_length=20, choices=Duty.choices, blank=True)
    single_crewed = answer_field()
    backup_requested = answer_field()
    backup_wait = models.CharField(max_length=10, choices=BackupWait.choices, blank=True)
    during_arrest = answer_field()
    body_worn_video = answer_field("body-worn video running")

    offender_count = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(MAX_OFFENDERS)]
    )
    offender_intoxicated = answer_field()
    offender_mental_health = answer_field()
    offender_under_18 = answer_field()

    reported_to_force = models.CharField(max_length=10, choices=ReportedToForce.choices, blank=True)
    recorded_as_crime = models.CharField(max_length=10, choices=RecordedAsCrime.choices, blank=True)
    crime_reference = EncryptedCharField(max_length=CRIME_REFERENCE_MAX_LENGTH, blank=True)
    # The keyed digest staff search by: the reference itself is stored encrypted.
    crime_reference_digest = DigestField(source="crime_reference")
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.NO_ACTION_YET)

    narrative = EncryptedTextField(blank=True, validators=[MaxLengthValidator(NARRATIVE_MAX_LENGTH)])
    share_identity = models.BooleanField(
        default=True, help_text="False is 'statistics only': reps do not see who filed it."
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # Claimed before the receipt e-mail goes out, so a re-delivered task sends nothing.
    receipt_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    reps_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    anonymised_at = models.DateTimeField(null=True, blank=True, editable=False)

    # Review: set by federation staff through the review services, never by the officer.
    assigned_rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_incidents",
    )
    rejection_reason = models.CharField(max_length=20, choices=RejectionReason.choices, blank=True)
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="duplicates"
    )
    # The rep's correction of the officer's classification; statistics prefer it.
    reviewed_injury = models.CharField("reviewed injury", max_length=10, choices=Injury.choices, blank=True)
    # Bit summaries of the multi-choice answers (bit i = the i-th value of AssaultKind or
    # NotReportedReason), written by the services with the rows themselves, so the
    # statistics count every kind in the same single scan as everything else.
    assault_mask = models.PositiveIntegerField(default=0, editable=False)
    reviewed_assault_mask = models.PositiveIntegerField(default=0, editable=False)
    reason_mask = models.PositiveIntegerField(default=0, editable=False)
    # The review queue: unreviewed first, then newest. Stored by the database so the
    # change list can order a million rows by an index instead of a sort.
    review_rank = models.GeneratedField(
        expression=models.Case(
            models.When(status=Status.SUBMITTED, then=models.Value(0)),
            models.When(status=Status.NEEDS_INFO, then=models.Value(1)),
            models.When(status=Status.IN_REVIEW, then=models.Value(1)),
            default=models.Value(2),
        ),
        output_field=models.SmallIntegerField(),
        db_persist=True,
    )

    class Meta:
        ordering = ["-occurred_on", "-created_at"]
        permissions = [
            ("review_incident", "Can review incidents (status, assignment, notes, welfare)"),
            ("export_incident", "Can export incidents as CSV or XLSX"),
        ]
        indexes = [
            # My reports: one officer's list, newest first.
            models.Index(fields=["officer", "-created_at"], name="incident_officer_recent"),
            # Statistics group by force and financial year of the assault.
            models.Index(fields=["force", "occurred_on"], name="incident_force_date"),
            # The review list finds a page's ids from one of these alone, never the table
            # (PostgreSQL: an index-only scan; see CoveringPagePaginator): the queue, national
            # and per force (reps see their forces only), and a date range (a financial year,
            # the drill-down), each carrying every column a filter of the list tests.
            models.Index(
                fields=["review_rank", "-submitted_at", "-id"],
                include=REVIEW_FILTER_COLUMNS,
                name="incident_queue_cover",
            ),
            models.Index(
                fields=["force", "review_rank", "-submitted_at", "-id"],
                include=[column for column in REVIEW_FILTER_COLUMNS if column != "force"],
                name="incident_force_queue_cover",
            ),
            models.Index(
                fields=["occurred_on"],
                include=[
                    "review_rank",
                    "submitted_at",
                    "id",
                    *(c for c in REVIEW_FILTER_COLUMNS if c != "occurred_on"),
                ],
                name="incident_date_cover",
            ),
            # For a rare value of one filter, which the planner reads through its own index.
            models.Index(fields=["status", "-submitted_at"], name="incident_status"),
            models.Index(fields=["injury"], name="incident_injury"),
            models.Index(fields=["reported_to_force"], name="incident_reported"),
            models.Index(fields=["single_crewed"], name="incident_single_crewed"),
            models.Index(fields=["crime_reference_digest"], name="incident_crime_reference"),
            # The sweep for e-mails never sent: small partial indexes, empty when all is well.
            models.Index(
                fields=["submitted_at"], condition=Q(receipt_sent_at__isnull=True), name="incident_receipt_unsent"
            ),
            models.Index(
                fields=["submitted_at"],
                condition=Q(reps_notified_at__isnull=True, injury__in=list(SERIOUS_INJURIES)),
                name="incident_reps_unnotified",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(occurred_on__gte=EARLIEST_INCIDENT_DATE), name="incident_date_not_before_2010"
            ),
            models.CheckConstraint(condition=Q(status__in=Status.values), name="incident_status_valid"),
            models.CheckConstraint(condition=Q(injury__in=[*Injury.values, ""]), name="incident_injury_valid"),
            models.CheckConstraint(
                condition=Q(reported_to_force__in=[*ReportedToForce.values, ""]), name="incident_reported_valid"
            ),
            models.CheckConstraint(
                condition=Q(recorded_as_crime__in=[*RecordedAsCrime.values, ""]), name="incident_recorded_valid"
            ),
            # A report that was ever submitted has all three; a draft, or a draft withdrawn
            # before it was sent, may still lack them.
            models.CheckConstraint(
                condition=Q(submitted_at__isnull=True)
                | (~Q(injury="") & ~Q(reported_to_force="") & ~Q(recorded_as_crime="")),
                name="incident_complete_once_submitted",
            ),
            models.CheckConstraint(
                condition=Q(days_off_work__isnull=True) | Q(days_off_work__lte=MAX_DAYS_OFF),
                name="incident_days_off_range",
            ),
            models.CheckConstraint(
                condition=Q(offender_count__isnull=True) | Q(offender_count__gte=1, offender_count__lte=MAX_OFFENDERS),
                name="incident_offender_count_range",
            ),
            models.CheckConstraint(
                condition=Q(other_officers_assaulted__lte=MAX_OTHER_OFFICERS), name="incident_other_officers_range"
            ),
            # A crime reference exists only for an assault that was reported.
            models.CheckConstraint(
                condition=Q(crime_reference="") | Q(reported_to_force=ReportedToForce.YES),
                name="incident_crime_reference_only_if_reported",
            ),
            # submitted_at is when it was sent: only a draft, or a draft withdrawn before it
            # was sent, has none. Staff see only reports that were sent (incidents/selectors.py).
            models.CheckConstraint(
                condition=Q(submitted_at__isnull=False) | Q(status__in=[Status.DRAFT, Status.WITHDRAWN]),
                name="incident_submitted_has_timestamp",
            ),
            models.CheckConstraint(
                condition=Q(submitted_at__isnull=True) | ~Q(status=Status.DRAFT), name="incident_draft_not_submitted"
            ),
            # A rejection always says why; only a rejection does.
            models.CheckConstraint(
                condition=(Q(status=Status.REJECTED) & ~Q(rejection_reason=""))
                | (~Q(status=Status.REJECTED) & Q(rejection_reason="")),
                name="incident_rejection_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(duplicate_of__isnull=True) | Q(rejection_reason=RejectionReason.DUPLICATE),
                name="incident_duplicate_only_if_rejected_as_duplicate",
            ),
            models.CheckConstraint(
                condition=Q(reviewed_injury__in=[*Injury.values, ""]), name="incident_reviewed_injury_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_officer_editable(self) -> bool:
        return self.status in OFFICER_EDITABLE_STATUSES


class IncidentAssault(models.Model):
    """One thing that was done to the officer (a report may have several)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="assaults")
    kind = models.CharField(max_length=20, choices=AssaultKind.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["incident", "kind"], name="incident_assault_unique"),
            models.CheckConstraint(condition=Q(kind__in=AssaultKind.values), name="incident_assault_kind_valid"),
        ]
        # Breakdowns by what happened group on kind across all incidents.
        indexes = [models.Index(fields=["kind", "incident"], name="incident_assault_kind")]

    def __str__(self) -> str:
        return self.get_kind_display()


class ReviewedAssault(models.Model):
    """The rep's corrected classification of what happened (the officer's stays as filed)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="reviewed_assaults")
    kind = models.CharField(max_length=20, choices=AssaultKind.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["incident", "kind"], name="reviewed_assault_unique"),
            models.CheckConstraint(condition=Q(kind__in=AssaultKind.values), name="reviewed_assault_kind_valid"),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


class IncidentNotReportedReason(models.Model):
    """Why the officer did not report the assault to their force (several may apply)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="not_reported_reasons")
    reason = models.CharField(max_length=20, choices=NotReportedReason.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["incident", "reason"], name="incident_reason_unique"),
            models.CheckConstraint(condition=Q(reason__in=NotReportedReason.values), name="incident_reason_valid"),
        ]

    def __str__(self) -> str:
        return self.get_reason_display()


class IncidentEvent(models.Model):
    """The audit trail: who changed what on a report, and when. Never edited."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    # {field: [old, new]} for categorical fields; free text is recorded as changed
    # without its content, so the audit trail never copies a narrative.
    changes = models.JSONField(default=dict, blank=True)
    visible_to_officer = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Claimed before the officer is e-mailed about this event (status change, question).
    notified_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["incident", "created_at"], name="event_incident_time"),
            models.Index(
                fields=["created_at"],
                condition=Q(notified_at__isnull=True, kind=EventKind.STATUS_CHANGED),
                name="event_unnotified",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.incident_id} {self.kind} {self.created_at:%Y-%m-%d %H:%M}"


class RepForce(models.Model):
    """A federation rep's branch: the force whose reports the rep may see and review."""

    rep = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rep_forces")
    force = models.ForeignKey(Force, on_delete=models.CASCADE, related_name="reps")

    class Meta:
        verbose_name = "rep's force"
        constraints = [models.UniqueConstraint(fields=["rep", "force"], name="rep_force_unique")]

    def __str__(self) -> str:
        return f"{self.rep} – {self.force.short_name}"


class IncidentQuestion(models.Model):
    """A rep asks the officer for information; the officer answers on their report page."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="questions")
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    question = EncryptedTextField(validators=[MaxLengthValidator(QUESTION_MAX_LENGTH)])
    asked_at = models.DateTimeField(auto_now_add=True)
    answer = EncryptedTextField(blank=True, validators=[MaxLengthValidator(ANSWER_MAX_LENGTH)])
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["asked_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True, answer="") | (Q(answered_at__isnull=False) & ~Q(answer="")),
                name="question_answer_has_time",
            )
        ]

    def __str__(self) -> str:
        return f"Question on {self.incident_id}"


class IncidentNote(models.Model):
    """A rep's internal note. Never shown to the officer."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    text = EncryptedTextField(validators=[MaxLengthValidator(NOTE_MAX_LENGTH)])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Note on {self.incident_id}"


class WelfareContact(models.Model):
    """A rep's welfare follow-up with the officer."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="welfare_contacts")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    contacted_on = models.DateField("date")
    contact_made = models.BooleanField(default=True)
    support_offered = models.CharField(max_length=20, choices=SupportOffered.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["contacted_on", "id"]
        verbose_name = "welfare follow-up"
        constraints = [
            models.CheckConstraint(condition=Q(support_offered__in=SupportOffered.values), name="welfare_support_valid")
        ]

    def __str__(self) -> str:
        return f"Welfare {self.contacted_on}"


class StaffAccess(models.Model):
    """Who among federation staff viewed which report, or exported what, and when."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    action = models.CharField(max_length=10, choices=StaffAction.choices)
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, null=True, blank=True, related_name="accesses")
    # For exports: the format, the filters and the number of rows. Never row content.
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "staff access"
        verbose_name_plural = "staff access log"
        indexes = [
            models.Index(fields=["incident", "-created_at"], name="access_incident_time"),
            models.Index(fields=["-created_at"], name="access_time"),
        ]

    def __str__(self) -> str:
        return f"{self.actor_id} {self.action} {self.incident_id or ''}"


class DigestSent(models.Model):
    """One waiting-reports digest per rep per day: inserting the row claims the send."""

    rep = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["rep", "day"], name="digest_once_a_day")]

    def __str__(self) -> str:
        return f"Digest for {self.rep_id} on {self.day}"


class StatisticsMark(models.Model):
    """A force and financial year whose reports changed since the statistics last read them.

    Written in the transaction that changes a report (incidents.services.events.
    statistics_changed), so no change is lost whatever happens after it commits; the reports
    app recomputes that force and year and deletes the mark (reports.services.snapshots).
    """

    force = models.ForeignKey(Force, on_delete=models.CASCADE, related_name="+")
    financial_year = models.PositiveSmallIntegerField()
    marked_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["force", "financial_year"], name="statistics_mark_key")]

    def __str__(self) -> str:
        return f"{self.force_id} {self.financial_year}"
