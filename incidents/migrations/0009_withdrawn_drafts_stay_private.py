"""A draft withdrawn before it was sent stays the officer's alone.

Withdrawing a draft used to stamp ``submitted_at``, and staff, who see every report past draft,
then saw a narrative that was never sent. ``submitted_at`` now means "when it was sent": the
reports withdrawn straight from draft (their withdrawal event says so) lose the stamp they
were given, and an incomplete draft may be withdrawn at all (it used to fail a constraint).
"""

from django.db import migrations, models


def unstamp_withdrawn_drafts(apps, schema_editor):
    IncidentEvent = apps.get_model("incidents", "IncidentEvent")
    Incident = apps.get_model("incidents", "Incident")
    withdrawn_from_draft = [
        event.incident_id
        for event in IncidentEvent.objects.filter(kind="withdrawn").only("incident_id", "changes").iterator()
        if (event.changes or {}).get("status") == ["draft", "withdrawn"]
    ]
    Incident.objects.filter(pk__in=withdrawn_from_draft, status="withdrawn").update(submitted_at=None)


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0008_anonymisation"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="incident",
            name="incident_complete_unless_draft",
        ),
        migrations.RemoveConstraint(
            model_name="incident",
            name="incident_submitted_has_timestamp",
        ),
        migrations.AddConstraint(
            model_name="incident",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("submitted_at__isnull", True),
                    models.Q(
                        models.Q(("injury", ""), _negated=True),
                        models.Q(("reported_to_force", ""), _negated=True),
                        models.Q(("recorded_as_crime", ""), _negated=True),
                    ),
                    _connector="OR",
                ),
                name="incident_complete_once_submitted",
            ),
        ),
        migrations.AddConstraint(
            model_name="incident",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("submitted_at__isnull", False), ("status__in", ["draft", "withdrawn"]), _connector="OR"
                ),
                name="incident_submitted_has_timestamp",
            ),
        ),
        migrations.AddConstraint(
            model_name="incident",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("submitted_at__isnull", True), models.Q(("status", "draft"), _negated=True), _connector="OR"
                ),
                name="incident_draft_not_submitted",
            ),
        ),
        migrations.RunPython(unstamp_withdrawn_drafts, migrations.RunPython.noop),
    ]
