"""The importer on files in the Home Office's own layouts, and on each kind of bad file.

Each case of issue 15 with a small file: partial years, duplicate rows, note markers and title
rows, XLSX and ODS with a sheet per year, a national total missing a force, a press figure and
a Home Office release for the same year (either order), re-imports, the values in a dry run.
"""

from __future__ import annotations

import datetime
import io
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from incidents.models import Force, User
from reports.choices import FigureBasis, SourceKind
from reports.importing import PRC, SIMPLE, STRENGTH, WORKFORCE, parse_official_file
from reports.models import NATIONAL, OfficerStrength, OfficialFigure, PendingImport
from reports.selectors import official_figures_current
from reports.services import ImportRefused, Release, official_figures_import
from tests.conftest import staff_client
from tests.reports.workbooks import PRC_HEADER, csv_text, ods, prc_rows, xlsx

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parents[2] / "reports" / "data"
HOME_OFFICE = Release("Police recorded crime, year ending March 2019", datetime.date(2019, 10, 17), "home_office")
PRESS = Release("Bucks Herald", datetime.date(2019, 8, 1), "press")
SIMPLE_HEADER = "force,financial year,with injury,without injury,total,source\n"
TVP = "E23000029"


def prc(rows: list[list]) -> bytes:
    return csv_text([PRC_HEADER, *rows]).encode()


def tvp_2018(with_injury: list[int] | None = None, without_injury: list[int] | None = None) -> list[list]:
    return prc_rows("2018/19", "Thames Valley", "8S", with_injury or [50, 50, 48, 50]) + prc_rows(
        "2018/19", "Thames Valley", "104", without_injury or [200, 220, 219, 220]
    )


def imported(content: bytes | str, release: Release = HOME_OFFICE, **kwargs: object) -> object:
    parsed = parse_official_file(content)
    assert parsed.problems == [], parsed.problems
    return official_figures_import(parsed=parsed, release=release, **kwargs)


# -- Home Office recorded crime ---------------------------------------------------------


def test_recorded_crime_sums_the_four_quarters_of_8s_and_104() -> None:
    rows = tvp_2018() + prc_rows("2018-19", "Thames Valley", "105A", [999, 1, 1, 1])  # another offence
    rows += [
        ["2018/19", 1, "Action Fraud", "x", "Fraud", "x", "104", 12],
        ["2018/19", 1, "CIFAS", "x", "x", "x", "8S", 3],
    ]
    parsed = parse_official_file(prc(rows))
    assert (parsed.kind, parsed.problems) == (PRC, [])
    (row,) = parsed.figures
    assert (row.area, row.financial_year, row.with_injury, row.without_injury, row.total) == (TVP, 2018, 198, 859, 1057)
    assert row.basis == FigureBasis.EIGHT_S_AND_104


def test_a_partial_year_is_reported_and_never_stored_as_that_years_figure() -> None:
    rows = tvp_2018() + prc_rows("2024/25", "Cumbria", "8S", [20, 21], quarters=[1, 2])
    rows += prc_rows("2024/25", "Cumbria", "104", [60, 61], quarters=[1, 2])
    rows += prc_rows("2024/25", "Kent", "104", [1, 2, 3], quarters=[1, 3, 4])
    parsed = parse_official_file(prc(rows))
    assert parsed.problems == []
    assert [(row.area, row.financial_year) for row in parsed.figures] == [(TVP, 2018)]
    assert "Cumbria 2024/25: 104 quarters 1-2 only; 8S quarters 1-2 only, not imported." in parsed.notes
    assert "Kent 2024/25: 104 quarters 1, 3, 4 only, not imported." in parsed.notes
    plan = official_figures_import(parsed=parsed, release=HOME_OFFICE)
    assert plan.notes == parsed.notes
    assert list(OfficialFigure.objects.values_list("area", "financial_year")) == [(TVP, 2018)]


