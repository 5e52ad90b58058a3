"""Step 2 of 3: true becomes yes, false no, NULL blank (see 0010)."""

from importlib import import_module

from django.db import migrations

answers = import_module("incidents.migrations.0010_answers_not_sure")


class Migration(migrations.Migration):
    dependencies = [("incidents", "0010_answers_not_sure")]

    operations = [migrations.RunPython(answers.to_answers, answers.to_booleans)]
