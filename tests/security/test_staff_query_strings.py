"""Every staff persona, any query string: never a 500, and never a report outside their forces.

The review list, a report's admin pages, the exports, the dashboards and the briefing, and
the official figures list, asked for with query strings built from the parameters they take,
model fields they must not take, and arbitrary names; values from valid choices, real forces,
reports and officers (in scope and out), huge and negative numbers, NUL bytes, any unicode,
long strings; parameters repeated. The test client raises whatever a view lets out, so a
500 fails the example that caused it.

What each answer may hold is worked out here from the world the test builds (which report is
in which force, which persona covers which), not from the app's own selectors. A report
outside the persona's forces, a draft, or one that does not exist must answer alike: the
same status, and a page that does not name it.

Each test runs its examples inside itself, so that afterwards it can check they reached the
pages themselves (a list, a file, a dashboard), not only refusals of a bad query.

(test_no_server_errors.py throws parameters at the list and CSV export as national staff
only; test_review_list_parameters.py checks the allow-list's messages one by one.)
"""

from __future__ import annotations

import csv
import datetime
import io
import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from incidents.choices import (
    REPS_GROUP,
    Answer,
    AssaultKind,
    Injury,
    RejectionReason,
    ReportedToForce,
    StaffAction,
    Status,
)
from incidents.models import Force, Incident, StaffAccess, User
from reports.choices import FigureBasis, SourceKind
from reports.services import snapshots_recompute
from tests.conftest import make_staff, staff_client
from tests.factories import IncidentFactory, OfficialFigureFactory, force, make_officer

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("HYPOTHESIS_EXAMPLES", "150"))
HYPOTHESIS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

CHANGELIST = reverse("admin:incidents_incident_changelist")
FIGURES = reverse("admin:reports_officialfigure_changelist")
EXPORT_FORMATS = ("csv", "xlsx")
# What a page may answer: a 500, or anything else unplanned, fails the example.
ANSWERS = frozenset({200, 302, 400, 403, 404})
PERSONAS = ("rep", "other_rep", "two_force_rep", "national", "forceless_rep")
FORCE_SLUGS = {"a": "thames-valley", "b": "kent", "c": "sussex"}
YEAR = 2018
# The dashboards' counts that only a force's own reps and national staff see (CSV headings).
COUNT_COLUMNS = ("Logged", "Verified", "Officers who logged")


# -- the world ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Persona:
    name: str
    client: Client
    force_ids: frozenset[int] | None  # None: national staff, every force

    def covers(self, force_id: int) -> bool:
        return self.force_ids is None or force_id in self.force_ids

    @property
    def national(self) -> bool:
        return self.force_ids is None


# Values that stand for a real row, resolved against the world of the example's test.
@dataclass(frozen=True)
class ForcePk:
    key: str


@dataclass(frozen=True)
class ReportPk:
    key: str


@dataclass(frozen=True)
class ReportReference:
    key: str


@dataclass(frozen=True)
class OfficerPk:
    key: str


Value = str | ForcePk | ReportPk | ReportReference | OfficerPk


@dataclass
class World:
    personas: dict[str, Persona]
    forces: dict[str, Force]
    officers: dict[str, User]
    reports: dict[str, Incident]
    missing_pk: int

    def sent(self, report: Incident) -> bool:
        return report.status != Status.DRAFT and report.submitted_at is not None

    def visible(self, persona: Persona, report: Incident) -> bool:
        return self.sent(report) and persona.covers(report.force_id)

    def visible_references(self, persona: Persona) -> set[str]:
        return {r.reference for r in self.reports.values() if self.visible(persona, r)}

    def hidden_references(self, persona: Persona) -> set[str]:
        return {r.reference for r in self.reports.values() if not self.visible(persona, r)}

    def resolve(self, value: Value) -> str:
        if isinstance(value, ForcePk):
            return str(self.forces[value.key].pk)
        if isinstance(value, ReportPk):
            return str(self.reports[value.key].pk)
        if isinstance(value, ReportReference):
            return self.reports[value.key].reference
        if isinstance(value, OfficerPk):
            return str(self.officers[value.key].pk)
        return value

    def query(self, pairs: list[tuple[str, Value]]) -> list[tuple[str, str]]:
        return [(name, self.resolve(value)) for name, value in pairs]


