"""The recording check's admin pages in Chromium, as national staff use them: the draw page
(before and after the precision is shown), the check's page, the list and a confirmation,
each passing axe on a desk and on a phone, and the draw done with the keyboard's buttons only
(no JavaScript needed)."""

from __future__ import annotations

import datetime
import importlib

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group, Permission
from playwright.sync_api import Browser, expect
from pytest_django.live_server_helper import LiveServer

from incidents.choices import RecordedAsCrime, ReportedToForce
from reports.choices import CheckStatus
from reports.models import RecordingCheck
from tests.browser.conftest import PHONE, AxeChecker, staff_page
from tests.conftest import NATIONAL_GROUP, make_staff, transactional_db
from tests.factories import IncidentFactory, make_officer

pytestmark = [pytest.mark.browser, transactional_db]

CHECK_PERMISSIONS = importlib.import_module("reports.migrations.0007_recording_check_permissions").PERMISSIONS


def grant_checks() -> None:
    """What migration reports 0007 grants national staff (a transactional test's flush took it)."""
    permissions = Permission.objects.filter(content_type__app_label="reports", codename__in=CHECK_PERMISSIONS)
    Group.objects.get(name=NATIONAL_GROUP).permissions.add(*permissions)


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
    base = live_server.url
    page = staff_page(browser, base, national, start="/admin/reports/recordingcheck/add/")
    expect(page.get_by_role("heading", name="Draw a recording check")).to_be_visible()
    axe_check(page)

    page.get_by_label("Force").select_option(label="Thames Valley")
    page.get_by_label("Financial year").select_option(label="2018/19")
    page.get_by_label("Number of crime references").fill("3")
    page.get_by_label("Stratify by the officer's answer").check()
    page.get_by_role("button", name="Show how many are eligible").click()
    expect(page.get_by_text("3 of 4 crime references give the verified rate to about ±")).to_be_visible()
    assert not RecordingCheck.objects.exists()
    axe_check(page)

    page.get_by_role("button", name="Draw 3 crime references").click()
    check = RecordingCheck.objects.get()
    assert (check.stratified, check.items.count()) == (True, 3)
    expect(page.get_by_role("heading", name=f"Recording check {check.pk}")).to_be_visible()
    expect(page.get_by_role("table", name="Crime references drawn (3)")).to_be_visible()
    expect(page.get_by_role("button", name="Download sheet (XLSX)")).to_be_visible()
    for viewport in ({"width": 1280, "height": 900}, PHONE):
        page.set_viewport_size(viewport)
        axe_check(page)
        page.goto(f"{base}/admin/reports/recordingcheck/")
        expect(page.get_by_role("link", name="Thames Valley")).to_be_visible()
        axe_check(page)
        page.goto(f"{base}/admin/reports/recordingcheck/{check.pk}/change/")

    # A download of the sheet marks it sent; the page says so once reloaded.
    with page.expect_download() as download:
        page.get_by_role("button", name="Download sheet (CSV)").click()
    assert download.value.suggested_filename == f"recording-check-{check.pk}-thames-valley-2018-19.csv"
    check.refresh_from_db()
    assert check.status == CheckStatus.SENT

    page.set_viewport_size({"width": 1280, "height": 900})
    page.reload()
    page.get_by_role("button", name="Cancel check").click()
    expect(page.get_by_role("button", name="Yes, cancel this check")).to_be_visible()
    axe_check(page)
    page.get_by_label("Note for the check's history (optional)").fill("Drawn for the wrong year")
    page.get_by_role("button", name="Yes, cancel this check").click()
    expect(page.get_by_text(f"Check {check.pk} is now cancelled.")).to_be_visible()
    expect(page.get_by_role("cell", name="Drawn for the wrong year")).to_be_visible()
    axe_check(page)
    check.refresh_from_db()
    assert check.status == CheckStatus.CANCELLED
