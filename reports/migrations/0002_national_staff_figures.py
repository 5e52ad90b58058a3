"""National staff import official figures and see the statistics runs."""

from __future__ import annotations

from django.contrib.auth.management import create_permissions
from django.db import migrations

PERMISSIONS = ["add_officialfigure", "view_officialfigure", "view_officerstrength", "view_recomputerun"]


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="National staff")
    for codename in PERMISSIONS:
        group.permissions.add(Permission.objects.get(content_type__app_label="reports", codename=codename))


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial"), ("incidents", "0004_staff_groups")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
