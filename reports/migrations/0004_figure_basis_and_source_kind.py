"""Official figures say what they count (basis) and who published them (source kind).

The free-text basis becomes a choice, and "comparable" is no longer stored: it follows from
the basis. Existing figures are classified from what they hold: the ones marked not comparable
were the pre-2017 estimates; otherwise the counts given tell the basis (both parts: 8S + 104;
one part: that offence only; a total alone: total only). Their source kind is "Home Office"
where their address is on gov.uk and "press" otherwise (the least authoritative, so a guess
never outranks a real release); the text they had is kept in the note. Every snapshot is
marked for recompute, so the pages show the figures' new labels within minutes.
"""

import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

PRE_2017 = "pre_2017_estimate"


def classify(apps, schema_editor):
    OfficialFigure = apps.get_model("reports", "OfficialFigure")
    for figure in OfficialFigure.objects.all():
        with_injury, without_injury, total = figure.with_injury, figure.without_injury, figure.total
        if not figure.comparable or figure.financial_year < 2017:
            basis = PRE_2017
        elif with_injury is not None and without_injury is not None:
            basis = "8s_104"
        elif with_injury is not None and total in (None, with_injury):
            basis, total = "8s_only", None
        elif without_injury is not None and total in (None, without_injury):
            basis, total = "104_only", None
        elif with_injury is None and without_injury is None:
            basis = "total_only"
        else:
            basis = "8s_104"  # one part and the total
        figure.basis = basis
        figure.total = total
        figure.source_kind = (
            "home_office" if ".gov.uk/" in figure.source_url or "//gov.uk/" in figure.source_url else "press"
        )
        as_given = f"As the source put it: {figure.basis_as_given}" if figure.basis_as_given else ""
        figure.note = "; ".join(part for part in (as_given, figure.note) if part)
        figure.save(update_fields=["basis", "total", "source_kind", "note"])


def recompute_everything(apps, schema_editor):
    Snapshot = apps.get_model("reports", "Snapshot")
    RecomputeMark = apps.get_model("reports", "RecomputeMark")
    now = timezone.now()
    keys = set(Snapshot.objects.values_list("area", "financial_year"))
    RecomputeMark.objects.bulk_create(
        [RecomputeMark(area=area, financial_year=year, marked_at=now) for area, year in sorted(keys)],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0003_snapshot_digest"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="officialfigure", name="official_figure_total_is_sum"),
        migrations.RenameField(model_name="officialfigure", old_name="basis", new_name="basis_as_given"),
        migrations.AddField(
            model_name="officialfigure",
            name="basis",
            field=models.CharField(default=PRE_2017, max_length=20),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="officialfigure",
            name="source_kind",
            field=models.CharField(default="press", max_length=20),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="officialfigure", name="missing_areas", field=models.JSONField(blank=True, default=list)
        ),
        migrations.AddField(model_name="officialfigure", name="derived", field=models.BooleanField(default=False)),
        migrations.RunPython(classify, migrations.RunPython.noop),
        migrations.RemoveField(model_name="officialfigure", name="basis_as_given"),
        migrations.RemoveField(model_name="officialfigure", name="comparable"),
        migrations.AlterField(
            model_name="officialfigure",
            name="basis",
            field=models.CharField(
                choices=[
                    ("8s_104", "8S + 104, whole force, whole year"),
                    ("total_only", "8S + 104 total only (parts unknown)"),
                    ("8s_only", "8S only (assaults with injury)"),
                    ("104_only", "104 only (assaults without injury)"),
                    ("emergency_workers", "Emergency-worker release"),
                    ("pre_2017_estimate", "Pre-2017 estimate"),
                    ("partial_coverage", "Partial coverage"),
                ],
                help_text="What the figure counts.",
                max_length=20,
            ),
        ),
        migrations.AlterField(
            model_name="officialfigure",
            name="source_kind",
            field=models.CharField(
                choices=[
                    ("home_office", "Home Office release"),
                    ("force", "Police force (annual report, FOI answer)"),
                    ("federation", "Police Federation"),
                    ("press", "Press report"),
                ],
                max_length=20,
            ),
        ),
        migrations.AddConstraint(
            model_name="officialfigure",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "basis__in",
                        [
                            "8s_104",
                            "total_only",
                            "8s_only",
                            "104_only",
                            "emergency_workers",
                            "pre_2017_estimate",
                            "partial_coverage",
                        ],
                    )
                ),
                name="official_figure_basis_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="officialfigure",
            constraint=models.CheckConstraint(
                condition=models.Q(("source_kind__in", ["home_office", "force", "federation", "press"])),
                name="official_figure_source_kind_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="officialfigure",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("basis", "pre_2017_estimate"),
                    ("total__isnull", True),
                    ("with_injury__isnull", True),
                    ("without_injury__isnull", True),
                    ("total", models.F("with_injury") + models.F("without_injury")),
                    _connector="OR",
                ),
                name="official_figure_total_is_sum",
            ),
        ),
        migrations.AddConstraint(
            model_name="officialfigure",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        models.Q(("basis", "8s_only"), _negated=True),
                        models.Q(("with_injury__isnull", False), ("without_injury", None)),
                        _connector="OR",
                    ),
                    models.Q(
                        models.Q(("basis", "104_only"), _negated=True),
                        models.Q(("with_injury", None), ("without_injury__isnull", False)),
                        _connector="OR",
                    ),
                    models.Q(
                        models.Q(("basis", "total_only"), _negated=True),
                        models.Q(
                            ("total__isnull", False), ("with_injury__isnull", True), ("without_injury__isnull", True)
                        ),
                        _connector="OR",
                    ),
                ),
                name="official_figure_basis_matches_parts",
            ),
        ),
        migrations.AddConstraint(
            model_name="officialfigure",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("financial_year__gte", 2017),
                    models.Q(("basis__in", ["8s_104", "total_only", "8s_only"]), _negated=True),
                    _connector="OR",
                ),
                name="official_figure_8s_from_2017",
            ),
        ),
        migrations.CreateModel(
            name="PendingImport",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("token", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ("uploaded_at", models.DateTimeField(auto_now_add=True)),
                ("file_name", models.CharField(max_length=200)),
                ("content", models.BinaryField()),
                ("source_title", models.CharField(max_length=200)),
                ("source_url", models.URLField(blank=True, max_length=500)),
                (
                    "source_kind",
                    models.CharField(
                        choices=[
                            ("home_office", "Home Office release"),
                            ("force", "Police force (annual report, FOI answer)"),
                            ("federation", "Police Federation"),
                            ("press", "Press report"),
                        ],
                        max_length=20,
                    ),
                ),
                ("published_on", models.DateField()),
                (
                    "uploaded_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
            ],
        ),
        migrations.RunPython(recompute_everything, migrations.RunPython.noop),
    ]