def test_one_offence_complete_and_the_other_partial_gives_that_offence_only() -> None:
    rows = prc_rows("2019/20", "Kent", "8S", [10, 10, 10, 10]) + prc_rows("2019/20", "Kent", "104", [5], quarters=[1])
    parsed = parse_official_file(prc(rows))
    (row,) = parsed.figures
    assert (row.basis, row.with_injury, row.without_injury, row.total) == (FigureBasis.EIGHT_S_ONLY, 40, None, None)
    assert parsed.notes == ["Kent 2019/20: 104 quarters 1 only, not imported."]


def test_the_same_force_year_quarter_and_offence_twice_is_an_error_with_both_lines() -> None:
    rows = tvp_2018() + [tvp_2018()[2]]  # 8S quarter 3 again, on line 10
    parsed = parse_official_file(prc(rows))
    [problem] = parsed.problems
    assert (problem.line, problem.column) == (10, "Financial Quarter")
    assert problem.message == "Thames Valley 2018/19 quarter 3 of offence 8S is already on line 4"
    with pytest.raises(ImportRefused):
        official_figures_import(parsed=parsed, release=HOME_OFFICE)
    assert not OfficialFigure.objects.exists()


def test_title_rows_note_markers_and_stray_spaces_in_the_header() -> None:
    header = ["Financial Year ", "Financial  Quarter", "Force Name [note 1]", "Offence Code"]
    header.append("Number of Offences [note 2]")
    rows = [["Police recorded crime by police force area [note 3]"], ["Source: Home Office"], [], header]
    rows += [[year, quarter, force, code, f"{count:,}"] for year, quarter, force, _, _, _, code, count in tvp_2018()]
    parsed = parse_official_file(csv_text(rows))
    assert parsed.problems == []
    assert parsed.figures[0].total == 1057


@pytest.mark.parametrize("writer", [xlsx, ods], ids=["xlsx", "ods"])
def test_workbooks_with_a_sheet_per_year_and_a_cover_sheet(writer: object) -> None:
    content = writer(
        {
            "Cover": [["Police recorded crime open data tables"], ["See the notes sheet"]],
            "2018_19": [["Year ending March 2019"], PRC_HEADER, *tvp_2018()],
            "2019_20": [PRC_HEADER, *prc_rows("2019/20", "Thames Valley", "8S", [1, 2, 3, 4])],
        }
    )
    parsed = parse_official_file(content)
    assert (parsed.kind, parsed.problems) == (PRC, [])
    assert [(row.financial_year, row.basis, row.count) for row in [_figure(r) for r in parsed.figures]] == [
        (2018, FigureBasis.EIGHT_S_AND_104, 1057),
        (2019, FigureBasis.EIGHT_S_ONLY, None),
    ]
    assert "Sheet 'Cover' holds no table of a known format: left out." in parsed.notes


def _figure(row: object) -> OfficialFigure:
    names = ("financial_year", "with_injury", "without_injury", "total", "basis")
    return OfficialFigure(**{name: getattr(row, name) for name in names})


def test_a_duplicate_across_sheets_names_the_other_sheet() -> None:
    content = xlsx({"2018_19": [PRC_HEADER, *tvp_2018()], "again": [PRC_HEADER, tvp_2018()[0]]})
    [problem] = parse_official_file(content).problems
    assert str(problem) == (
        "sheet 'again', line 2, column 'Financial Quarter': Thames Valley 2018/19 quarter 1 of offence 8S is "
        "already on sheet '2018_19' line 2"
    )


def test_an_unknown_header_lists_what_each_format_expects_and_what_is_missing() -> None:
    parsed = parse_official_file("Financial Year,Force Name,Offence,Count\n2019/20,Kent,8S,3\n")
    [problem] = parsed.problems
    assert problem.line == 1
    expected = "Financial Year, Financial Quarter, Force Name, Offence Code, Number of Offences"
    assert f"Home Office police recorded crime open data: {expected}" in problem.message
    assert "(missing: Financial Quarter, Offence Code, Number of Offences)" in problem.message
    assert "Simple sheet of figures: force (or code), financial year, with injury, without injury, total" in (
        problem.message
    )


