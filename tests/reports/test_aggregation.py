"""Snapshots: the numbers, idempotency, marks and the sweep."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
import time_machine

from incidents import services as incident_services
from incidents.choices import Status
from incidents.models import Incident, StatisticsMark, User
from reports.models import NATIONAL, OfficialFigure, Snapshot, Tally
from reports.services import snapshots_recompute, statistics_refresh
from tests.conftest import quick_data
from tests.factories import IncidentFactory, OfficialFigureFactory, make_officer

pytestmark = pytest.mark.django_db


def figure(area: str = "E23000029", year: int = 2018, **values: Any) -> OfficialFigure:
    values = {"with_injury": 198, "without_injury": 859, "total": 1057, **values}
    return OfficialFigureFactory(area=area, financial_year=year, source_title="Release", **values)


def logged(officer: User, count: int, day: datetime.date, **values: Any) -> None:
    for _ in range(count):
        IncidentFactory(officer=officer, occurred_on=day, **values)


def test_snapshot_counts_and_the_estimate(officer: User, colleague: User) -> None:
    figure()
    day = datetime.date(2018, 6, 1)
    for person in [officer, *(make_officer() for _ in range(5))]:  # six officers, one recorded each
        logged(person, 1, day, reported_to_force="yes", recorded_as_crime="yes", status=Status.VERIFIED)
    for person in (colleague, make_officer()):  # two officers, six not reported each
        logged(person, 6, day, reported_to_force="no", recorded_as_crime="no", injury="minor")
    logged(officer, 4, day, reported_to_force="yes", recorded_as_crime="dont_know")
    logged(colleague, 2, day, assaults=["threat"])  # a threat alone: logged, not compared
    logged(officer, 3, day, status=Status.REJECTED, rejection_reason="mistake")  # not counted
    logged(officer, 2, day, status=Status.WITHDRAWN)  # not counted
    logged(officer, 5, datetime.date(2019, 4, 1))  # next year

    snapshots_recompute()
    snapshot = Snapshot.objects.get(area="E23000029", financial_year=2018)
    counts = snapshot.data["counts"]
    assert (snapshot.logged, snapshot.verified, counts["pending"]) == (24, 6, 18)
    assert (counts["recorded_yes"], counts["recorded_no"], counts["recorded_dont_know"]) == (6, 14, 4)
    estimate = snapshot.data["estimate"]
    assert (estimate["in_scope"], estimate["out_of_scope"], estimate["active_officers"]) == (22, 2, 8)
    assert (estimate["with_injury"], estimate["without_injury"]) == (12, 10)
    share = estimate["share"]
    # P(reported) x P(recorded | reported): 10/22 x 6/6, the "don't know" missing among the reported.
    assert share["reported"] == pytest.approx(10 / 22) and share["recorded_if_reported"] == 1.0
    assert share["direct"] == pytest.approx(10 / 22)
    assert (share["band_low"], share["band_high"]) == (pytest.approx(6 / 22), pytest.approx(10 / 22))
    implied = snapshot.data["implied"]
    assert implied["by_offence"] is False  # the with-injury entries were none recorded: the total is used
    assert implied["low"] < implied["total"] < implied["high"]
    assert implied["not_in_official"] == pytest.approx(implied["total"] - 1057)
    assert snapshot.data["adoption"] == {"officers": 8, "per_officer": 24 / 8}
    assert snapshot.data["breakdowns"]["what_happened"] == {"push": 22, "threat": 2}
    assert Snapshot.objects.get(area="E23000029", financial_year=2019).logged == 5
    assert Snapshot.objects.get(area=NATIONAL, financial_year=2018).logged == 24


def test_the_databases_sums_are_the_entries_sums_officer_by_officer(
    officer: User, colleague: User, other_force_officer: User
) -> None:
    """estimate_sums (one SQL statement) against the same sums made in Python from the entries."""
    from reports.selectors import estimate_sums
    from reports.statistics import sums_from
    from tests.reports.test_statistics import entries

    day = datetime.date(2021, 9, 1)
    plan = {
        officer: [("yes", "yes", "minor")] * 3 + [("yes", "no", "none")] * 2 + [("no", "no", "none")] * 4,
        colleague: [("yes", "dont_know", "minor"), ("not_yet", "no", "none"), ("yes", "yes", "none")],
    }
    for person, rows in plan.items():
        for reported, recorded, injury in rows:
            IncidentFactory(
                officer=person, occurred_on=day, reported_to_force=reported, recorded_as_crime=recorded, injury=injury
            )
    anonymous = IncidentFactory(officer=colleague, occurred_on=day, reported_to_force="yes", recorded_as_crime="yes")
    Incident.objects.filter(pk=anonymous.pk).update(officer=None)  # anonymised: a cluster of its own
    IncidentFactory(officer=other_force_officer, occurred_on=day)
    sums = estimate_sums([2021])
    row = sums[("E23000029", 2021)]
    assert row["active_officers"] == 3  # two officers and the anonymised report

    def officer_entries(rows: list[tuple[str, str, str]], part: str) -> list[tuple[bool, str]]:
        wanted = {"w": lambda injury: injury != "none", "o": lambda injury: injury == "none", "a": lambda _: True}[part]
        return [(reported == "yes", recorded) for reported, recorded, injury in rows if wanted(injury)]

    for part in ("w", "o", "a"):
        expected = entries(
            *(officer_entries(rows, part) for rows in plan.values()),
            *([officer_entries([("yes", "yes", "none")], part)] if part != "w" else []),
        )
        assert sums_from(row, f"{part}_") == expected, part
    assert sums[("E23000032", 2021)]["a_n"] == 1


def test_reviewed_classification_is_preferred(officer: User, rep: User) -> None:
    incident = IncidentFactory(officer=officer, occurred_on=datetime.date(2020, 5, 1), injury="none", assaults=["push"])
    incident_services.incident_classify(
        incident=incident, actor=rep, reviewed_injury="medical", reviewed_assaults=["punch"]
    )
    snapshots_recompute()
    data = Snapshot.objects.get(area="E23000029", financial_year=2020).data
    assert data["breakdowns"]["what_happened"] == {"punch": 1}
    assert data["breakdowns"]["injury"] == {"medical": 1}


def test_recompute_twice_changes_nothing(officer: User) -> None:
    figure()
    logged(officer, 7, datetime.date(2018, 9, 9))
    assert snapshots_recompute() > 0
    before = list(Snapshot.objects.values())
    assert snapshots_recompute() == 0
    assert list(Snapshot.objects.values()) == before


def test_other_forces_and_years_leave_the_counts_alone(officer: User, other_force_officer: User) -> None:
    logged(officer, 3, datetime.date(2021, 1, 1))
    logged(other_force_officer, 4, datetime.date(2021, 1, 1))
    snapshots_recompute()
    assert Snapshot.objects.get(area="E23000029", financial_year=2020).logged == 3
    assert Snapshot.objects.get(area="E23000032", financial_year=2020).logged == 4
    assert Snapshot.objects.get(area=NATIONAL, financial_year=2020).logged == 7


def test_a_change_marks_its_force_and_year_and_the_refresh_counts_it(officer: User) -> None:
    # No on_commit callbacks run in this test: the refresh runs as beat would run it.
    incident_services.incident_quick_log(
        officer=officer,
        submission_key=uuid.uuid4(),
        data={
            "occurred_on": datetime.date(2022, 5, 5),
            "assaults": ["spit"],
            "injury": "none",
            "reported_to_force": "no",
        },
    )
    marks = StatisticsMark.objects.values_list("force__code", "financial_year")
    assert set(marks) == {("E23000029", 2022)}
    assert not Snapshot.objects.exists()
    assert statistics_refresh() == 1
    assert Snapshot.objects.get(area="E23000029", financial_year=2022).logged == 1
    assert Snapshot.objects.get(area=NATIONAL, financial_year=2022).logged == 1
    assert Tally.objects.get(area="E23000029", financial_year=2022).counts["logged"] == 1
    assert not StatisticsMark.objects.exists()


def test_verifying_a_report_updates_the_snapshot_after_commit(
    officer: User, rep: User, django_capture_on_commit_callbacks: Any
) -> None:
    incident = IncidentFactory(officer=officer, occurred_on=datetime.date(2023, 6, 1), status=Status.IN_REVIEW)
    snapshots_recompute()
    assert Snapshot.objects.get(area="E23000029", financial_year=2023).verified == 0
    with django_capture_on_commit_callbacks(execute=True):
        incident_services.incident_transition(incident=incident, actor=rep, to=Status.VERIFIED)
    assert Snapshot.objects.get(area="E23000029", financial_year=2023).verified == 1


def test_no_estimate_from_none_recorded_and_nothing_to_borrow_from(officer: User) -> None:
    figure(year=2019)
    logged(officer, 10, datetime.date(2019, 7, 7), recorded_as_crime="no")
    logged(officer, 2, datetime.date(2020, 7, 7), recorded_as_crime="yes", reported_to_force="yes")
    figure(year=2020, with_injury=None, without_injury=None, total=1101)
    snapshots_recompute()
    none_recorded = Snapshot.objects.get(area="E23000029", financial_year=2019).data
    assert none_recorded["estimate"]["share"]["direct"] == 0
    assert none_recorded["implied"] is None  # official / 0, and no pool: no number
    two_answers = Snapshot.objects.get(area="E23000029", financial_year=2020).data
    assert two_answers["implied"] is not None  # two recorded: an estimate, with a wide interval
    assert two_answers["implied"]["high"] > 3 * two_answers["implied"]["low"]
    assert two_answers["official"]["total"] == 1101


@pytest.mark.parametrize(
    ("utc", "expected_year"),
    [
        # The night the clocks went forward (31 March 2019, BST from 01:00 UTC).
        (datetime.datetime(2019, 3, 31, 22, 59, tzinfo=datetime.UTC), 2018),  # 23:59 BST on 31 March
        (datetime.datetime(2019, 3, 31, 23, 0, tzinfo=datetime.UTC), 2019),  # 00:00 BST on 1 April
        # 31 March 2016 was already BST (clocks changed on the 27th): 23:59 UTC is 00:59 on 1 April.
        (datetime.datetime(2016, 3, 31, 23, 59, tzinfo=datetime.UTC), 2016),  # 00:59 BST, 1 April 2016
    ],
)
def test_a_report_filed_for_today_counts_in_the_london_financial_year(
    officer: User, utc: datetime.datetime, expected_year: int
) -> None:
    with time_machine.travel(utc, tick=False):
        incident_services.incident_quick_log(
            officer=officer,
            submission_key=uuid.uuid4(),
            data=quick_data(assaults=["push"]),
        )
        snapshots_recompute()
    force = officer.officer_profile.force.code
    years = dict(Snapshot.objects.filter(area=force, logged__gt=0).values_list("financial_year", "logged"))
    assert years == {expected_year: 1}
    national = Snapshot.objects.get(area=NATIONAL, financial_year=expected_year)
    assert national.logged == 1


def test_a_database_dropout_is_retried_and_a_bug_is_not(officer: User, monkeypatch: pytest.MonkeyPatch) -> None:
    from django.db import OperationalError

    from reports import tasks

    calls: list[int] = []

    def flaky(**kwargs: Any) -> int:
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return 0

    monkeypatch.setattr(tasks, "refresh", flaky)  # the service, as the task module holds it
    result = tasks.statistics_refresh.apply(throw=False)
    assert result.successful()
    assert len(calls) == 2  # retried once, then done

    def broken(**kwargs: Any) -> int:
        calls.append(1)
        raise ZeroDivisionError

    calls.clear()
    monkeypatch.setattr(tasks, "refresh", broken)
    result = tasks.statistics_refresh.apply(throw=False)
    assert result.failed() and isinstance(result.result, ZeroDivisionError)
    assert len(calls) == 1  # not retried: a bug does not go away by waiting


def test_a_failed_full_recompute_says_so_on_its_run(
    officer: User, national_staff: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reports.models import RecomputeRun
    from reports.services import snapshots as services

    logged(officer, 2, datetime.date(2020, 6, 1))
    run = RecomputeRun.objects.create(started_by=national_staff)

    def fails(**kwargs: Any) -> int:
        raise ZeroDivisionError

    monkeypatch.setattr(services, "snapshots_recompute", fails)
    with pytest.raises(ZeroDivisionError):
        services.snapshots_recompute_all(run_id=run.pk)
    run.refresh_from_db()
    assert run.finished_at is None
    assert run.error.startswith("Stopped by ZeroDivisionError")
    monkeypatch.undo()
    services.snapshots_recompute_all(run_id=run.pk)
    run.refresh_from_db()
    assert run.finished_at is not None and run.error == ""
