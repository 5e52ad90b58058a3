"""The closed vocabularies of a report. Statistics group by these values, so a
value, once stored, is never renamed: add new ones, relabel freely.

The labels an officer sees are translated (docs/welsh.md) and lazy: each is put into words in
the language of the page that shows it; the review admin, English for everyone, shows them in
English. Yes and no take a context, as Welsh answers each question with its own verb."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Duty(models.TextChoices):
    RESPONSE = "response", _("Response")
    NEIGHBOURHOOD = "neighbourhood", _("Neighbourhood")
    CUSTODY = "custody", _("Custody")
    ROADS = "roads", _("Roads policing")
    PUBLIC_ORDER = "public_order", _("Public order")
    INVESTIGATION = "investigation", _("Investigation")
    OTHER = "other", _("Other")


class ServiceBand(models.TextChoices):
    UNDER_2 = "under_2", _("Less than 2 years")
    FROM_2_TO_5 = "2_5", _("2 to 5 years")
    FROM_5_TO_10 = "5_10", _("5 to 10 years")
    FROM_10_TO_20 = "10_20", _("10 to 20 years")
    OVER_20 = "over_20", _("More than 20 years")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    NEEDS_INFO = "needs_info", _("Needs information")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# Statuses in which the officer may still edit or withdraw: review has not started.
OFFICER_EDITABLE_STATUSES = frozenset({Status.DRAFT, Status.SUBMITTED})
# Closed: nothing more will happen to the report, so retention may anonymise it.
CLOSED_STATUSES = frozenset({Status.VERIFIED, Status.REJECTED, Status.WITHDRAWN})
# Waiting on the federation: what the review queue and the digest count.
AWAITING_REVIEW_STATUSES = frozenset({Status.SUBMITTED, Status.IN_REVIEW})


class RejectionReason(models.TextChoices):
    DUPLICATE = "duplicate", _("Duplicate of another report")
    NOT_ON_DUTY = "not_on_duty", _("Not an assault on duty")
    MISTAKE = "mistake", _("Test or mistaken entry")


class SupportOffered(models.TextChoices):
    WELFARE = "welfare", _("Welfare support")
    OCCUPATIONAL_HEALTH = "occupational_health", _("Occupational health")
    LEGAL = "legal", _("Legal advice")
    NONE_WANTED = "none_wanted", _("None wanted")


# The review admin's own (English): not translated.
class StaffAction(models.TextChoices):
    # What was viewed or exported is the row's report, or its detail (a recording check's
    # crime references, an export's filters and row count).
    VIEWED = "viewed", "Viewed"
    EXPORTED = "exported", "Exported"


class Setting(models.TextChoices):
    STREET = "street", _("Street or public place")
    CUSTODY_SUITE = "custody_suite", _("Custody suite")
    POLICE_VEHICLE = "police_vehicle", _("Police vehicle")
    STATION = "station", _("Police station")
    HOSPITAL = "hospital", _("Hospital")
    LICENSED_PREMISES = "licensed_premises", _("Pub, bar or club")
    PRIVATE_DWELLING = "private_dwelling", _("Private home")
    OTHER = "other", _("Somewhere else")


class AssaultKind(models.TextChoices):
    PUSH = "push", _("Push or shove")
    GRAB = "grab", _("Grab")
    PUNCH = "punch", _("Punch or strike")
    KICK = "kick", _("Kick")
    TRIP = "trip", _("Trip or ankle tap")
    SPIT = "spit", _("Spit or bodily fluid")
    BITE = "bite", _("Bite")
    HEADBUTT = "headbutt", _("Headbutt")
    THROWN_OBJECT = "thrown_object", _("Thrown object")
    WEAPON_BLADED = "weapon_bladed", _("Weapon: bladed")
    WEAPON_BLUNT = "weapon_blunt", _("Weapon: blunt")
    WEAPON_FIREARM = "weapon_firearm", _("Weapon: firearm")
    WEAPON_OTHER = "weapon_other", _("Weapon: other")
    VEHICLE = "vehicle", _("Vehicle used as a weapon")
    SEXUAL = "sexual", _("Sexual assault")
    THREAT = "threat", _("Threat of violence")


class Injury(models.TextChoices):
    NONE = "none", _("No injury")
    MINOR = "minor", _("Minor (bruise or scratch)")
    MEDICAL = "medical", _("Needed medical treatment")
    SERIOUS = "serious", _("Hospital or serious injury")


# A new report with one of these injuries is e-mailed to the force's reps.
SERIOUS_INJURIES = (Injury.MEDICAL, Injury.SERIOUS)


class BackupWait(models.TextChoices):
    UNDER_5 = "under_5", _("Under 5 minutes")
    FROM_5_TO_15 = "5_15", _("5 to 15 minutes")
    FROM_15_TO_30 = "15_30", _("15 to 30 minutes")
    OVER_30 = "over_30", _("More than 30 minutes")
    NEVER = "never", _("Back-up never arrived")


class Answer(models.TextChoices):
    """A yes/no question that may also be answered "Not sure" (blank: not answered)."""

    YES = "yes", pgettext_lazy("answer to any yes/no question", "Yes")
    NO = "no", pgettext_lazy("answer to any yes/no question", "No")
    UNSURE = "unsure", _("Not sure")


class ReportedToForce(models.TextChoices):
    YES = "yes", pgettext_lazy("answer to: did you report it?", "Yes")
    NO = "no", pgettext_lazy("answer to: did you report it?", "No")
    NOT_YET = "not_yet", _("Not yet")


class RecordedAsCrime(models.TextChoices):
    YES = "yes", pgettext_lazy("answer to: was it recorded as a crime?", "Yes")
    NO = "no", pgettext_lazy("answer to: was it recorded as a crime?", "No")
    DONT_KNOW = "dont_know", _("Don't know")


class NotReportedReason(models.TextChoices):
    PART_OF_JOB = "part_of_job", _("It's part of the job")
    TOO_MINOR = "too_minor", _("Too minor")
    NO_TIME = "no_time", _("No time, or too much paperwork")
    NO_CONFIDENCE = "no_confidence", _("No confidence anything would happen")
    DISCOURAGED = "discouraged", _("I was discouraged from reporting it")
    OTHER = "other", _("Another reason")


class Outcome(models.TextChoices):
    NO_ACTION_YET = "no_action_yet", _("No action yet")
    CHARGED = "charged", _("Charged")
    CONVICTED = "convicted", _("Convicted")
    ACQUITTED = "acquitted", _("Acquitted")
    SELF_DEFENCE = "self_defence", _("Self-defence accepted")
    NFA = "nfa", _("No further action")
    PENDING = "pending", _("Pending")


class EventKind(models.TextChoices):
    CREATED = "created", _("Report started")
    SUBMITTED = "submitted", _("Report submitted")
    UPDATED = "updated", _("Details changed")
    WITHDRAWN = "withdrawn", _("Report withdrawn")
    STATUS_CHANGED = "status_changed", _("Status changed")
    QUESTION_ASKED = "question_asked", _("Question from your federation")
    QUESTION_ANSWERED = "question_answered", _("Question answered")
    # Recorded for reps only (visible_to_officer=False): shown in the review admin, in English.
    ASSIGNED = "assigned", "Assigned"
    NOTE_ADDED = "note_added", "Internal note added"
    CLASSIFICATION_REVIEWED = "classification_reviewed", "Classification reviewed"
    WELFARE_RECORDED = "welfare_recorded", "Welfare follow-up recorded"
    ANONYMISED = "anonymised", "Anonymised"


# The review admin's own (English): not translated.
class AnonymisedBecause(models.TextChoices):
    RETENTION = "retention", "Retention period ended"
    ACCOUNT_CLOSED = "account_closed", "The officer closed their account"


# Staff roles are Django groups (permissions in migration 0004); which forces a
# rep covers is a RepForce row.
REPS_GROUP = "Federation reps"
NATIONAL_GROUP = "National staff"
