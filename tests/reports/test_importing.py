"""The importer on good files and on each kind of bad file (nothing written)."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from incidents.models import User
from reports.importing import PRC, SIMPLE, STRENGTH, WORKFORCE, parse_official_file
from reports.models import NATIONAL, OfficerStrength, OfficialFigure
from reports.services import ImportRefused, official_figures_import

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parents[2] / "reports" / "data"
PRC_HEADER = (
    "Financial Year,Financial Quarter,Force Name,Offence Description,Offence Group,Offence Subgroup,"
    "Offence Code,Number of Offences\n"
)
RELEASE = {"source_title": "Police workforce, England and Wales", "published_on": datetime.date(2019, 7, 18)}


def prc(rows: list[str]) -> str:
    return PRC_HEADER + "\n".join(rows) + "\n"


def quarters(year: str, force: str, code: str, counts: list[int]) -> list[str]:
    return [f"{year},{q},{force},x,Violence,x,{code},{n}" for q, n in enumerate(counts, start=1)]


def test_recorded_crime_table_sums_quarters_of_8s_and_104() -> None:
    text = prc(
        quarters("2018/19", "Thames Valley", "8S", [50, 50, 48, 50])
        + quarters("2018_19", "Thames Valley", "104", [200, 220, 219, 220])
        + quarters("2018-19", "Thames Valley", "105A", [999, 1, 1, 1])  # another offence
        + ["2018/19,1,Action Fraud,Fraud,Fraud,x,104,12", "2018/19,1,CIFAS,Fraud,Fraud,x,8S,3"]
    )
    parsed = parse_official_file(text)
    assert parsed.kind == PRC
    assert parsed.problems == []
    (row,) = parsed.figures
    assert (row.area, row.financial_year, row.with_injury, row.without_injury, row.total) == (
        "E23000029",
        2018,
        198,
        859,
        1057,
    )


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("London, City of", "E23000034"),
        ("Devon & Cornwall", "E23000035"),
        ("Devon and Cornwall", "E23000035"),
        ("Hampshire and Isle of Wight", "E23000030"),
        ("Metropolitan Police Service", "E23000001"),
        ("Metropolitan", "E23000001"),
        ("British Transport Police", "BTP"),
    ],
)
def test_force_name_variants_map_to_the_force(name: str, code: str) -> None:
    parsed = parse_official_file(prc(quarters("2019/20", f'"{name}"', "104", [1, 1, 1, 1])))
    assert parsed.problems == []
    assert parsed.figures[0].area == code


def test_workforce_table_sums_officer_fte_per_force() -> None:
    text = (
        "As at 31 March,Geocode,Force name,Region,Sex,Rank,Worker type,Total (Headcount),Total (FTE)\n"
        "31-Mar-19,E23000029,Thames Valley,South East,Female,Constable,Police officer,1000,950.5\n"
        "31-Mar-19,E23000029,Thames Valley,South East,Male,Sergeant,Police officer,3000,2998.73\n"
        "31-Mar-19,E23000029,Thames Valley,South East,Male,Staff,Police staff,2000,1900\n"
    )
    parsed = parse_official_file(text)
    assert parsed.kind == WORKFORCE
    (row,) = parsed.strengths
    assert (row.area, row.as_at, str(row.officers_fte), row.officers_headcount) == (
        "E23000029",
        datetime.date(2019, 3, 31),
        "3949.23",
        4000,
    )


def test_the_bundled_files_parse_cleanly() -> None:
    by_force = parse_official_file((DATA / "official_assaults_by_force.csv").read_bytes())
    national = parse_official_file((DATA / "official_assaults_national.csv").read_bytes())
    strength = parse_official_file((DATA / "officer_strength.csv").read_bytes())
    assert (by_force.kind, national.kind, strength.kind) == (SIMPLE, SIMPLE, STRENGTH)
    assert by_force.problems == national.problems == strength.problems == []
    assert {row.area for row in national.figures} == {NATIONAL}
    tvp = next(r for r in by_force.figures if (r.area, r.financial_year) == ("E23000029", 2018))
    assert (tvp.with_injury, tvp.without_injury, tvp.total) == (198, 859, 1057)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("Narnia,2018/19,1,2,3,src", "'Narnia' is not a force we know"),
        ("Kent,2018/20,1,2,3,src", "is not a financial year"),
        ("Kent,2018/19,-4,2,,src", "-4 is negative"),
        ("Kent,2018/19,lots,2,,src", "'lots' is not a whole number"),
        ("Kent,2018/19,1,2,4,src", "4 is not 1 + 2 = 3"),
        ("Kent,2018/19,,,,src", "no count at all"),
    ],
)
def test_each_kind_of_bad_line_is_reported_with_its_line_and_column_and_nothing_is_imported(
    line: str, message: str
) -> None:
    text = "force,financial year,with injury,without injury,total,source\nSurrey,2018/19,10,20,30,src\n" + line + "\n"
    parsed = parse_official_file(text)
    assert len(parsed.problems) == 1
    problem = parsed.problems[0]
    assert problem.line == 3
    assert message in problem.message
    with pytest.raises(ImportRefused):
        official_figures_import(parsed=parsed, **RELEASE)
    assert not OfficialFigure.objects.exists()


def test_unknown_format_is_refused() -> None:
    parsed = parse_official_file("name,colour\nx,blue\n")
    assert parsed.problems[0].message.startswith("the header matches none")


def test_import_is_idempotent_and_a_newer_release_supersedes_the_older() -> None:
    text = (
        "force,financial year,with injury,without injury,total,source\nThames Valley,2020/21,,,1101,https://a.example\n"
    )
    first = official_figures_import(parsed=parse_official_file(text), **RELEASE)
    again = official_figures_import(parsed=parse_official_file(text), **RELEASE)
    assert (len(first.new), again.changes, again.unchanged) == (1, 0, 1)
    assert OfficialFigure.objects.count() == 1

    revised = text.replace("1101", "1110")
    preview = official_figures_import(
        parsed=parse_official_file(revised),
        source_title="Revised",
        published_on=datetime.date(2022, 7, 1),
        dry_run=True,
    )
    assert preview.new == ["E23000029 2020"]
    assert preview.supersedes == ["E23000029 2020: 1101 (Police workforce, England and Wales, 2019-07-18)"]
    assert OfficialFigure.objects.count() == 1  # a dry run writes nothing
    official_figures_import(
        parsed=parse_official_file(revised), source_title="Revised", published_on=datetime.date(2022, 7, 1)
    )
    assert OfficialFigure.objects.count() == 2  # the older release stays


def test_strength_import_and_the_management_command(tmp_path: Path) -> None:
    path = tmp_path / "strength.csv"
    path.write_text(
        "code,as_at,officers_fte,officers_headcount,source_url\nE23000029,2019-03-31,4149.23,4300,https://x\n"
    )
    call_command("import_official_figures", str(path), "--published", "2019-07-18")
    assert str(OfficerStrength.objects.get().officers_fte) == "4149.23"
    bad = tmp_path / "bad.csv"
    bad.write_text("code,as_at,officers_fte,officers_headcount,source_url\nE23000029,2019-04-30,4149.23,,\n")
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_official_figures", str(bad))
    assert OfficerStrength.objects.count() == 1


def test_national_staff_import_through_the_admin_with_a_dry_run_first(national_staff: User, rep: User) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from tests.conftest import staff_client

    url = reverse("admin:reports_officialfigure_import")
    body = b"force,financial year,with injury,without injury,total,source\nThames Valley,2018/19,198,859,1057,https://x.example\n"
    form = {"source_title": "Police workforce 2019", "source_url": "", "published_on": "2019-07-18"}
    client = staff_client(national_staff)
    dry = client.post(url, {**form, "file": SimpleUploadedFile("f.csv", body)})
    assert "Dry run: 1 new" in dry.content.decode()
    assert not OfficialFigure.objects.exists()
    done = client.post(url, {**form, "confirm": "on", "file": SimpleUploadedFile("f.csv", body)})
    assert done.status_code == 302
    assert OfficialFigure.objects.get().total == 1057
    bad = client.post(
        url, {**form, "confirm": "on", "file": SimpleUploadedFile("f.csv", body.replace(b"1057", b"1058"))}
    )
    assert "1 problem" in bad.content.decode() and "line 2" in bad.content.decode()
    assert OfficialFigure.objects.get().total == 1057
    assert staff_client(rep).get(url).status_code == 403