def test_england_and_wales_is_summed_when_the_file_holds_every_force() -> None:
    codes = list(Force.objects.values_list("short_name", flat=True))
    rows = [row for n, name in enumerate(codes) for row in prc_rows("2020/21", name, "8S", [n, 1, 1, 1])]
    rows += [row for name in codes for row in prc_rows("2020/21", name, "104", [2, 2, 2, 2])]
    parsed = parse_official_file(prc(rows))
    national = next(row for row in parsed.figures if row.area == NATIONAL)
    forces = len(codes)
    expected_with = sum(range(forces)) + 3 * forces
    assert (national.with_injury, national.without_injury, national.derived) == (expected_with, 8 * forces, True)
    assert f"England and Wales 2020/21: {expected_with + 8 * forces:,}, the sum of the {forces} forces." in parsed.notes
    # Without one force it is not summed, and the summary says which is missing.
    rows = [row for row in rows if row[2] != "Greater Manchester"]
    parsed = parse_official_file(prc(rows))
    assert not [row for row in parsed.figures if row.area == NATIONAL]
    assert (
        f"England and Wales 2020/21: not summed from the forces ({forces - 1} of {forces}; missing Greater Manchester)."
        in parsed.notes
    )


def test_a_summed_national_figure_is_checked_against_the_published_total() -> None:
    imported("financial_year,with_injury_8S,without_injury_104,total\n2020/21,11235,25734,36969\n")
    names = list(Force.objects.values_list("short_name", flat=True))
    rows = [row for name in names for code in ("8S", "104") for row in prc_rows("2020/21", name, code, [100] * 4)]
    imported(prc(rows), Release("PRC year ending March 2021", datetime.date(2021, 7, 22), "home_office"))
    current = official_figures_current()[(NATIONAL, 2020)]
    assert current.derived and current.count == 800 * len(names)
    from reports.services import snapshots_recompute

    snapshots_recompute(years=[2020])
    from reports.models import Snapshot

    check = Snapshot.objects.get(area=NATIONAL, financial_year=2020).data["official"]["check"]
    assert check["published_total"] == 36969
    assert check["difference"] == 800 * len(names) - 36969


# -- the basis and the source ----------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "basis", "compared"),
    [
        ("Wiltshire,2020/21,136,,,PRC 8S only", FigureBasis.EIGHT_S_ONLY, False),
        ("Thames Valley,2020/21,,,1101,article", FigureBasis.TOTAL_ONLY, True),
        ("Kent,2019/20,10,20,30,x", FigureBasis.EIGHT_S_AND_104, True),
        ("Kent,2019/20,,20,,x", FigureBasis.ONLY_104, False),
    ],
)
def test_a_simple_sheet_without_a_basis_column_gets_the_basis_its_counts_show(
    line: str, basis: str, compared: bool
) -> None:
    imported(SIMPLE_HEADER + line + "\n", PRESS)
    figure = OfficialFigure.objects.get()
    assert (figure.basis, figure.compared) == (basis, compared)


def test_the_basis_column_takes_codes_or_labels_and_refuses_anything_else() -> None:
    header = "force,financial year,with injury,without injury,total,basis,source kind\n"
    parsed = parse_official_file(
        header
        + "Kent,2021/22,117,495,612,Emergency-worker release,press\n"
        + "Surrey,2015/16,,,194,pre_2017_estimate,federation\n"
        + "Sussex,2019/20,1,2,3,whatever,press\n"
        + "Essex,2016/17,1,2,3,8S + 104,press\n"
        + "Norfolk,2019/20,1,2,3,8s_104,tabloid\n"
    )
    assert [(p.line, p.column) for p in parsed.problems] == [(4, "basis"), (5, "basis"), (6, "source kind")]
    assert "'whatever' is not a basis we know: use one of 8s_104, total_only" in parsed.problems[0].message
    assert "offence 8S began on 1 April 2017: a 2016/17 figure cannot count it" in parsed.problems[1].message
    assert parsed.figures[0].basis == FigureBasis.EMERGENCY_WORKERS
    assert (parsed.figures[1].basis, parsed.figures[1].source_kind) == (FigureBasis.PRE_2017_ESTIMATE, "federation")