@pytest.fixture
def world(settings: Any, rep: User, other_rep: User, national_staff: User, force_a: Force, force_b: Force) -> World:
    # Hundreds of exports in a test: the limit (tests/security/test_rate_limits.py) must not answer them.
    settings.EXPORT_RATE = "1000000/h"
    forces = {"a": force_a, "b": force_b, "c": force(FORCE_SLUGS["c"])}
    officers = {key: make_officer(slug) for key, slug in FORCE_SLUGS.items()}
    day, today = datetime.date(YEAR, 10, 1), timezone.localdate()
    reports = {
        "a-2018": IncidentFactory(officer=officers["a"], occurred_on=day, assaults=[AssaultKind.SPIT]),
        "a-verified": IncidentFactory(officer=officers["a"], occurred_on=today, status=Status.VERIFIED),
        # Withdrawn after it was sent: staff still see it.
        "a-withdrawn": IncidentFactory(officer=officers["a"], occurred_on=today, status=Status.WITHDRAWN),
        # Never sent: nobody on staff, national staff included, may see these.
        "a-draft": IncidentFactory(officer=officers["a"], status=Status.DRAFT),
        "a-withdrawn-draft": IncidentFactory(officer=officers["a"], status=Status.WITHDRAWN, submitted_at=None),
        "b-2018": IncidentFactory(officer=officers["b"], occurred_on=day, injury=Injury.MINOR),
        "b-in-review": IncidentFactory(officer=officers["b"], occurred_on=today, status=Status.IN_REVIEW),
        "c-2018": IncidentFactory(officer=officers["c"], occurred_on=day, assaults=[AssaultKind.SPIT]),
        "c-rejected": IncidentFactory(
            officer=officers["c"], occurred_on=today, status=Status.REJECTED, rejection_reason=RejectionReason.MISTAKE
        ),
    }
    for area, total in (("E23000029", 1057), ("E23000032", 1594), ("E23000033", 900), ("K04000001", 30977)):
        OfficialFigureFactory(area=area, financial_year=YEAR, total=total)
    snapshots_recompute()
    users = {
        "rep": rep,
        "other_rep": other_rep,
        "two_force_rep": make_staff(REPS_GROUP, force_a, force_b),
        "national": national_staff,
        # In the reps' group but covering no force yet (as a new rep is before a RepForce row).
        "forceless_rep": make_staff(REPS_GROUP),
    }
    scopes: dict[str, frozenset[int] | None] = {
        "rep": frozenset({force_a.pk}),
        "other_rep": frozenset({force_b.pk}),
        "two_force_rep": frozenset({force_a.pk, force_b.pk}),
        "national": None,
        "forceless_rep": frozenset(),
    }
    personas = {name: Persona(name, staff_client(user), scopes[name]) for name, user in users.items()}
    missing_pk = max(report.pk for report in reports.values()) + 1000
    return World(personas, forces, officers, reports, missing_pk)


# -- query strings ------------------------------------------------------------------------

REPORT_KEYS = (
    "a-2018",
    "a-verified",
    "a-withdrawn",
    "a-draft",
    "a-withdrawn-draft",
    "b-2018",
    "b-in-review",
    "c-2018",
    "c-rejected",
)
forces = st.sampled_from(sorted(FORCE_SLUGS)).map(ForcePk)
report_pks = st.sampled_from(REPORT_KEYS).map(ReportPk)
report_references = st.sampled_from(REPORT_KEYS).map(ReportReference)
officers = st.sampled_from(sorted(FORCE_SLUGS)).map(OfficerPk)

