"""Yes/no questions keep "Not sure" as an answer of its own (issue 17), in three steps.

Each step is a migration of its own: PostgreSQL refuses to alter a table in the transaction
that updated its rows (pending trigger events).

Each was a nullable boolean, where "Not sure" and "not answered" were both NULL. Now a
short text: yes, no, unsure, or blank when not answered. Existing answers map true to yes,
false to no, NULL to blank (the old data cannot tell "Not sure" from no answer).
"""

from django.db import migrations, models

FIELDS = (
    "single_crewed",
    "backup_requested",
    "during_arrest",
    "body_worn_video",
    "offender_intoxicated",
    "offender_mental_health",
    "offender_under_18",
)
# A boolean cast to text reads "true"/"false" on PostgreSQL and "1"/"0" on SQLite.
YES, NO = ("true", "t", "1"), ("false", "f", "0")


def to_answers(apps, schema_editor):
    Incident = apps.get_model("incidents", "Incident")
    for field in FIELDS:
        Incident.objects.filter(**{f"{field}__in": YES}).update(**{field: "yes"})
        Incident.objects.filter(**{f"{field}__in": NO}).update(**{field: "no"})
        Incident.objects.filter(**{f"{field}__isnull": True}).update(**{field: ""})


def to_booleans(apps, schema_editor):
    """Text the next step casts back to a boolean ("Not sure" had none: NULL)."""
    Incident = apps.get_model("incidents", "Incident")
    true, false = ("1", "0") if schema_editor.connection.vendor == "sqlite" else ("true", "false")
    for field in FIELDS:
        Incident.objects.filter(**{field: "yes"}).update(**{field: true})
        Incident.objects.filter(**{field: "no"}).update(**{field: false})
        Incident.objects.exclude(**{f"{field}__in": (true, false)}).update(**{field: None})


def answer_field(verbose_name=None):
    return models.CharField(
        verbose_name,
        max_length=6,
        choices=[("yes", "Yes"), ("no", "No"), ("unsure", "Not sure")],
        blank=True,
        default="",
        db_default="",
    )


class Migration(migrations.Migration):
    dependencies = [("incidents", "0009_withdrawn_drafts_stay_private")]

    operations = [
        migrations.AlterField("incident", field, models.CharField(max_length=6, null=True, blank=True))
        for field in FIELDS
    ]
