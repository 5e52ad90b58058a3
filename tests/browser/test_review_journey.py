"""A rep reviews a report in the admin while its officer answers on their phone."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from incidents.choices import Status
from incidents.models import User
from tests.browser.conftest import PHONE, AxeChecker, staff_page
from tests.conftest import REPS_GROUP, make_staff, transactional_db
from tests.factories import PASSWORD, IncidentFactory, force, make_officer

pytestmark = [pytest.mark.browser, transactional_db]


def verified(user: User) -> User:
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def assert_fits(page: Page, selector: str) -> None:
    """The element is as wide as it shows: no part of it behind a sideways scroll."""
    sizes = page.evaluate(
        f"""(() => {{
            const table = document.querySelector("{selector}");
            const box = table.closest(".results") || table.parentElement;
            return [table.scrollWidth, box.clientWidth, document.documentElement.scrollWidth, window.innerWidth];
        }})()"""
    )
    table, box, document, window = sizes
    assert table <= box and document <= window, f"{selector}: {table} px in {box} px; page {document} in {window}"


def save_and_continue(page: Page) -> None:
    page.locator("input[name=_continue]").first.click()  # at the top and the bottom of the form
    expect(page.locator(".messagelist")).to_be_visible()


def test_rep_reviews_asks_a_question_and_verifies(
    browser: Browser, live_server: LiveServer, axe_check: AxeChecker, tmp_path: Path
) -> None:
    base = live_server.url
    shots = Path(os.environ.get("SCREENSHOTS_DIR") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    officer = verified(make_officer("thames-valley"))
    rep = verified(make_staff(REPS_GROUP, force("thames-valley")))
    for kinds in (["push"], ["spit"], ["kick", "trip"]):
        IncidentFactory(officer=make_officer("thames-valley"), assaults=kinds)
    report = IncidentFactory(officer=officer, assaults=["punch"], injury="minor", place="High Street")

    # The rep signs in with a password, then a TOTP code.
    rep_page = staff_page(browser, base, rep)
    expect(rep_page.get_by_role("heading", name="Federation review")).to_be_visible()

    # The newest unreviewed report is first in the queue, and at 1280 px every column a rep
    # works from is in view, with nothing to scroll sideways.
    rep_page.goto(f"{base}/admin/incidents/incident/")
    first = rep_page.locator("#result_list tbody tr").first.locator("th a")
    expect(first).to_have_text(report.reference)
    for column in ("reference", "date", "force", "what happened", "injury", "status", "rep", "days waiting"):
        expect(rep_page.locator("#result_list thead")).to_contain_text(column, ignore_case=True)
    assert_fits(rep_page, "#result_list")
    axe_check(rep_page)
    rep_page.screenshot(path=shots / "review-change-list.png", full_page=True)
    # A reference found by its first characters.
    rep_page.get_by_label("Search").fill(report.reference[:9].lower())
    rep_page.get_by_role("button", name="Search").click()
    expect(rep_page.locator("#result_list tbody tr th a")).to_contain_text([report.reference])
    first = rep_page.locator("#result_list tbody tr th a", has_text=report.reference)
    first.click()
    expect(rep_page.get_by_text("High Street")).to_be_visible()

    rep_page.get_by_label("Change status").select_option(label="Start review")
    save_and_continue(rep_page)
    rep_page.get_by_label("Change status").select_option(label="Ask the officer a question")
    rep_page.get_by_label("Question for the officer").fill("Did you need to see a doctor?")
    save_and_continue(rep_page)
    report.refresh_from_db()
    assert report.status == Status.NEEDS_INFO

    # The officer answers on their report page.
    officer_page = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    officer_page.goto(f"{base}/accounts/login/")
    officer_page.locator("#id_login").fill(officer.email)
    officer_page.locator("#id_password").fill(PASSWORD)
    officer_page.get_by_role("button", name="Sign In").click()
    officer_page.goto(f"{base}/reports/{report.reference}/")
    expect(officer_page.get_by_text("Did you need to see a doctor?").first).to_be_visible()
    axe_check(officer_page)
    officer_page.get_by_label("Your answer").fill("Yes, at the custody suite. No time off.")
    officer_page.get_by_role("button", name="Send answer").click()
    expect(officer_page.get_by_text("Thank you: your answer is with your federation.")).to_be_visible()
    axe_check(officer_page)

    # The rep sees the answer and verifies.
    rep_page.reload()
    expect(rep_page.get_by_text("Yes, at the custody suite. No time off.")).to_be_visible()
    rep_page.get_by_label("Change status").select_option(label="Verify")
    rep_page.get_by_label("Add an internal note").fill("Spoke to PC on the phone.")
    rep_page.get_by_label("Welfare follow-up: date").fill("2026-11-20")
    rep_page.get_by_label("Support offered").select_option(label="Occupational health")
    rep_page.get_by_label("Contact made").check()
    save_and_continue(rep_page)
    expect(rep_page.locator(".messagelist")).to_contain_text(
        f"{report.reference}: now verified; internal note added; welfare follow-up recorded."
    )
    record = rep_page.locator(".review-record")
    expect(record).to_contain_text("Spoke to PC on the phone.")
    expect(record).to_contain_text("Occupational health, contact made")
    expect(record.locator("ol li").first).to_be_visible()
    axe_check(rep_page)
    rep_page.screenshot(path=shots / "review-incident.png", full_page=True)

    # On a phone the same pages pass axe, and only the list's own box scrolls sideways.
    rep_page.set_viewport_size(PHONE)
    axe_check(rep_page)
    assert rep_page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    rep_page.goto(f"{base}/admin/incidents/incident/")
    axe_check(rep_page)
    # The reference, the status and the wait, in view without scrolling on a phone.
    assert_fits(rep_page, "#result_list")
    expect(rep_page.locator("#result_list th a", has_text=report.reference)).to_be_visible()
    expect(rep_page.locator("#result_list thead .column-status")).to_be_visible()
    expect(rep_page.locator("#result_list thead .column-days_waiting")).to_be_visible()

    # The officer sees "Verified".
    officer_page.reload()
    expect(officer_page.locator(".status", has_text="Verified")).to_be_visible()
    axe_check(officer_page)
    report.refresh_from_db()
    assert report.status == Status.VERIFIED
    assert report.events.filter(visible_to_officer=True).count() >= 5
    for name in ("review-change-list.png", "review-incident.png"):
        assert (shots / name).read_bytes()[:4] == b"\x89PNG"
