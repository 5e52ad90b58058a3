from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from incidents.models import Incident
from reports.choices import (
    FIRST_8S_YEAR,
    PART_BASES,
    TOTAL_BASES,
    CheckFound,
    CheckOffence,
    CheckStatus,
    FigureBasis,
    SourceKind,
)

# England and Wales as a whole: the ONS code for the two countries together.
NATIONAL = "K04000001"


class OfficialFigure(models.Model):
    """Assaults on constables as an official source counted them, for a force or England and
    Wales, in one financial year, from one release: what it counts (its basis), who published
    it (its source kind) and when. Every release stays on record; which figure a page uses is
    decided by reports.selectors.official_figures_current (comparable first, then the most
    authoritative source, then the newest release)."""

    area = models.CharField(max_length=9, help_text="Force code, or K04000001 for England and Wales.")
    financial_year = models.PositiveSmallIntegerField(help_text="The year it starts: 2018 for 2018/19.")
    with_injury = models.PositiveIntegerField(null=True, blank=True, help_text="Offence 8S.")
    without_injury = models.PositiveIntegerField(null=True, blank=True, help_text="Offence 104.")
    total = models.PositiveIntegerField(null=True, blank=True)
    basis = models.CharField(max_length=20, choices=FigureBasis.choices, help_text="What the figure counts.")
    # For a figure of partial coverage: the areas (force codes) it leaves out.
    missing_areas = models.JSONField(default=list, blank=True)
    # England and Wales summed from every force's figure in the same release.
    derived = models.BooleanField(default=False)
    source_kind = models.CharField(max_length=20, choices=SourceKind.choices)
    source_title = models.CharField(max_length=200)
    source_url = models.URLField(max_length=500, blank=True)
    published_on = models.DateField()
    note = models.TextField(blank=True)
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["area", "financial_year", "-published_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "financial_year", "source_title", "published_on"], name="official_figure_release"
            ),
            models.CheckConstraint(condition=Q(basis__in=FigureBasis.values), name="official_figure_basis_valid"),
            models.CheckConstraint(
                condition=Q(source_kind__in=SourceKind.values), name="official_figure_source_kind_valid"
            ),
            # Parts and totals add up, except in the pre-2017 estimates, whose parts came from
            # other bases (health-and-safety self-reports) than their totals.
            models.CheckConstraint(
                condition=Q(basis=FigureBasis.PRE_2017_ESTIMATE)
                | Q(total__isnull=True)
                | Q(with_injury__isnull=True)
                | Q(without_injury__isnull=True)
                | Q(total=models.F("with_injury") + models.F("without_injury")),
                name="official_figure_total_is_sum",
            ),
            models.CheckConstraint(
                condition=Q(total__isnull=False) | Q(with_injury__isnull=False) | Q(without_injury__isnull=False),
                name="official_figure_has_a_number",
            ),
            # A one-offence figure holds that offence's count only; a bare total no parts.
            models.CheckConstraint(
                condition=(~Q(basis=FigureBasis.EIGHT_S_ONLY) | Q(with_injury__isnull=False, without_injury=None))
                & (~Q(basis=FigureBasis.ONLY_104) | Q(without_injury__isnull=False, with_injury=None))
                & (
                    ~Q(basis=FigureBasis.TOTAL_ONLY)
                    | Q(total__isnull=False, with_injury__isnull=True, without_injury__isnull=True)
                ),
                name="official_figure_basis_matches_parts",
            ),
            # Offence 8S began on 1 April 2017.
            models.CheckConstraint(
                condition=Q(financial_year__gte=FIRST_8S_YEAR)
                | ~Q(basis__in=[FigureBasis.EIGHT_S_AND_104, FigureBasis.TOTAL_ONLY, FigureBasis.EIGHT_S_ONLY]),
                name="official_figure_8s_from_2017",
            ),
        ]
        indexes = [models.Index(fields=["area", "financial_year", "-published_on"], name="official_figure_latest")]

    def __str__(self) -> str:
        return f"{self.area} {self.financial_year} ({self.source_title}, {self.published_on})"

    @property
    def count(self) -> int | None:
        """The total, or the sum of the parts when both are given; otherwise unknown."""
        if self.total is not None:
            return self.total
        if self.with_injury is not None and self.without_injury is not None:
            return self.with_injury + self.without_injury
        return None

    @property
    def compared(self) -> bool:
        """Whether the estimate compares it with the entries: a whole-year 8S + 104 total of
        the whole area (so not partial coverage)."""
        return self.basis in TOTAL_BASES and self.count is not None

    @property
    def comparable_part(self) -> bool:
        """Whole-year, whole-area figures of one offence: comparable with that part's entries."""
        return self.basis in PART_BASES