THIS_YEAR = timezone.localdate().year
# The parameters each page takes, each with values it accepts: a query of these alone gets
# past the page's checks to the page itself, where what it shows can be checked.
PAGING: dict[str, st.SearchStrategy[Value]] = {
    "q": st.one_of(report_references, st.sampled_from(["", " ", "AL-", "E23000029"])),
    "o": st.sampled_from(["1", "-1", "2.-1", "-3.4"]),
    "p": st.sampled_from(["1", "2"]),
    "all": st.just(""),
}
REVIEW_LIST: dict[str, st.SearchStrategy[Value]] = {
    **PAGING,
    "status__exact": st.sampled_from([status for status in Status.values if status != Status.DRAFT]),
    "force": forces,
    "assault": st.sampled_from(AssaultKind.values),
    "injury__exact": st.sampled_from(Injury.values),
    "reported_to_force__exact": st.sampled_from(ReportedToForce.values),
    "assigned": st.sampled_from(["me", "none", "others"]),
    "year": st.sampled_from([str(YEAR), str(THIS_YEAR - 1)]),
    "single_crewed__exact": st.sampled_from(Answer.values),
    "waiting": st.just("over_7_days"),
    "occurred_on__year": st.sampled_from([str(YEAR), str(THIS_YEAR)]),
    "occurred_on__month": st.sampled_from(["1", "10", "12"]),
    "occurred_on__day": st.sampled_from(["1", "28"]),
}
DASHBOARDS: dict[str, st.SearchStrategy[Value]] = {
    "year": st.sampled_from([str(YEAR), str(THIS_YEAR)]),
    "sort": st.sampled_from(["name", "logged", "official", "implied", "per_officer"]),
    "dir": st.sampled_from(["asc", "desc"]),
    "format": st.just("csv"),
    "table": st.sampled_from(["trend", "breakdowns"]),
}
FIGURES_LIST: dict[str, st.SearchStrategy[Value]] = {
    **PAGING,
    "year": st.sampled_from([str(YEAR), "2017"]),
    "basis__exact": st.sampled_from(FigureBasis.values),
    "source_kind__exact": st.sampled_from(SourceKind.values),
}
# And values they nearly accept, names of the admin's own, and lookups on the report's own
# fields, which are never filters (test_review_list_parameters.py).
NEARLY: dict[str, st.SearchStrategy[Value]] = {
    "status__exact": st.just(Status.DRAFT),
    "force": st.sampled_from(["0", "1.5", "abc", " 1", "2147483648"]),
    "year": st.sampled_from(["2009", "2999", "0", "-1", "²"]),
    "occurred_on__year": st.sampled_from(["2009", "2999", "0"]),
    "occurred_on__month": st.sampled_from(["0", "13"]),
    "occurred_on__day": st.sampled_from(["29", "30", "31", "32"]),
    "o": st.sampled_from(["99", "1;DROP", "-", "1.1.1.1.1.1.1.1.1.1.1"]),
    "p": st.sampled_from(["0", "-1", "1000000", "99999999999999999999"]),
    "e": st.sampled_from(["1", ""]),
    "all": st.just("1"),
    "_facets": st.sampled_from(["", "True"]),
    "sort": st.sampled_from(["__class__", "raw", "cells"]),
    "format": st.sampled_from(["xlsx", "html", "CSV"]),
    "financial_year": st.sampled_from([str(YEAR), "99999999999999999999"]),
    "area": st.sampled_from(["E23000029", "K04000001"]),
    "officer": officers,
    "officer__id__exact": officers,
    "officer_id": officers,
    "force__code": st.sampled_from(["E23000029", "E23000032", "E23000033"]),
    "force__id__exact": forces,
    "force_id__in": forces,
    "pk": report_pks,
    "id__in": report_pks,
    "reference": report_references,
    "status__in": st.just("draft,submitted"),
    "submitted_at__isnull": st.sampled_from(["True", "1", "0"]),
    "_changelist_filters": st.sampled_from(["status__exact=draft", "officer=1", "force=99999", "q=%00", "p=-1"]),
    "_popup": st.just("1"),
    "_to_field": st.sampled_from(["officer", "reference", "id", "narrative"]),
}
MODEL_FIELDS = sorted(
    {field.name for field in Incident._meta.get_fields()} | {field.attname for field in Incident._meta.concrete_fields}
)
# Text as a browser could send it: anything but lone surrogates, which UTF-8 cannot carry.
any_text = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=40)
KNOWN_NAMES = sorted({*REVIEW_LIST, *DASHBOARDS, *FIGURES_LIST, *NEARLY})
names = st.one_of(st.sampled_from(KNOWN_NAMES), st.sampled_from(MODEL_FIELDS), any_text)
values: st.SearchStrategy[Value] = st.one_of(
    any_text,
    st.integers().map(str),
    st.integers(min_value=2**31 - 2, max_value=10**40).map(str),
    st.integers(max_value=-1).map(str),
    st.sampled_from(["", "0", "-0", "1.5", "1e9", " 1", "01", "\x00", "2\x00", "\u202e", "é", "٣", "²", "null"]),
    st.integers(min_value=100, max_value=5000).flatmap(lambda n: st.sampled_from(["9" * n, "x" * n, "é" * n])),
    forces,
    report_pks,
    report_references,
    officers,
)


