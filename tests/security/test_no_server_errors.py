"""Findings 5 and 6 of the outside probe (issue 14): no input reaches a 500.

5. Officers: another officer's one-time key posted again (``AttributeError`` on
   ``message_dict``), a NUL byte in a reference on PostgreSQL (``/reports/%00/``).
6. Staff: the importer on a binary file, a workbook renamed ``.csv``, a CSV with an unclosed
   quotation mark swallowing 200 KB (``_csv.Error``), in the admin and the command. (The
   review list's parameters are in test_review_list_parameters.py.)

Then property tests: the officer's addresses with any reference, step and query; the review
list and its exports with any parameter; the importer with any bytes. The test client raises
any exception a view lets out, so a 500 fails the example that caused it.
"""

from __future__ import annotations

import io
import os
import re
import uuid
import zipfile
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incidents.admin.filters import REVIEW_LIST_PARAMETERS
from incidents.models import Incident, StaffAccess, User
from reports.importing import parse_official_file
from reports.models import OfficerStrength, OfficialFigure
from tests.conftest import quick_post, staff_client
from tests.factories import IncidentFactory
from tests.reports.workbooks import xlsx

pytestmark = pytest.mark.django_db

HYPOTHESIS = settings(
    max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
QUICK = reverse("incidents:quick")
KEY = re.compile(r'name="submission_key" value="([^"]+)"')


# -- officers ----------------------------------------------------------------------------


@pytest.mark.parametrize("url_name", ["incidents:quick", "incidents:new"])
def test_another_officers_one_time_key_is_a_form_message_with_a_fresh_key(
    officer: User, colleague: User, url_name: str
) -> None:
    url = reverse(url_name)
    key = str(uuid.uuid4())
    theirs = Client()
    theirs.force_login(colleague)
    data = quick_post(submission_key=key) if url_name == "incidents:quick" else {"occurred_on": "2026-01-05"}
    data["submission_key"] = key
    assert theirs.post(url, data).status_code == 302
    mine = Client()
    mine.force_login(officer)
    response = mine.post(url, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "This form has expired. Check your answers and send it again." in page
    [fresh] = KEY.findall(page)
    assert fresh != key
    assert not Incident.objects.filter(officer=officer).exists()
    # Sent again as drawn, with the answers it kept, it files once.
    assert mine.post(url, {**data, "submission_key": fresh}).status_code == 302
    assert Incident.objects.filter(officer=officer).count() == 1


@pytest.mark.parametrize(
    "path",
    [
        "/reports/%00/",
        "/reports/AL-2026-%00ABC/edit/1/",
        "/reports/%00/withdraw/",
        "/reports/?page=%00",
        "/report/quick/?next=%00",
        "/dashboard/?year=%00",
        "/dashboard/%00/",
    ],
)
def test_a_nul_byte_in_an_address_is_a_clear_400(officer_client: Client, path: str) -> None:
    response = officer_client.get(path)
    assert response.status_code == 400
    assert "The address or form holds a character that cannot be used." in response.content.decode()


def test_a_nul_byte_in_a_form_is_refused_and_files_nothing(officer: User, officer_client: Client) -> None:
    response = officer_client.post(QUICK, quick_post(note="spat at\x00"))
    assert response.status_code == 400
    assert not Incident.objects.filter(officer=officer).exists()


references = st.text(max_size=40).filter(lambda text: "/" not in text and text not in ("", ".", ".."))
queries = st.dictionaries(
    st.sampled_from(["page", "year", "sort", "dir", "format", "table", "next", "q"]),
    st.one_of(st.text(max_size=30), st.integers().map(str)),
    max_size=3,
)


@HYPOTHESIS
@given(reference=references, step=st.integers(min_value=0, max_value=10**20), query=queries)
def test_officer_addresses_never_fail_on_any_reference_step_or_query(
    officer: User, officer_client: Client, reference: str, step: int, query: dict[str, str]
) -> None:
    own = Incident.objects.filter(officer=officer).first() or IncidentFactory(officer=officer)
    reference = quote(reference, safe="")
    for path in (
        f"/reports/{reference}/",
        f"/reports/{reference}/edit/{step}/",
        f"/reports/{own.reference}/edit/{step}/",
        f"/reports/{reference}/check/",
        f"/reports/{reference}/submitted/",
        f"/reports/{reference}/withdraw/",
        "/reports/",
        "/dashboard/",
        f"/dashboard/{reference}/",
    ):
        response = officer_client.get(path, query)
        assert response.status_code in (200, 301, 302, 400, 403, 404), (path, query, response.status_code)
    cache.clear()  # the filing rate limit: each example starts afresh
    response = officer_client.post(f"/reports/{reference}/answer/", {"answer": reference})
    assert response.status_code in (302, 400, 404)


# -- staff: the review list --------------------------------------------------------------

names = st.one_of(
    st.sampled_from(sorted(REVIEW_LIST_PARAMETERS)),
    st.sampled_from(["officer", "officer__id__exact", "share_identity", "narrative", "_popup", "_facets"]),
    st.text(max_size=20),
)
values = st.one_of(
    st.text(max_size=30),
    st.integers().map(str),
    st.sampled_from(["", "0", "-1", "1.5", "99999999999999999999", "submitted", "spit", "me", "2025", "\x00"]),
)


@HYPOTHESIS
@given(parameters=st.lists(st.tuples(names, values), max_size=4))
def test_the_review_list_and_its_exports_never_fail_on_any_parameters(
    national_staff: User, officer: User, parameters: list[tuple[str, str]]
) -> None:
    IncidentFactory(officer=officer)
    client = staff_client(national_staff)
    query = "&".join(f"{_quote(name)}={_quote(value)}" for name, value in parameters)
    exported = StaffAccess.objects.filter(action="exported").count()
    for url in (
        reverse("admin:incidents_incident_changelist"),
        reverse("admin:incidents_incident_export", args=["csv"]),
    ):
        response = client.get(f"{url}?{query}")
        assert response.status_code in (200, 302, 400), (url, query, response.status_code)
    assert StaffAccess.objects.filter(action="exported").count() <= exported + 1
    cache.clear()  # the export rate limit


def _quote(text: str) -> str:
    return quote(text, safe="")


# -- staff: the importer -----------------------------------------------------------------


def workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


UNCLOSED = b'force,financial year,with injury,without injury,total,source\nKent,2019/20,1,2,3,"' + b"x" * 200_000
BAD_FILES = {
    "binary": (bytes(range(256)) * 40, "this file is not a spreadsheet or CSV text"),
    "broken workbook": (workbook(), "this file is a ZIP archive that is not a readable workbook"),
    "old Excel workbook, broken": (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600,
        "this file is an Office file that is not a readable workbook",
    ),
    "PDF": (b"%PDF-1.7\n" + bytes(range(256)), "this file is a PDF document, not a spreadsheet"),
    "unclosed quotation mark": (UNCLOSED, "is a quotation mark left open above?"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_the_importer_refuses_a_file_it_cannot_read_with_a_clear_message(
    national_staff: User, tmp_path: Path, name: str
) -> None:
    content, message = BAD_FILES[name]
    parsed = parse_official_file(content)
    assert [message in str(problem) for problem in parsed.problems] == [True]
    # The admin's import page says so, and imports nothing.
    form = {"source_title": "A release", "source_url": "", "published_on": "2019-07-18", "source_kind": "press"}
    page = staff_client(national_staff).post(
        reverse("admin:reports_officialfigure_import"), {**form, "file": SimpleUploadedFile("figures.csv", content)}
    )
    assert page.status_code == 200
    assert message in page.content.decode().replace("&#x27;", "'").replace("&quot;", '"')
    # So does the command.
    path = tmp_path / "figures.csv"
    path.write_bytes(content)
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_official_figures", str(path), stderr=io.StringIO())
    assert not OfficialFigure.objects.exists() and not OfficerStrength.objects.exists()


@pytest.mark.parametrize(
    "content",
    [
        xlsx({"figures": [["force", "financial year", "total"], ["Kent", "2019/20", 3]]}),
        "force,financial year,total\nKent,2019/20,3\n".encode("utf-16"),  # Excel's "Unicode text"
        "force;financial year;total\nKent;2019/20;3\n".encode("cp1252"),  # European Excel's CSV
    ],
    ids=["XLSX renamed .csv", "UTF-16 text", "semicolons"],
)
def test_a_readable_spreadsheet_is_read_whatever_its_name_or_encoding(content: bytes) -> None:
    parsed = parse_official_file(content)
    assert parsed.problems == []
    assert [(row.area, row.financial_year, row.total) for row in parsed.figures] == [("E23000032", 2019, 3)]


HEADERS = [
    "Financial Year,Financial Quarter,Force Name,Offence Description,Offence Group,Offence Subgroup,Offence Code,"
    "Number of Offences",
    "force,financial year,with injury,without injury,total,source",
    "code,as_at,officers_fte,officers_headcount,source_url",
    "Financial Year,Force Name,Worker Type,Total (FTE),Total (Headcount),As at 31 March",
]
cells = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        ["Kent", "2019/20", "1", "2", "8S", "104", "police officer", "2019-03-31", "NaN", "Infinity", "1e999999999"]
    ),
    st.integers().map(str),
    st.floats(allow_nan=True).map(str),
)


@HYPOTHESIS
@given(header=st.sampled_from(HEADERS), rows=st.lists(st.lists(cells, max_size=9), max_size=6))
def test_the_importer_never_fails_on_any_cells(header: str, rows: list[list[str]]) -> None:
    text = header + "\n" + "\n".join(",".join(f'"{cell}"' if "," in cell else cell for cell in row) for row in rows)
    parse_official_file(text.encode())


@HYPOTHESIS
@given(content=st.binary(max_size=2000))
def test_the_importer_never_fails_on_any_bytes(content: bytes) -> None:
    parse_official_file(content)
    parse_official_file(HEADERS[1].encode() + b"\n" + content)
