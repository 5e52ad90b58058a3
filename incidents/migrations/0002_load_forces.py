"""Load the 43 territorial forces and BTP, with each force's usual e-mail domain.

The data file ships with the app (incidents/data/forces.csv), so every database
has the forces after ``migrate``. Domains stay editable in the admin.
"""

from __future__ import annotations

import csv
from pathlib import Path

from django.db import migrations

FORCES_CSV = Path(__file__).resolve().parent.parent / "data" / "forces.csv"


def load_forces(apps, schema_editor):
    Force = apps.get_model("incidents", "Force")
    ForceEmailDomain = apps.get_model("incidents", "ForceEmailDomain")
    with FORCES_CSV.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            force, _ = Force.objects.update_or_create(
                code=row["code"],
                defaults={
                    "official_name": row["name"],
                    "ons_name": row["ons_name"],
                    "short_name": row["short_name"],
                    "slug": row["slug"],
                    "region": row["region"],
                    "country": row["country"],
                },
            )
            ForceEmailDomain.objects.get_or_create(domain=row["email_domain"].lower(), defaults={"force": force})


class Migration(migrations.Migration):
    dependencies = [("incidents", "0001_initial")]

    operations = [migrations.RunPython(load_forces, migrations.RunPython.noop)]