def pairs_of(parameters: dict[str, st.SearchStrategy[Value]]) -> st.SearchStrategy[tuple[str, Value]]:
    return st.sampled_from(sorted(parameters)).flatmap(lambda name: st.tuples(st.just(name), parameters[name]))


def queries(accepted: dict[str, st.SearchStrategy[Value]]) -> st.SearchStrategy[list[tuple[str, Value]]]:
    """Half the time a query the page accepts (each name once), with a force named often (the
    review list's scope); else up to four parameters of any kind, sometimes with the last given
    twice (the admin would take only the last)."""
    good = pairs_of(accepted)
    if "force" in accepted:
        good = st.one_of(good, st.tuples(st.just("force"), forces))
    any_pair = st.one_of(good, good, pairs_of(NEARLY), st.tuples(names, values))
    return st.one_of(
        st.lists(good, max_size=3, unique_by=lambda pair: pair[0]),
        st.lists(any_pair, max_size=4).flatmap(lambda pairs: st.sampled_from([pairs, pairs + pairs[-1:]])),
    )


personas = st.sampled_from(PERSONAS)


def with_query(url: str, query: list[tuple[str, str]]) -> str:
    return f"{url}?{urlencode(query)}" if query else url


def named_in(query: list[tuple[str, str]], reference: str) -> bool:
    """A page may show what the query said (the search box, a message): not a leak."""
    return any(reference.lower() in f"{name} {value}".lower() for name, value in query)


def assert_names_none(body: str, references: Iterable[str], query: list[tuple[str, str]], where: str) -> None:
    named = [ref for ref in references if ref in body and not named_in(query, ref)]
    assert not named, f"{where}: names {named} outside the persona's scope"


def csv_table(body: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))


# -- the review list ----------------------------------------------------------------------


def test_review_list_shows_only_the_personas_sent_reports_whatever_the_query(world: World) -> None:
    for persona in world.personas.values():  # the check sees every row when nothing filters
        listed = persona.client.get(CHANGELIST).context["cl"].result_list
        assert {r.reference for r in listed} == world.visible_references(persona), persona.name
    shown = Counter[str]()

    @HYPOTHESIS
    @given(who=personas, pairs=queries(REVIEW_LIST))
    def check(who: str, pairs: list[tuple[str, Value]]) -> None:
        persona, query = world.personas[who], world.query(pairs)
        url = with_query(CHANGELIST, query)
        response = persona.client.get(url)
        assert response.status_code in ANSWERS, (who, url, response.status_code)
        if response.status_code != 200:
            return
        shown[who] += 1
        listed = {row.reference for row in response.context["cl"].result_list}
        outside = listed - world.visible_references(persona)
        assert not outside, (who, url, outside)
        assert_names_none(response.content.decode(), world.hidden_references(persona), query, f"{who} {url}")

    check()
    # The query strategy reaches the list itself, not only its refusals, for every persona.
    assert set(shown) == set(PERSONAS), shown


# -- a report's admin pages ---------------------------------------------------------------