class OfficerStrength(models.Model):
    """Police officers (full-time equivalent) in a force on 31 March, from one release."""

    area = models.CharField(max_length=9)
    as_at = models.DateField(help_text="31 March: pairs with the financial year that ends then.")
    officers_fte = models.DecimalField(max_digits=9, decimal_places=2)
    officers_headcount = models.PositiveIntegerField(null=True, blank=True)
    source_title = models.CharField(max_length=200)
    source_url = models.URLField(max_length=500, blank=True)
    published_on = models.DateField()
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["area", "as_at", "-published_on"]
        verbose_name_plural = "officer strength"
        constraints = [
            models.UniqueConstraint(
                fields=["area", "as_at", "source_title", "published_on"], name="officer_strength_release"
            ),
            models.CheckConstraint(condition=Q(officers_fte__gt=0), name="officer_strength_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.area} {self.as_at}: {self.officers_fte}"


class Snapshot(models.Model):
    """The comparison for one area and financial year, as last computed. Upserted under its
    natural key, so a repeated or re-delivered recompute changes nothing."""

    area = models.CharField(max_length=9)
    financial_year = models.PositiveSmallIntegerField()
    computed_at = models.DateTimeField()
    official_figure = models.ForeignKey(OfficialFigure, on_delete=models.SET_NULL, null=True, blank=True)
    logged = models.PositiveIntegerField(default=0)
    verified = models.PositiveIntegerField(default=0)
    # Counts, shares, intervals, implied totals and breakdowns (see reports.selectors).
    data = models.JSONField(default=dict)
    # A hash of what the row holds, so a recompute can tell an unchanged snapshot without
    # reading every JSON document back.
    digest = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["area", "financial_year"]
        constraints = [models.UniqueConstraint(fields=["area", "financial_year"], name="snapshot_area_year")]

    def __str__(self) -> str:
        return f"{self.area} {self.financial_year}"


class Tally(models.Model):
    """What one force's counted reports add up to in one financial year: the counts and
    breakdowns the pages show and the sums the estimate needs (reports.selectors). Recomputed
    from that force and year's reports alone when one of them changes; England and Wales and
    the estimates are built from the tallies (reports.services.snapshots)."""

    area = models.CharField(max_length=9)
    financial_year = models.PositiveSmallIntegerField()
    computed_at = models.DateTimeField()
    counts = models.JSONField(default=dict)
    breakdowns = models.JSONField(default=dict)
    # reports.selectors.estimate_sums: the parts' sums, officers who logged, out of scope.
    sums = models.JSONField(default=dict)

    class Meta:
        ordering = ["area", "financial_year"]
        constraints = [models.UniqueConstraint(fields=["area", "financial_year"], name="tally_area_year")]

    def __str__(self) -> str:
        return f"{self.area} {self.financial_year}"


class RecomputeRun(models.Model):
    """A full recompute started by national staff, with its progress."""

    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    areas_total = models.PositiveIntegerField(default=0)
    areas_done = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"Recompute {self.pk}"


class PendingImport(models.Model):
    """A file national staff checked in a dry run, kept so that importing it does not mean
    choosing it again. Confirmed by its uploader within a day, then deleted."""

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    file_name = models.CharField(max_length=200)
    content = models.BinaryField()
    source_title = models.CharField(max_length=200)
    source_url = models.URLField(max_length=500, blank=True)
    source_kind = models.CharField(max_length=20, choices=SourceKind.choices)
    published_on = models.DateField()

    def __str__(self) -> str:
        return f"{self.file_name} ({self.uploaded_at:%Y-%m-%d %H:%M})"


class RecordingCheck(models.Model):
    """A simple random sample of one force's reports in one financial year that carry a crime
    reference, drawn by national staff for the force's crime registrar to look up
    (reports.services.checks). Reproducible: the same seed over the same eligible reports draws
    the same sample."""

    area = models.CharField(max_length=9, help_text="The force's code.")
    financial_year = models.PositiveSmallIntegerField()
    requested_size = models.PositiveIntegerField()
    stratified = models.BooleanField(
        default=False, help_text="Drawn within each answer the officer gave (recorded: yes / don't know / no)."
    )
    seed = models.CharField(max_length=32, editable=False)
    # How many reports could have been drawn when it was: the population the sample stands for.
    eligible = models.PositiveIntegerField()
    status = models.CharField(max_length=12, choices=CheckStatus.choices, default=CheckStatus.DRAWN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # The draw page's one-time token: the same form sent twice (a double click, back and
    # resubmit) draws one check.
    draw_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=CheckStatus.values), name="recording_check_status_valid")
        ]
        permissions = [
            ("export_recordingcheck_sheet", "Can download a recording check's sheet for the force's registrar"),
            ("import_recordingcheck_answers", "Can import the registrar's answers to a recording check"),
        ]

    def __str__(self) -> str:
        return f"Recording check {self.pk}: {self.area} {self.financial_year}"


class RecordingCheckItem(models.Model):
    """One crime reference in a check: the report it came from, what the officer said, and the
    registrar's answer once it is back. The row id on the sheet is random, never derived from
    the report."""

    recording_check = models.ForeignKey(RecordingCheck, on_delete=models.CASCADE, related_name="items")
    # A report anonymised after the draw loses its crime reference: the row stays, unanswerable.
    incident = models.ForeignKey(Incident, on_delete=models.SET_NULL, null=True, related_name="+")
    row_id = models.CharField(max_length=12, unique=True, editable=False)
    # The officer's answer to "recorded as a crime?" when it was drawn (the stratum).
    officer_said = models.CharField(max_length=10, blank=True)
    found = models.CharField(max_length=3, choices=CheckFound.choices, blank=True)
    offence = models.CharField(max_length=5, choices=CheckOffence.choices, blank=True)
    offence_other = models.CharField(max_length=60, blank=True)
    recorded_on = models.DateField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["recording_check", "row_id"]
        constraints = [
            models.UniqueConstraint(fields=["recording_check", "incident"], name="recording_check_item_once"),
        ]

    def __str__(self) -> str:
        return self.row_id


class RecordingCheckEvent(models.Model):
    """A check's history: each change of status, by whom and when."""

    recording_check = models.ForeignKey(RecordingCheck, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=12, choices=CheckStatus.choices)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.recording_check_id} {self.status}"
