"""What an official figure counts (its basis) and who published it (its source kind).

Each choice has its stored value written here, never derived from its place in the list.

A figure's basis and why it is not compared are shown on the figures' pages and in the
briefing, in the reader's language (lazy: a page makes them into text as it is shown, and a
snapshot keeps them in English, made with English active). The source kinds' and the
recording check's labels are the review admin's only, which stays in English.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy


class FigureBasis(models.TextChoices):
    EIGHT_S_AND_104 = "8s_104", gettext_lazy("8S + 104, whole force, whole year")
    TOTAL_ONLY = "total_only", gettext_lazy("8S + 104 total only (parts unknown)")
    EIGHT_S_ONLY = "8s_only", gettext_lazy("8S only (assaults with injury)")
    ONLY_104 = "104_only", gettext_lazy("104 only (assaults without injury)")
    EMERGENCY_WORKERS = "emergency_workers", gettext_lazy("Emergency-worker release")
    PRE_2017_ESTIMATE = "pre_2017_estimate", gettext_lazy("Pre-2017 estimate")
    PARTIAL_COVERAGE = "partial_coverage", gettext_lazy("Partial coverage")


# Bases whose total is the 8S + 104 count the estimate compares with all in-scope entries.
TOTAL_BASES = frozenset({FigureBasis.EIGHT_S_AND_104, FigureBasis.TOTAL_ONLY})
# Bases that count one of the two offences for the whole year: comparable for that part only.
PART_BASES = frozenset({FigureBasis.EIGHT_S_ONLY, FigureBasis.ONLY_104})
# Offence 8S began on 1 April 2017: a figure counting it cannot be for an earlier year.
FIRST_8S_YEAR = 2017

# Why a figure is not compared, in words a reader of a page or a briefing understands.
NOT_COMPARED = {
    FigureBasis.EIGHT_S_ONLY: gettext_lazy(
        "it counts assaults with injury (offence 8S) only, and the estimate needs the 8S + 104 total"
    ),
    FigureBasis.ONLY_104: gettext_lazy(
        "it counts assaults without injury (offence 104) only, and the estimate needs the 8S + 104 total"
    ),
    FigureBasis.EMERGENCY_WORKERS: gettext_lazy(
        "it comes from an emergency-worker release, which may count all emergency workers or count differently"
    ),
    FigureBasis.PRE_2017_ESTIMATE: gettext_lazy(
        "it is a pre-2017 estimate that mixed health-and-safety self-reports with recorded crime"
    ),
}


class SourceKind(models.TextChoices):
    HOME_OFFICE = "home_office", "Home Office release"
    FORCE = "force", "Police force (annual report, FOI answer)"
    FEDERATION = "federation", "Police Federation"
    PRESS = "press", "Press report"


# For one area, year and basis the most authoritative kind wins; within a kind, the newer release.
AUTHORITY = {
    SourceKind.HOME_OFFICE: 4,
    SourceKind.FORCE: 3,
    SourceKind.FEDERATION: 2,
    SourceKind.PRESS: 1,
}


# -- the recording check (issue 20): crime references checked against the force's records --


class CheckStatus(models.TextChoices):
    DRAWN = "drawn", "Drawn"
    SENT = "sent", "Sent to the force"
    ANSWERED = "answered", "Answered"
    USED = "used", "Used in the figures"
    CANCELLED = "cancelled", "Cancelled"


class CheckFound(models.TextChoices):
    YES = "yes", "Found"
    NO = "no", "Not found"


class CheckOffence(models.TextChoices):
    WITH_INJURY = "8S", "8S: assault with injury on a constable"
    WITHOUT_INJURY = "104", "104: assault without injury on a constable"
    OTHER = "other", "Another offence"
