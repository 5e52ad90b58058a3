"""The closed vocabularies of a report. Statistics group by these values, so a
value, once stored, is never renamed: add new ones, relabel freely."""

from __future__ import annotations

from django.db import models


class Duty(models.TextChoices):
    RESPONSE = "response", "Response"
    NEIGHBOURHOOD = "neighbourhood", "Neighbourhood"
    CUSTODY = "custody", "Custody"
    ROADS = "roads", "Roads policing"
    PUBLIC_ORDER = "public_order", "Public order"
    INVESTIGATION = "investigation", "Investigation"
    OTHER = "other", "Other"


class ServiceBand(models.TextChoices):
    UNDER_2 = "under_2", "Less than 2 years"
    FROM_2_TO_5 = "2_5", "2 to 5 years"
    FROM_5_TO_10 = "5_10", "5 to 10 years"
    FROM_10_TO_20 = "10_20", "10 to 20 years"
    OVER_20 = "over_20", "More than 20 years"


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    IN_REVIEW = "in_review", "In review"
    NEEDS_INFO = "needs_info", "Needs information"
    VERIFIED = "verified", "Verified"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"


# Statuses in which the officer may still edit or withdraw: review has not started.
OFFICER_EDITABLE_STATUSES = frozenset({Status.DRAFT, Status.SUBMITTED})
# Closed: nothing more will happen to the report, so retention may anonymise it.
CLOSED_STATUSES = frozenset({Status.VERIFIED, Status.REJECTED, Status.WITHDRAWN})
# Waiting on the federation: what the review queue and the digest count.
AWAITING_REVIEW_STATUSES = frozenset({Status.SUBMITTED, Status.IN_REVIEW})


class RejectionReason(models.TextChoices):
    DUPLICATE = "duplicate", "Duplicate of another report"
    NOT_ON_DUTY = "not_on_duty", "Not an assault on duty"
    MISTAKE = "mistake", "Test or mistaken entry"


class SupportOffered(models.TextChoices):
    WELFARE = "welfare", "Welfare support"
    OCCUPATIONAL_HEALTH = "occupational_health", "Occupational health"
    LEGAL = "legal", "Legal advice"
    NONE_WANTED = "none_wanted", "None wanted"


class StaffAction(models.TextChoices):
    VIEWED = "viewed", "Viewed a report"
    EXPORTED = "exported", "Exported reports"


class Setting(models.TextChoices):
    STREET = "street", "Street or public place"
    CUSTODY_SUITE = "custody_suite", "Custody suite"
    POLICE_VEHICLE = "police_vehicle", "Police vehicle"
    STATION = "station", "Police station"
    HOSPITAL = "hospital", "Hospital"
    LICENSED_PREMISES = "licensed_premises", "Pub, bar or club"
    PRIVATE_DWELLING = "private_dwelling", "Private home"
    OTHER = "other", "Somewhere else"


class AssaultKind(models.TextChoices):
    PUSH = "push", "Push or shove"
    GRAB = "grab", "Grab"
    PUNCH = "punch", "Punch or strike"
    KICK = "kick", "Kick"
    TRIP = "trip", "Trip or ankle tap"
    SPIT = "spit", "Spit or bodily fluid"
    BITE = "bite", "Bite"
    HEADBUTT = "headbutt", "Headbutt"
    THROWN_OBJECT = "thrown_object", "Thrown object"
    WEAPON_BLADED = "weapon_bladed", "Weapon: bladed"
    WEAPON_BLUNT = "weapon_blunt", "Weapon: blunt"
    WEAPON_FIREARM = "weapon_firearm", "Weapon: firearm"
    WEAPON_OTHER = "weapon_other", "Weapon: other"
    VEHICLE = "vehicle", "Vehicle used as a weapon"
    SEXUAL = "sexual", "Sexual assault"
    THREAT = "threat", "Threat of violence"


class Injury(models.TextChoices):
    NONE = "none", "No injury"
    MINOR = "minor", "Minor (bruise or scratch)"
    MEDICAL = "medical", "Needed medical treatment"
    SERIOUS = "serious", "Hospital or serious injury"


# A new report with one of these injuries is e-mailed to the force's reps.
SERIOUS_INJURIES = (Injury.MEDICAL, Injury.SERIOUS)


class BackupWait(models.TextChoices):
    UNDER_5 = "under_5", "Under 5 minutes"
    FROM_5_TO_15 = "5_15", "5 to 15 minutes"
    FROM_15_TO_30 = "15_30", "15 to 30 minutes"
    OVER_30 = "over_30", "More than 30 minutes"
    NEVER = "never", "Back-up never arrived"


class Answer(models.TextChoices):
    """A yes/no question that may also be answered "Not sure" (blank: not answered)."""

    YES = "yes", "Yes"
    NO = "no", "No"
    UNSURE = "unsure", "Not sure"


class ReportedToForce(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_YET = "not_yet", "Not yet"


class RecordedAsCrime(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    DONT_KNOW = "dont_know", "Don't know"


class NotReportedReason(models.TextChoices):
    PART_OF_JOB = "part_of_job", "It's part of the job"
    TOO_MINOR = "too_minor", "Too minor"
    NO_TIME = "no_time", "No time, or too much paperwork"
    NO_CONFIDENCE = "no_confidence", "No confidence anything would happen"
    DISCOURAGED = "discouraged", "I was discouraged from reporting it"
    OTHER = "other", "Another reason"


class Outcome(models.TextChoices):
    NO_ACTION_YET = "no_action_yet", "No action yet"
    CHARGED = "charged", "Charged"
    CONVICTED = "convicted", "Convicted"
    ACQUITTED = "acquitted", "Acquitted"
    SELF_DEFENCE = "self_defence", "Self-defence accepted"
    NFA = "nfa", "No further action"
    PENDING = "pending", "Pending"


class EventKind(models.TextChoices):
    CREATED = "created", "Report started"
    SUBMITTED = "submitted", "Report submitted"
    UPDATED = "updated", "Details changed"
    WITHDRAWN = "withdrawn", "Report withdrawn"
    STATUS_CHANGED = "status_changed", "Status changed"
    QUESTION_ASKED = "question_asked", "Question from your federation"
    QUESTION_ANSWERED = "question_answered", "Question answered"
    ASSIGNED = "assigned", "Assigned"
    NOTE_ADDED = "note_added", "Internal note added"
    CLASSIFICATION_REVIEWED = "classification_reviewed", "Classification reviewed"
    WELFARE_RECORDED = "welfare_recorded", "Welfare follow-up recorded"
    ANONYMISED = "anonymised", "Anonymised"


class AnonymisedBecause(models.TextChoices):
    RETENTION = "retention", "Retention period ended"
    ACCOUNT_CLOSED = "account_closed", "The officer closed their account"


# Staff roles are Django groups (permissions in migration 0004); which forces a
# rep covers is a RepForce row.
REPS_GROUP = "Federation reps"
NATIONAL_GROUP = "National staff"