def test_a_national_total_missing_a_force_names_it_and_is_not_compared() -> None:
    imported(
        "financial_year,without_injury_104,with_injury_8S,total,basis,missing\n"
        "2019/20,20269,10410,30679,partial_coverage,Greater Manchester\n",
        PRESS,
    )
    figure = OfficialFigure.objects.get()
    assert (figure.basis, figure.missing_areas, figure.compared) == (FigureBasis.PARTIAL_COVERAGE, ["E23000005"], False)
    from reports.models import Snapshot
    from reports.services import snapshots_recompute

    snapshots_recompute(years=[2019])
    official = Snapshot.objects.get(area=NATIONAL, financial_year=2019).data["official"]
    assert official["coverage"] == "43 of 44 forces (Greater Manchester missing)"
    assert official["not_compared"] == (
        "it covers 43 of 44 forces (Greater Manchester missing), so it is not the whole count"
    )
    # Partial coverage must name what it leaves out, and only it may.
    parsed = parse_official_file(
        "financial_year,total,basis,missing\n2019/20,30679,partial_coverage,\n2018/19,3,8s_104,Kent\n"
    )
    assert [p.message for p in parsed.problems] == [
        "name the forces a figure of partial coverage leaves out",
        "only a figure of partial coverage names missing forces",
    ]


@pytest.mark.parametrize("order", ["press first", "Home Office first"])
def test_a_home_office_release_outranks_the_press_whichever_comes_first(order: str) -> None:
    press_file = SIMPLE_HEADER + "Thames Valley,2018/19,198,859,1057,https://www.bucksherald.co.uk/x\n"
    releases = [(press_file.encode(), PRESS), (prc(tvp_2018([50, 50, 50, 50])), HOME_OFFICE)]
    if order == "Home Office first":
        releases.reverse()
    plans = [imported(content, release) for content, release in releases]
    used = official_figures_current()[(TVP, 2018)]
    assert (used.source_kind, used.count) == (SourceKind.HOME_OFFICE, 1059)
    assert OfficialFigure.objects.count() == 2  # the press figure stays on record
    second = plans[1].new[0]
    if order == "press first":
        assert second.endswith("in place of 1,057 from the press (www.bucksherald.co.uk), quoting official figures")
    else:
        assert second.endswith(
            "kept on record, while 1,059 from Home Office: “Police recorded crime, year ending March 2019”, "
            "released 17 October 2019 stays in use"
        )


def test_within_one_kind_the_newer_release_wins_and_the_older_stays() -> None:
    text = SIMPLE_HEADER + "Thames Valley,2020/21,,,1101,\n"  # no source of its own: the release's
    imported(text, HOME_OFFICE)
    revised = Release("Revised", datetime.date(2022, 7, 1), "home_office")
    plan = imported(text.replace("1101", "1110"), revised, dry_run=True)
    assert plan.new == [
        "Thames Valley 2020/21: 1,110, 8S + 104 total only (parts unknown), Home Office release; used in place of "
        "1,101 from Home Office: “Police recorded crime, year ending March 2019”, released 17 October 2019"
    ]
    assert OfficialFigure.objects.count() == 1  # a dry run writes nothing
    imported(text.replace("1101", "1110"), revised)
    assert official_figures_current()[(TVP, 2020)].count == 1110
    assert OfficialFigure.objects.count() == 2


