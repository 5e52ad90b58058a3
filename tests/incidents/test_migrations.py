"""Data migrations, run forwards and back on real rows."""

from __future__ import annotations

from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from incidents.models import Incident, User
from tests.conftest import transactional_db
from tests.factories import IncidentFactory

BEFORE = [("incidents", "0009_withdrawn_drafts_stay_private")]
AFTER = [("incidents", "0012_answers_not_sure_choices")]


def migrate(target: list[tuple[str, str]]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)


@transactional_db
def test_yes_no_booleans_become_answers_and_back(officer: User) -> None:
    """true -> yes, false -> no, NULL -> blank (then yes, no and blank back again)."""
    rows = [IncidentFactory(officer=officer) for _ in range(3)]
    try:
        migrate(BEFORE)
        with connection.cursor() as cursor:
            for incident, value in zip(rows, (True, False, None), strict=True):
                cursor.execute(
                    "UPDATE incidents_incident SET single_crewed = %s, offender_under_18 = %s WHERE id = %s",
                    [value, value, incident.pk],
                )
        migrate(AFTER)
        answers = dict(Incident.objects.filter(pk__in=[r.pk for r in rows]).values_list("pk", "single_crewed"))
        assert [answers[r.pk] for r in rows] == ["yes", "no", ""]
        assert Incident.objects.get(pk=rows[0].pk).offender_under_18 == "yes"
        Incident.objects.filter(pk=rows[2].pk).update(single_crewed="unsure")
        migrate(BEFORE)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT single_crewed FROM incidents_incident WHERE id IN (%s, %s, %s) ORDER BY id",
                [r.pk for r in rows],
            )
            assert [row[0] for row in cursor.fetchall()] == [True, False, None]  # "Not sure" had no boolean
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes("incidents"))
