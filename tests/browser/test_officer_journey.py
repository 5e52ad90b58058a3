"""An officer's whole first use, in a real browser on a phone-sized screen."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from incidents.choices import Status
from incidents.models import Incident, User
from tests.browser.conftest import PHONE, AxeChecker
from tests.conftest import transactional_db
from tests.factories import PASSWORD, IncidentFactory, make_officer

pytestmark = [pytest.mark.browser, transactional_db]


def sign_in(page: Page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()


def verified_officer() -> User:
    officer = make_officer("thames-valley")
    EmailAddress.objects.create(user=officer, email=officer.email, verified=True, primary=True)
    return officer


def test_officer_signs_up_quick_logs_a_spit_and_adds_detail(
    page: Page, live_server: LiveServer, axe_check: AxeChecker
) -> None:
    base = live_server.url

    # Sign up with a force e-mail address.
    page.goto(f"{base}/")
    axe_check(page)
    page.get_by_role("link", name="Sign up with your force e-mail").click()
    axe_check(page)
    page.get_by_label("Work e-mail address").fill("pc.morgan@thamesvalley.police.uk")
    page.get_by_label("Your name").fill("PC Sam Morgan")
    page.get_by_label("Your usual duty").select_option("response")
    page.get_by_label("Length of service").select_option("2_5")
    page.locator("#id_password1").fill("night-shift-passphrase")
    page.locator("#id_password2").fill("night-shift-passphrase")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    axe_check(page)

    # Verify through the link in the e-mail; that signs the officer in.
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[-1].body)
    assert link, mail.outbox[-1].body
    page.goto(link.group(0))
    axe_check(page)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", name="Hello, PC Sam Morgan")).to_be_visible()

    # Sign out, and back in through the login page.
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign in").click()
    axe_check(page)
    page.locator("#id_login").fill("pc.morgan@thamesvalley.police.uk")
    page.locator("#id_password").fill("night-shift-passphrase")
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", name="Hello, PC Sam Morgan")).to_be_visible()

    # Quick log: a spit, no injury, not reported.
    page.get_by_role("link", name="Log an assault quickly").click()
    expect(page.get_by_role("heading", name="Log an assault")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Log it").click()  # nothing filled in: the error summary
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    axe_check(page)
    page.get_by_label("Spit or bodily fluid").check()
    page.get_by_label("No injury").check()
    page.get_by_role("group", name="Did you report it to your force?").get_by_label("No", exact=True).check()
    page.get_by_role("button", name="Log it").click()

    expect(page.get_by_role("heading", name="Report logged")).to_be_visible()
    reference = page.locator(".reference-big").inner_text().strip()
    assert re.fullmatch(r"AL-\d{4}-[0-9A-Z]{6}", reference)
    axe_check(page)

    # It is in My reports.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My reports").click()
    expect(page.get_by_text(reference)).to_be_visible()
    axe_check(page)
    page.get_by_text(reference).click()
    expect(page.get_by_role("heading", name=f"Report {reference}")).to_be_visible()
    axe_check(page)

    # Add detail through the full report.
    page.get_by_role("link", name="Add detail or change it").click()
    page.get_by_label("Custody suite").check()
    axe_check(page)
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_label("Days off work because of it (optional)").fill("0")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("group", name="Were you single-crewed?").get_by_label("Yes").check()
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("group", name="Under the influence of alcohol or drugs?").get_by_label("Yes").check()
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_label("Too minor").check()
    axe_check(page)
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_label("What happened, in your own words (optional)").fill("Spat at while booking a detainee in.")
    axe_check(page)
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.get_by_text(f"Your changes to {reference} are saved.")).to_be_visible()
    expect(page.get_by_text("Spat at while booking a detainee in.")).to_be_visible()
    axe_check(page)

    incident = Incident.objects.get(reference=reference)
    assert incident.status == Status.SUBMITTED
    assert incident.setting == "custody_suite"
    assert incident.single_crewed == "yes"
    assert incident.offender_intoxicated == "yes"
    assert list(incident.not_reported_reasons.values_list("reason", flat=True)) == ["too_minor"]
    assert incident.officer.officer_profile.force.slug == "thames-valley"
    assert len(axe_check.pages) >= 12


def test_quick_log_works_without_javascript(browser: Browser, live_server: LiveServer) -> None:
    base = live_server.url
    officer = verified_officer()
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    sign_in(page, base, officer.email)
    page.goto(f"{base}/report/quick/")
    page.get_by_label("Punch or strike").check()
    page.get_by_label("Minor (bruise or scratch)").check()
    page.get_by_role("group", name="Did you report it to your force?").get_by_label("Yes").check()
    page.get_by_role("button", name="Log it").click()
    expect(page.get_by_role("heading", name="Report logged")).to_be_visible()
    context.close()
    assert Incident.objects.filter(officer=officer, status=Status.SUBMITTED).count() == 1


def test_touch_targets_are_at_least_44px(page: Page, live_server: LiveServer) -> None:
    base = live_server.url
    officer = verified_officer()
    sign_in(page, base, officer.email)
    page.goto(f"{base}/report/quick/")
    small = page.evaluate(
        """() => [...document.querySelectorAll('main .form-check, main button, main .btn, main input.form-control')]
            .map(el => [el.textContent.trim() || el.name || el.id, el.getBoundingClientRect().height])
            .filter(([, height]) => height < 44)"""
    )
    assert small == []


def test_screenshots_of_the_quick_log_and_my_reports(page: Page, live_server: LiveServer, tmp_path: Path) -> None:
    """Regenerate the README's pictures with SCREENSHOTS_DIR=docs/screenshots make test."""
    base = live_server.url
    target = Path(os.environ.get("SCREENSHOTS_DIR") or tmp_path)
    target.mkdir(parents=True, exist_ok=True)
    officer = verified_officer()
    for kinds, injury in (
        (["spit"], "none"),
        (["push", "trip"], "minor"),
        (["punch"], "medical"),
        (["threat"], "none"),
    ):
        IncidentFactory(officer=officer, assaults=kinds, injury=injury)
    sign_in(page, base, officer.email)
    page.goto(f"{base}/report/quick/")
    page.get_by_label("Spit or bodily fluid").check()
    page.screenshot(path=target / "quick-log.png", full_page=True)
    page.goto(f"{base}/reports/")
    page.screenshot(path=target / "my-reports.png", full_page=True)
    for name in ("quick-log.png", "my-reports.png"):
        assert (target / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_answers_typed_when_the_session_expired_are_kept(page: Page, live_server: LiveServer) -> None:
    base = live_server.url
    officer = verified_officer()
    incident = IncidentFactory(officer=officer)
    sign_in(page, base, officer.email)
    page.goto(f"{base}/reports/{incident.reference}/edit/4/")
    page.get_by_label("How many offenders?").fill("3")
    page.get_by_role("group", name="Under 18?").get_by_label("Yes").check()

    page.context.clear_cookies(name="sessionid")  # the session expires mid-form
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", name="Sign In")).to_be_visible()
    page.locator("#id_login").fill(officer.email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()

    # Back on the same step, with what was typed.
    expect(page.get_by_text("and did not send")).to_be_visible()
    expect(page.get_by_label("How many offenders?")).to_have_value("3")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", name="Reporting it")).to_be_visible()
    incident.refresh_from_db()
    assert (incident.offender_count, incident.offender_under_18) == (3, "yes")

    # Once saved, going back shows the saved answers with no stale restore.
    page.goto(f"{base}/reports/{incident.reference}/edit/4/")
    expect(page.get_by_label("How many offenders?")).to_have_value("3")
    expect(page.get_by_text("and did not send")).to_have_count(0)


def test_a_logged_quick_log_is_not_restored_onto_the_next_one(page: Page, live_server: LiveServer) -> None:
    base = live_server.url
    officer = verified_officer()
    sign_in(page, base, officer.email)
    for kind in ("Kick", "Bite"):
        page.goto(f"{base}/report/quick/")
        expect(page.get_by_text("and did not send")).to_have_count(0)
        page.get_by_label(kind).check()
        page.get_by_label("No injury").check()
        page.get_by_role("group", name="Did you report it to your force?").get_by_label("Not yet").check()
        page.get_by_role("button", name="Log it").click()
        expect(page.get_by_role("heading", name="Report logged")).to_be_visible()
    kinds = sorted(Incident.objects.filter(officer=officer).values_list("assaults__kind", flat=True))
    assert kinds == ["bite", "kick"]


def test_a_quick_log_left_and_reopened_says_when_it_was_started_and_can_start_again(
    page: Page, live_server: LiveServer, axe_check: AxeChecker
) -> None:
    base = live_server.url
    officer = verified_officer()
    sign_in(page, base, officer.email)
    page.goto(f"{base}/report/quick/")
    page.get_by_label("Kick").check()
    page.get_by_label("Anything to add? (optional)").fill("Kicked at the front desk")
    page.goto(f"{base}/reports/")  # left without sending

    page.goto(f"{base}/report/quick/")
    started = page.get_by_role("status").filter(has_text="did not send")
    expect(started).to_contain_text(re.compile(r"These are the answers you started at \d\d:\d\d today"))
    expect(page.get_by_label("Kick")).to_be_checked()
    axe_check(page)
    started.get_by_role("button", name="Start again").click()
    expect(page.get_by_label("Kick")).not_to_be_checked()
    expect(page.get_by_label("Anything to add? (optional)")).to_have_value("")
    expect(started).to_have_count(0)
    page.reload()  # what was kept is gone, not just hidden
    expect(page.get_by_text("did not send")).to_have_count(0)
    expect(page.get_by_label("Kick")).not_to_be_checked()
    assert not Incident.objects.filter(officer=officer).exists()


def test_a_csp_violation_is_reported_and_caught(
    page: Page, live_server: LiveServer, fail_on_csp_violation: Any
) -> None:
    """The guard itself: an inline script and a foreign image are blocked and reported."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.evaluate(
        """() => {
            const s = document.createElement('script'); s.textContent = 'window.ran = 1'; document.body.append(s);
            const i = document.createElement('img'); i.src = 'https://tracker.invalid/x.png'; document.body.append(i);
        }"""
    )
    assert page.evaluate("() => window.ran") is None  # the inline script did not run
    for _ in range(50):
        if len(fail_on_csp_violation.messages) >= 2:
            break
        page.wait_for_timeout(100)
    assert any("directive=script-src" in m for m in fail_on_csp_violation.messages)
    assert any("blocked=tracker.invalid" in m for m in fail_on_csp_violation.messages)
    fail_on_csp_violation.messages.clear()  # expected here: do not fail this test


def test_officer_downloads_their_data_and_closes_their_account(
    page: Page, live_server: LiveServer, axe_check: AxeChecker
) -> None:
    base = live_server.url
    officer = verified_officer()
    report = IncidentFactory(officer=officer, narrative="Bitten on the arm in the van")
    sign_in(page, base, officer.email)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Profile").click()
    expect(page.get_by_role("heading", name="Your data")).to_be_visible()
    axe_check(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as JSON").click()
    assert "Bitten on the arm in the van" in Path(download.value.path()).read_text()

    page.get_by_role("link", name="Close your account").click()
    expect(page.get_by_role("heading", name="Close your account")).to_be_visible()
    axe_check(page)
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Close my account").click()  # the box is not ticked
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    axe_check(page)
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_label("I understand my account and my name on my reports are erased for good").check()
    page.get_by_role("button", name="Close my account").click()

    expect(page.get_by_text("Your account is closed.")).to_be_visible()
    axe_check(page)
    assert not User.objects.filter(pk=officer.pk).exists()
    report.refresh_from_db()
    assert report.officer_id is None and report.narrative == ""


def test_the_too_many_requests_page_is_accessible(
    page: Page, live_server: LiveServer, axe_check: AxeChecker, settings: Any
) -> None:
    settings.REPORT_SUBMIT_RATE = "1/h"
    base = live_server.url
    officer = verified_officer()
    sign_in(page, base, officer.email)
    for attempt in range(2):
        page.goto(f"{base}/report/quick/")
        page.get_by_label("Spit or bodily fluid").check()
        page.get_by_label("No injury").check()
        page.get_by_role("group", name="Did you report it to your force?").get_by_label("No", exact=True).check()
        page.get_by_role("button", name="Log it").click()
        if attempt == 0:
            expect(page.get_by_role("heading", name="Report logged")).to_be_visible()
    expect(page.get_by_role("heading", name="Please wait before trying again")).to_be_visible()
    axe_check(page)
    assert Incident.objects.filter(officer=officer).count() == 1
    # What was typed is not lost: back on the form (the limit lifted), it is filled in again.
    settings.REPORT_SUBMIT_RATE = "100/h"
    page.goto(f"{base}/report/quick/")
    expect(page.get_by_text("and did not send")).to_be_visible()
    expect(page.get_by_label("Spit or bodily fluid")).to_be_checked()
    page.get_by_role("button", name="Log it").click()
    # The same answers as the first, a minute ago: asked, and "Log another" files it.
    expect(page.get_by_role("heading", name="Is this the same assault?")).to_be_visible()
    page.get_by_role("button", name="Log another").click()
    expect(page.get_by_role("heading", name="Report logged")).to_be_visible()
    assert Incident.objects.filter(officer=officer).count() == 2
