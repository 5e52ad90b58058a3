"""Step 3 of 3: yes, no, unsure or blank, never NULL (see 0010)."""

from importlib import import_module

from django.db import migrations

answers = import_module("incidents.migrations.0010_answers_not_sure")


class Migration(migrations.Migration):
    dependencies = [("incidents", "0011_answers_not_sure_data")]

    operations = [
        migrations.AlterField(
            "incident", field, answers.answer_field("body-worn video running" if field == "body_worn_video" else None)
        )
        for field in answers.FIELDS
    ]
