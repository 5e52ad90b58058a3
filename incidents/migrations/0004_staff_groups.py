"""The two staff roles as groups with their permissions.

Which force a rep may see is a RepForce row, managed in the admin; these
groups say what staff may do. Superusers have every permission anyway.
"""

from __future__ import annotations

from django.contrib.auth.management import create_permissions
from django.db import migrations

REP_PERMISSIONS = [
    ("incidents", "view_incident"),
    ("incidents", "change_incident"),
    ("incidents", "review_incident"),
    ("incidents", "export_incident"),
    ("incidents", "view_welfarecontact"),
    ("incidents", "add_welfarecontact"),
    ("incidents", "view_force"),
]
NATIONAL_PERMISSIONS = [*REP_PERMISSIONS, ("incidents", "view_staffaccess")]
GROUPS = {"Federation reps": REP_PERMISSIONS, "National staff": NATIONAL_PERMISSIONS}


def create_groups(apps, schema_editor):
    # Permissions are normally made after migrate; make them now so the groups can hold them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, wanted in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, codename in wanted:
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0003_review_workflow"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