def test_importing_the_same_file_again_changes_nothing_and_a_correction_shows_old_and_new() -> None:
    content = prc(tvp_2018())
    first = imported(content)
    again = imported(content)
    assert (len(first.new), again.changes, len(again.unchanged)) == (1, 0, 1)
    assert again.unchanged == [
        "Thames Valley 2018/19: 1,057 (198 with injury + 859 without), 8S + 104, whole force, whole year, "
        "Home Office release"
    ]
    corrected = imported(prc(tvp_2018([51, 50, 48, 50])), dry_run=True)
    assert corrected.changed == [
        "Thames Valley 2018/19: 1,057 (198 with injury + 859 without), 8S + 104, whole force, whole year, Home Office "
        "release → 1,058 (199 with injury + 859 without), 8S + 104, whole force, whole year, Home Office release"
    ]


# -- other formats, bad lines, the demo's files -----------------------------------------


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("London, City of", "E23000034"),
        ("Devon & Cornwall", "E23000035"),
        ("Devon and Cornwall", "E23000035"),
        ("Hampshire", "E23000030"),
        ("Hampshire and Isle of Wight", "E23000030"),
        ("Metropolitan Police Service", "E23000001"),
        ("Metropolitan", "E23000001"),
        ("British Transport Police", "BTP"),
    ],
)
def test_force_name_variants_map_to_the_force(name: str, code: str) -> None:
    parsed = parse_official_file(prc(prc_rows("2019/20", name, "104", [1, 1, 1, 1])))
    assert parsed.problems == []
    assert parsed.figures[0].area == code


def test_workforce_table_sums_officer_fte_per_force() -> None:
    text = (
        "As at 31 March,Geocode,Force name,Region,Sex,Rank,Worker type,Total (Headcount),Total (FTE)\n"
        "31-Mar-19,E23000029,Thames Valley,South East,Female,Constable,Police officer,1000,950.5\n"
        '31-Mar-19,E23000029,Thames Valley,South East,Male,Sergeant,Police officer,"3,000",2998.73\n'
        "31-Mar-19,E23000029,Thames Valley,South East,Male,Staff,Police staff,2000,1900\n"
    )
    parsed = parse_official_file(text)
    assert parsed.kind == WORKFORCE
    (row,) = parsed.strengths
    assert (row.area, row.as_at, str(row.officers_fte), row.officers_headcount) == (
        TVP,
        datetime.date(2019, 3, 31),
        "3949.23",
        4000,
    )


def test_the_bundled_files_parse_cleanly_with_their_bases() -> None:
    by_force = parse_official_file((DATA / "official_assaults_by_force.csv").read_bytes())
    national = parse_official_file((DATA / "official_assaults_national.csv").read_bytes())
    strength = parse_official_file((DATA / "officer_strength.csv").read_bytes())
    assert (by_force.kind, national.kind, strength.kind) == (SIMPLE, SIMPLE, STRENGTH)
    assert by_force.problems == national.problems == strength.problems == []
    assert {row.area for row in national.figures} == {NATIONAL}
    rows = by_force.figures + national.figures
    bases = {(row.area, row.financial_year): (row.basis, row.source_kind) for row in rows}
    assert bases[(TVP, 2018)] == (FigureBasis.EIGHT_S_AND_104, SourceKind.PRESS)
    assert bases[("E23000038", 2020)] == (FigureBasis.EIGHT_S_ONLY, SourceKind.PRESS)  # Wiltshire, with injury only
    assert bases[("E23000010", 2021)][0] == FigureBasis.EMERGENCY_WORKERS
    assert bases[(NATIONAL, 2019)][0] == FigureBasis.PARTIAL_COVERAGE
    assert bases[(NATIONAL, 2020)] == (FigureBasis.EIGHT_S_AND_104, SourceKind.HOME_OFFICE)
    assert bases[(NATIONAL, 2015)][0] == FigureBasis.PRE_2017_ESTIMATE


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("Narnia,2018/19,1,2,3,src", "'Narnia' is not a force we know"),
        ("Kent,2018/20,1,2,3,src", "is not a financial year"),
        ("Kent,2018/19,-4,2,,src", "-4 is negative"),
        ("Kent,2018/19,lots,2,,src", "'lots' is not a whole number"),
        ("Kent,2018/19,1,2,4,src", "4 is not 1 + 2 = 3"),
        ("Kent,2018/19,,,,src", "no count at all"),
        ("Surrey,2018/19,1,2,3,src", "Surrey 2018/19 is already on line 2"),
    ],
)
def test_each_kind_of_bad_line_is_reported_with_its_line_and_nothing_is_imported(line: str, message: str) -> None:
    parsed = parse_official_file(SIMPLE_HEADER + "Surrey,2018/19,10,20,30,src\n" + line + "\n")
    [problem] = parsed.problems
    assert problem.line == 3
    assert message in problem.message
    with pytest.raises(ImportRefused):
        official_figures_import(parsed=parsed, release=PRESS)
    assert not OfficialFigure.objects.exists()


