"""The recording check's admin pages in Chromium, as national staff use them: the draw page
(before and after the precision is shown), the check's page, the list and the confirmations,
each passing axe (every impact) on a desk and on a phone, where no page scrolls sideways; the
draw done with the keyboard's buttons only (no JavaScript needed), and a double click on the
draw drawing one check."""

from __future__ import annotations

import datetime
import importlib
import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group, Permission
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from incidents.choices import RecordedAsCrime, ReportedToForce
from reports.choices import CheckFound, CheckOffence, CheckStatus
from reports.models import RecordingCheck, RecordingCheckItem
from reports.services.checks import recording_check_draw, recording_check_transition
from tests.browser.conftest import PHONE, AxeChecker, staff_page
from tests.conftest import NATIONAL_GROUP, make_staff, transactional_db
from tests.factories import IncidentFactory, make_officer

pytestmark = [pytest.mark.browser, transactional_db]

CHECK_PERMISSIONS = importlib.import_module("reports.migrations.0007_recording_check_permissions").PERMISSIONS
DESK = {"width": 1280, "height": 900}
TVP = "E23000029"


def grant_checks() -> None:
    """What migration reports 0007 grants national staff (a transactional test's flush took it)."""
    permissions = Permission.objects.filter(content_type__app_label="reports", codename__in=CHECK_PERMISSIONS)
    Group.objects.get(name=NATIONAL_GROUP).permissions.add(*permissions)


# The elements reaching past the window's right edge, for the message of a failure.
WIDER_THAN_THE_WINDOW = """
[...document.querySelectorAll("body *")]
  .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
  .slice(0, 8)
  .map((e) => `${e.tagName.toLowerCase()}.${e.className}#${e.id} ${Math.round(e.getBoundingClientRect().right)}px`)
"""


def no_sideways_scroll(page: Page) -> None:
    """The page is no wider than the window: nothing makes it scroll sideways (a wide table
    scrolls inside its own box)."""
    width, window = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    wide = page.evaluate(WIDER_THAN_THE_WINDOW)
    assert width <= window, f"{page.url} is {width} px wide in a {window} px window: {wide}"


def check_both_ways(page: Page, axe_check: AxeChecker) -> None:
    """axe on a desk and on a phone, where the page must not scroll sideways; back to the desk."""
    for viewport in (DESK, PHONE):
        page.set_viewport_size(viewport)
        axe_check(page)
    no_sideways_scroll(page)
    page.set_viewport_size(DESK)


def test_national_staff_draw_a_check_and_its_pages_pass_axe(
    browser: Browser, live_server: LiveServer, axe_check: AxeChecker
) -> None:
    grant_checks()
    national = make_staff(NATIONAL_GROUP)
    EmailAddress.objects.create(user=national, email=national.email, verified=True, primary=True)
    officer = make_officer("thames-valley")
    for said in (RecordedAsCrime.YES, RecordedAsCrime.YES, RecordedAsCrime.DONT_KNOW, RecordedAsCrime.NO):
        incident = IncidentFactory(
            officer=officer,
            occurred_on=datetime.date(2018, 9, 1),
            reported_to_force=ReportedToForce.YES,
            recorded_as_crime=said,
        )
        incident.crime_reference = f"43/{incident.pk:06d}/18"
        incident.save()
    earlier = recording_check_draw(area=TVP, year=2018, size=1, stratified=False, actor=national)
    base = live_server.url
    page = staff_page(browser, base, national, start="/admin/reports/recordingcheck/add/")
    expect(page.get_by_role("heading", name="Draw a recording check")).to_be_visible()
    check_both_ways(page, axe_check)

    page.get_by_label("Force").select_option(label="Thames Valley")
    page.get_by_label("Financial year").select_option(label="2018/19")
    page.get_by_label("Number of crime references").fill("3")
    page.get_by_label("Stratify by the officer's answer").check()
    page.get_by_role("button", name="Show how many are eligible").click()
    expect(page.get_by_text("3 of 4 crime references give the rate the registrar confirms to about ±")).to_be_visible()
    expect(page.get_by_text(f"Thames Valley 2018/19 already has check {earlier.pk} (drawn).")).to_be_visible()
    expect(page.get_by_role("link", name=f"check {earlier.pk}")).to_have_attribute(
        "href", f"/admin/reports/recordingcheck/{earlier.pk}/change/"
    )
    assert RecordingCheck.objects.count() == 1
    check_both_ways(page, axe_check)

    # A double click sends the draw twice: one check is drawn.
    page.get_by_role("button", name="Draw 3 crime references").dblclick()
    expect(page.get_by_role("heading", name=re.compile(r"^Recording check [0-9]+$"))).to_be_visible()
    check = RecordingCheck.objects.exclude(pk=earlier.pk).get()
    expect(page.get_by_role("heading", name=f"Recording check {check.pk}")).to_be_visible()
    assert (check.stratified, check.items.count()) == (True, 3)
    expect(page.get_by_role("table", name="Crime references drawn (3)")).to_be_visible()
    expect(page.get_by_role("table", name="What the check found")).to_be_visible()
    expect(page.get_by_role("button", name="Download sheet (XLSX)")).to_be_visible()
    expect(page.get_by_role("button", name="Import answers")).to_be_visible()
    first = check.items.select_related("incident").order_by("row_id").first()
    assert first is not None and first.incident is not None
    expect(page.get_by_role("link", name=first.incident.crime_reference)).to_have_attribute(
        "href", f"/admin/incidents/incident/{first.incident.pk}/change/"
    )
    check_both_ways(page, axe_check)
    page.get_by_role("button", name="Import answers").click()
    expect(
        page.get_by_role("heading", name=f"Import the registrar's answers: recording check {check.pk}")
    ).to_be_visible()
    page.goto(f"{base}/admin/reports/recordingcheck/")
    expect(page.get_by_role("link", name=str(check.pk), exact=True)).to_be_visible()
    check_both_ways(page, axe_check)
    page.goto(f"{base}/admin/reports/recordingcheck/{check.pk}/change/")

    # A download of the sheet marks it sent; the page says so once reloaded.
    with page.expect_download() as download:
        page.get_by_role("button", name="Download sheet (CSV)").click()
    assert download.value.suggested_filename == f"recording-check-{check.pk}-thames-valley-2018-19.csv"
    check.refresh_from_db()
    assert check.status == CheckStatus.SENT

    page.reload()
    page.get_by_role("button", name="Cancel check").click()
    expect(page.get_by_role("button", name="Yes, cancel this check")).to_be_visible()
    check_both_ways(page, axe_check)
    page.get_by_label("Note for the check's history (optional)").fill("Drawn for the wrong year")
    page.get_by_role("button", name="Yes, cancel this check").click()
    expect(page.get_by_text(f"Check {check.pk} is now cancelled.")).to_be_visible()
    expect(page.get_by_role("cell", name="Drawn for the wrong year")).to_be_visible()
    check_both_ways(page, axe_check)
    check.refresh_from_db()
    assert check.status == CheckStatus.CANCELLED