def test_a_report_out_of_scope_answers_as_one_that_does_not_exist_whatever_the_query(world: World) -> None:
    opened = Counter[str]()

    @HYPOTHESIS
    @given(
        who=personas,
        key=st.sampled_from(REPORT_KEYS),
        view=st.sampled_from(["change", "history"]),
        pairs=queries(REVIEW_LIST),
    )
    # Found by this test: Django's change view takes an empty "_to_field" for a field name and
    # fails looking it up (FieldDoesNotExist), on every report, in scope or not, and none.
    @example(who="rep", key="a-2018", view="change", pairs=[("_to_field", "")])
    def check(who: str, key: str, view: str, pairs: list[tuple[str, Value]]) -> None:
        persona, query, report = world.personas[who], world.query(pairs), world.reports[key]
        url = with_query(reverse(f"admin:incidents_incident_{view}", args=[report.pk]), query)
        response = persona.client.get(url)
        assert response.status_code in ANSWERS, (who, url, response.status_code)
        if world.visible(persona, report):
            assert response.status_code in (200, 302, 400), (who, url, response.status_code)
            opened[response.status_code] += 1
            return
        missing = with_query(reverse(f"admin:incidents_incident_{view}", args=[world.missing_pk]), query)
        absent = persona.client.get(missing)
        assert response.status_code in (400, 404), (who, key, url, response.status_code)
        assert response.status_code == absent.status_code, (who, key, url, response.status_code, absent.status_code)
        assert_names_none(response.content.decode(), [report.reference], query, f"{who} {url}")
        opened[response.status_code] += 1

    check()
    assert opened[200] and opened[404], opened


# -- the exports --------------------------------------------------------------------------


def exported(response: Any, file_format: str) -> tuple[list[str], list[str], str]:
    """The header, the references of the rows, and the whole file as text."""
    if file_format == "csv":
        body = b"".join(response.streaming_content).decode("utf-8")
        header, *rows = csv_table(body)
    else:
        book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
        header, *rows = [["" if cell is None else str(cell) for cell in row] for row in book.active.values]
        body = "\n".join(",".join(row) for row in [header, *rows])
    column = header.index("Reference")
    return header, [row[column] for row in rows], body


def exports_logged() -> int:
    return StaffAccess.objects.filter(action=StaffAction.EXPORTED).count()


def test_exports_hold_only_the_personas_sent_reports_whatever_the_query(world: World) -> None:
    for persona in world.personas.values():  # the check sees every row when nothing filters
        for file_format in EXPORT_FORMATS:
            response = persona.client.get(reverse("admin:incidents_incident_export", args=[file_format]))
            assert response.status_code == 200, (persona.name, file_format)
            _, references, _ = exported(response, file_format)
            assert set(references) == world.visible_references(persona), (persona.name, file_format)
    answered = Counter[str]()

    @HYPOTHESIS
    @given(who=personas, pairs=queries(REVIEW_LIST))
    def check(who: str, pairs: list[tuple[str, Value]]) -> None:
        persona, query = world.personas[who], world.query(pairs)
        for file_format in EXPORT_FORMATS:
            url = with_query(reverse("admin:incidents_incident_export", args=[file_format]), query)
            logged = exports_logged()
            response = persona.client.get(url)
            assert response.status_code in ANSWERS, (who, url, response.status_code)
            answered[f"{who} {response.status_code}"] += 1
            if response.status_code != 200:
                # Refused (back to the list with a message, or a bad request): nothing exported, nothing logged.
                assert "attachment" not in response.get("Content-Disposition", ""), (who, url)
                assert exports_logged() == logged, (who, url, response.status_code)
                continue
            header, references, body = exported(response, file_format)
            outside = set(references) - world.visible_references(persona)
            assert not outside, (who, url, outside)
            assert_names_none(body, world.hidden_references(persona), [], f"{who} {url}")
            assert ("Narrative" in header) == persona.national, (who, url, header)
            assert exports_logged() == logged + 1, (who, url)

    check()
    assert {f"{who} 200" for who in PERSONAS} <= set(answered), answered


# -- the dashboards and the briefing ------------------------------------------------------

# Where on the dashboards: the national one, a force's page, a force's briefing (with the
# year of its address, which the view turns into the query's year).
pages = st.one_of(
    st.just(("dashboard", "")),
    st.tuples(st.just("force"), st.sampled_from(sorted(FORCE_SLUGS))),
    st.tuples(st.just("briefing"), st.sampled_from(sorted(FORCE_SLUGS))),
)
BRIEFING_YEARS = st.one_of(
    st.just(str(YEAR)), st.sampled_from([f"{YEAR}-19", "1999", "0", "99999999999999999999", "abc", "é", "²"])
)