def test_strength_import_and_the_management_command(tmp_path: Path) -> None:
    path = tmp_path / "strength.csv"
    path.write_text(
        "code,as_at,officers_fte,officers_headcount,source_url\nE23000029,2019-03-31,4149.23,4300,https://x\n"
    )
    out = io.StringIO()
    call_command("import_official_figures", str(path), "--published", "2019-07-18", stdout=out)
    assert str(OfficerStrength.objects.get().officers_fte) == "4149.23"
    assert "Thames Valley officers on 31 March 2019: 4,149.23 full-time equivalent" in out.getvalue()
    bad = tmp_path / "bad.csv"
    bad.write_text("code,as_at,officers_fte,officers_headcount,source_url\nE23000029,2019-04-30,4149.23,,\n")
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_official_figures", str(bad), stderr=io.StringIO())
    assert OfficerStrength.objects.count() == 1


def test_the_command_shows_the_values_and_needs_a_source_kind_for_a_simple_sheet(tmp_path: Path) -> None:
    workbook = tmp_path / "prc.ods"
    workbook.write_bytes(ods({"2018_19": [PRC_HEADER, *tvp_2018(), *prc_rows("2019/20", "Kent", "8S", [1], [1])]}))
    out = io.StringIO()
    call_command("import_official_figures", str(workbook), "--dry-run", "--published", "2019-10-17", stdout=out)
    text = out.getvalue()
    assert "Kent 2019/20: 8S quarters 1 only, not imported." in text
    assert "Thames Valley 2018/19: 1,057 (198 with injury + 859 without), 8S + 104, whole force, whole year" in text
    assert "Would import: 1 new, 0 changed, 0 unchanged." in text
    assert not OfficialFigure.objects.exists()
    sheet = tmp_path / "simple.csv"
    sheet.write_text(SIMPLE_HEADER + "Kent,2019/20,1,2,3,x\n")
    with pytest.raises(CommandError, match="--source-kind"):
        call_command("import_official_figures", str(sheet), stdout=io.StringIO())
    call_command("import_official_figures", str(sheet), "--source-kind", "force", stdout=io.StringIO())
    assert OfficialFigure.objects.get(area="E23000032").source_kind == SourceKind.FORCE


# -- the admin's import page -----------------------------------------------------------

FORM = {"source_title": "Police recorded crime 2019", "source_url": "", "published_on": "2019-10-17"}


def test_national_staff_check_a_file_see_its_values_then_import_it_without_choosing_it_again(
    national_staff: User, rep: User
) -> None:
    url = reverse("admin:reports_officialfigure_import")
    client = staff_client(national_staff)
    page = client.get(url).content.decode()
    assert 'value="' + datetime.date.today().isoformat() + '"' in page  # the date field shows today
    content = xlsx({"2018_19": [["Title"], PRC_HEADER, *tvp_2018()]})
    dry = client.post(url, {**FORM, "source_kind": "home_office", "file": SimpleUploadedFile("prc.xlsx", content)})
    text = dry.content.decode()
    assert "Thames Valley 2018/19: 1,057 (198 with injury + 859 without)" in text
    assert not OfficialFigure.objects.exists()
    [token] = re.findall(r'name="token" value="([0-9a-f-]+)"', text)
    # Nobody else can confirm it.
    assert staff_client(rep).post(url, {"token": token}).status_code == 403
    done = client.post(url, {"token": token})
    assert done.status_code == 302 and done["Location"] == reverse("admin:reports_officialfigure_changelist")
    figure = OfficialFigure.objects.get()
    assert (figure.total, figure.source_kind, figure.source_title) == (1057, "home_office", FORM["source_title"])
    assert not PendingImport.objects.exists()
    # Confirming again finds nothing waiting, and says so.
    again = client.post(url, {"token": token}, follow=True)
    assert "That checked file is no longer waiting" in again.content.decode()
    assert OfficialFigure.objects.count() == 1