def test_using_a_check_shows_what_it_found_and_its_pages_fit_a_phone(
    browser: Browser, live_server: LiveServer, axe_check: AxeChecker
) -> None:
    grant_checks()
    national = make_staff(NATIONAL_GROUP)
    EmailAddress.objects.create(user=national, email=national.email, verified=True, primary=True)
    officer = make_officer("thames-valley")
    for _ in range(3):
        incident = IncidentFactory(
            officer=officer, occurred_on=datetime.date(2018, 9, 1), reported_to_force=ReportedToForce.YES
        )
        # A long crime reference with no break in it: it wraps rather than widen the page.
        incident.crime_reference = f"TVP{incident.pk:06d}WXYZ0123456789ABCDEFGH"
        incident.save()
    check = recording_check_draw(area=TVP, year=2018, size=3, stratified=False, actor=national)
    answered = check.items.order_by("row_id").first()
    assert answered is not None
    RecordingCheckItem.objects.filter(pk=answered.pk).update(
        found=CheckFound.YES,
        offence=CheckOffence.OTHER,
        offence_other="Public order, section 4A, causing intentional harassment",
        recorded_on=datetime.date(2018, 10, 2),
        answered_at=timezone.now(),
    )
    recording_check_transition(check, to=CheckStatus.ANSWERED, actor=national, note="x" * 200)
    page = staff_page(browser, live_server.url, national, start=f"/admin/reports/recordingcheck/{check.pk}/change/")
    expect(page.get_by_role("heading", name=f"Recording check {check.pk}")).to_be_visible()
    check_both_ways(page, axe_check)
    page.set_viewport_size(PHONE)
    no_sideways_scroll(page)  # the seed, the crime references and the history's note wrap
    page.set_viewport_size(DESK)

    page.get_by_role("button", name="Use in the figures").click()
    expect(page.get_by_role("button", name="Yes, use it in the figures")).to_be_visible()
    expect(page.get_by_role("table", name="What the check found")).to_be_visible()
    expect(page.get_by_text("a check of fewer than 50 answered references leaves the estimate")).to_be_visible()
    expect(page.get_by_role("link", name="the method, section 8.11")).to_have_attribute(
        "href", "/dashboard/method/#recording-check"
    )
    expect(page.get_by_text("2 of the 3 crime references drawn have no answer: the rates rest")).to_be_visible()
    check_both_ways(page, axe_check)
    page.get_by_role("button", name="Yes, use it in the figures").click()
    expect(page.get_by_text(f"Check {check.pk} is now used in the figures.")).to_be_visible()
    check.refresh_from_db()
    assert check.status == CheckStatus.USED