def check_dashboard(world: World, persona: Persona, url: str, response: Any) -> None:
    covered_names = {f.short_name for f in world.forces.values() if persona.covers(f.pk)}
    every_name = set(Force.objects.values_list("short_name", flat=True))
    if response.get("Content-Type", "").startswith("text/csv"):
        header, *rows = csv_table(response.content.decode("utf-8"))
        for row in rows:
            if row[0] in every_name and not (persona.national or row[0] in covered_names):
                counts = {label: row[header.index(label)] for label in COUNT_COLUMNS}
                assert set(counts.values()) == {""}, (persona.name, url, row[0], counts)
        return
    for row in response.context["rows"]:
        covered = persona.national or row.name in covered_names
        assert row.full == covered, (persona.name, url, row.name)
        if not covered:
            assert row.cells["logged"] == "–", (persona.name, url, row.name, row.cells["logged"])


def check_force_page(world: World, persona: Persona, key: str, url: str, response: Any) -> None:
    covered = persona.covers(world.forces[key].pk)
    if response.get("Content-Type", "").startswith("text/csv"):
        header, *rows = csv_table(response.content.decode("utf-8"))
        if covered:
            return
        if header[:2] == ["Breakdown", "Answer"]:
            assert rows == [], (persona.name, url, rows)
        else:
            for row in rows:
                counts = {label: row[header.index(label)] for label in COUNT_COLUMNS}
                assert set(counts.values()) == {""}, (persona.name, url, counts)
        return
    assert response.context["full"] == covered, (persona.name, url)
    if not covered:
        assert response.context["breakdowns"] == [], (persona.name, url)
        assert all(item["figures"].cells["logged"] == "–" for item in response.context["trend"]), (persona.name, url)


def test_dashboards_show_only_the_personas_forces_in_full_whatever_the_query(world: World) -> None:
    answered = Counter[str]()

    @HYPOTHESIS
    @given(who=personas, page=pages, year=BRIEFING_YEARS, pairs=queries(DASHBOARDS))
    def check(who: str, page: tuple[str, str], year: str, pairs: list[tuple[str, Value]]) -> None:
        persona, query = world.personas[who], world.query(pairs)
        kind, key = page
        if kind == "dashboard":
            path = reverse("reports:dashboard")
        elif kind == "force":
            path = reverse("reports:force", args=[FORCE_SLUGS[key]])
        else:
            path = reverse("reports:briefing", args=[FORCE_SLUGS[key], year])
        url = with_query(path, query)
        response = persona.client.get(url)
        assert response.status_code in ANSWERS, (who, url, response.status_code)
        answered[f"{kind} {response.status_code}"] += 1
        if persona.force_ids == frozenset():
            # Staff who cover no force have no dashboard at all.
            assert response.status_code in (400, 403), (who, url, response.status_code)
            return
        if kind == "briefing" and not persona.covers(world.forces[key].pk):
            # A force's briefing is for its reps and national staff.
            assert response.status_code in (400, 404), (who, url, response.status_code)
            return
        if response.status_code != 200:
            return
        if kind == "dashboard":
            check_dashboard(world, persona, url, response)
        elif kind == "force":
            check_force_page(world, persona, key, url, response)

    check()
    assert {"dashboard 200", "force 200", "briefing 200"} <= set(answered), answered


# -- the official figures -----------------------------------------------------------------


def test_official_figures_list_never_fails_and_is_for_national_staff_only(world: World) -> None:
    answered = Counter[str]()

    @HYPOTHESIS
    @given(who=personas, pairs=queries(FIGURES_LIST))
    def check(who: str, pairs: list[tuple[str, Value]]) -> None:
        persona, query = world.personas[who], world.query(pairs)
        url = with_query(FIGURES, query)
        response = persona.client.get(url)
        assert response.status_code in ANSWERS, (who, url, response.status_code)
        answered[f"{persona.national} {response.status_code}"] += 1
        if not persona.national:
            # The figures (with their import page) are national staff's: reps have no permission.
            assert response.status_code in (400, 403), (who, url, response.status_code)

    check()
    assert "True 200" in answered, answered