def test_the_import_page_refuses_a_file_with_problems_and_keeps_nothing(national_staff: User) -> None:
    url = reverse("admin:reports_officialfigure_import")
    body = (SIMPLE_HEADER + "Thames Valley,2018/19,198,859,1058,x\n").encode()
    page = staff_client(national_staff).post(
        url, {**FORM, "source_kind": "press", "file": SimpleUploadedFile("f.csv", body)}
    )
    text = page.content.decode()
    assert "1 problem" in text and "line 2" in text and "1058 is not 198 + 859 = 1057" in text
    assert not OfficialFigure.objects.exists() and not PendingImport.objects.exists()


def test_the_figures_list_says_which_figure_is_in_use_with_force_names(national_staff: User) -> None:
    imported(prc(tvp_2018()), HOME_OFFICE)
    imported(SIMPLE_HEADER + "Thames Valley,2018/19,198,859,1057,x\n", PRESS)
    imported(SIMPLE_HEADER + "Wiltshire,2020/21,136,,,x\n", PRESS)
    page = staff_client(national_staff).get(reverse("admin:reports_officialfigure_changelist")).content.decode()
    assert "Thames Valley" in page and "Wiltshire" in page
    assert "Superseded by Home Office: “Police recorded crime, year ending March 2019”" in page
    assert "In use; shown, not compared: it counts assaults with injury (offence 8S) only" in page


def test_a_row_may_name_its_own_source_and_date_so_a_sheet_holds_several_sources_for_a_year() -> None:
    sheet = (
        "force,financial year,with injury,without injury,total,source,source kind,published\n"
        "Kent,2021/22,170,410,580,Police recorded crime PFA tables,home_office,2022-07-28\n"
        "Kent,2021/22,250,500,750,Kent Messenger,press,3 May 2022\n"
        "Kent,2021/22,250,500,750,Kent Messenger,press,3 May 2022\n"
    )
    parsed = parse_official_file(sheet)
    assert [str(problem) for problem in parsed.problems] == [
        "line 4, column 'financial year': Kent 2021/22 is already on line 3"
    ]
    plan = imported("\n".join(sheet.splitlines()[:3]), PRESS)
    assert len(plan.new) == 2
    used = official_figures_current()[("E23000032", 2021)]
    assert (used.count, used.source_title, used.published_on) == (
        580,
        "Police recorded crime PFA tables",
        datetime.date(2022, 7, 28),
    )
    press = OfficialFigure.objects.get(source_kind="press")
    assert (press.source_title, press.published_on) == ("Kent Messenger", datetime.date(2022, 5, 3))


def test_the_figures_list_filters_by_financial_year_and_finds_a_force_by_name(national_staff: User) -> None:
    imported(prc(tvp_2018()), HOME_OFFICE)
    imported(SIMPLE_HEADER + "Devon & Cornwall,2020/21,,,700,\n", PRESS)
    client = staff_client(national_staff)
    url = reverse("admin:reports_officialfigure_changelist")
    page = client.get(url)
    assert "2018/19" in page.content.decode()
    by_year = client.get(url, {"year": "2020"})
    assert by_year.status_code == 200
    assert [f.area for f in by_year.context["cl"].result_list] == ["E23000035"]
    for term in ("Devon and Cornwall", "devon & cornwall", "E23000035"):
        assert [f.area for f in client.get(url, {"q": term}).context["cl"].result_list] == ["E23000035"], term
