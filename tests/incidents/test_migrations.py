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
        migrate_to_latest()


def migrate_to_latest() -> None:
    """Every app to its latest migration (going back in incidents took reports' later ones)."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@transactional_db
def test_the_tallies_start_with_every_force_and_year_that_holds_a_report_marked(officer: User) -> None:
    """reports 0005: the tallies start empty, so the first refresh must count every force and
    year with a report; a force without reports is not marked."""
    import datetime

    from incidents.models import StatisticsMark

    IncidentFactory(officer=officer, occurred_on=datetime.date(2021, 3, 31))  # 2020/21
    IncidentFactory(officer=officer, occurred_on=datetime.date(2023, 4, 1))  # 2023/24
    try:
        migrate([("reports", "0004_figure_basis_and_source_kind")])
        StatisticsMark.objects.all().delete()
        migrate([("reports", "0005_tallies_replace_recompute_marks")])
        marks = set(StatisticsMark.objects.values_list("force_id", "financial_year"))
        force = officer.officer_profile.force_id
        assert marks == {(force, 2020), (force, 2021), (force, 2022), (force, 2023)}
    finally:
        migrate_to_latest()
