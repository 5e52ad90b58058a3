"""A Dyfed-Powys officer signs up, logs an assault and switches language, in Welsh, on a phone."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from incidents.models import Incident, User
from tests.browser.conftest import PHONE, AxeChecker
from tests.conftest import transactional_db
from tests.test_welsh_pages import english_in

pytestmark = [pytest.mark.browser, transactional_db]


def fits_the_phone(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide on a {PHONE['width']}px screen"


def in_welsh(page: Page, axe_check: AxeChecker) -> None:
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    fits_the_phone(page)
    axe_check(page)


def test_a_dyfed_powys_officer_signs_up_and_logs_in_welsh(
    page: Page, live_server: LiveServer, axe_check: AxeChecker
) -> None:
    base = live_server.url

    # The browser asks for English; the sign-up page offers Welsh before its form.
    page.goto(f"{base}/accounts/signup/")
    expect(page.locator("html")).to_have_attribute("lang", "en-GB")
    offer = page.locator("main").get_by_role("button", name="Cymraeg")
    assert offer.bounding_box()["y"] < page.locator("#id_email").bounding_box()["y"]  # type: ignore[index]
    offer.click()
    in_welsh(page, axe_check)
    expect(page.get_by_role("heading", level=1)).not_to_have_text(re.compile("Create an account"))

    page.locator("#id_email").fill("pc.eleri.jones@dyfed-powys.police.uk")
    page.locator("#id_display_name").fill("PC Eleri Jones")
    page.locator("#id_usual_duty").select_option("response")
    page.locator("#id_service_band").select_option("2_5")
    page.locator("#id_password1").fill("shifft-nos-hir-iawn")
    page.locator("#id_password2").fill("shifft-nos-hir-iawn")
    page.locator("main form button[type=submit]").last.click()
    in_welsh(page, axe_check)

    # The confirmation e-mail is in Welsh; its link signs the officer in.
    confirmation = mail.outbox[-1]
    assert not english_in(confirmation.subject + " " + confirmation.body), confirmation.body
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", confirmation.body)
    assert link, confirmation.body
    page.goto(link.group(0))
    in_welsh(page, axe_check)
    page.locator("main form button[type=submit]").last.click()
    in_welsh(page, axe_check)
    officer = User.objects.get(email="pc.eleri.jones@dyfed-powys.police.uk")
    assert officer.language == "cy"
    expect(page.locator("main")).to_contain_text("Heddlu Dyfed-Powys")

    # The quick log, in Welsh, still fits a 390 px screen.
    page.goto(f"{base}/report/quick/")
    in_welsh(page, axe_check)
    page.locator("main form button[type=submit]").last.click()  # nothing filled in: the errors
    in_welsh(page, axe_check)
    page.locator("input[name=assaults][value=spit]").check()
    page.locator("input[name=injury][value=none]").check()
    page.locator("input[name=reported_to_force][value=no]").check()
    page.locator("main form button[type=submit]").last.click()
    in_welsh(page, axe_check)
    reference = page.locator(".reference-big").inner_text().strip()
    incident = Incident.objects.get(reference=reference)
    assert incident.officer == officer

    # The receipt e-mail is in Welsh.
    receipt = next(message for message in reversed(mail.outbox) if reference in message.subject)
    assert not english_in(receipt.subject + " " + receipt.body), receipt.body
    assert receipt.to == [officer.email]

    # My reports, then English and back, from the header's switcher.
    page.goto(f"{base}/reports/")
    in_welsh(page, axe_check)
    page.locator("header").get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en-GB")
    expect(page).to_have_url(f"{base}/reports/")
    expect(page.get_by_role("heading", name="My reports")).to_be_visible()
    officer.refresh_from_db()
    assert officer.language == "en-gb"
    page.locator("header").get_by_role("button", name="Cymraeg").click()
    in_welsh(page, axe_check)
    officer.refresh_from_db()
    assert officer.language == "cy"

    # A form opened before the security cookie changed (a sign-in in another tab) is refused on
    # the site's own page, in Welsh; back on the form, what was typed is filled in again.
    page.goto(f"{base}/report/quick/")
    page.locator("input[name=assaults][value=push]").check()
    page.locator("input[name=injury][value=minor]").check()
    page.locator("input[name=reported_to_force][value=yes]").check()
    page.context.add_cookies([{"name": "csrftoken", "value": "a" * 32, "url": base}])
    page.locator("main form button[type=submit]").last.click()
    in_welsh(page, axe_check)
    expect(page.get_by_role("heading", level=1)).to_have_text("Doedd dim modd anfon y ffurflen hon")
    page.go_back()
    page.reload()
    expect(page.locator("input[name=assaults][value=push]")).to_be_checked()
    expect(page.locator("input[name=injury][value=minor]")).to_be_checked()
    page.locator("main form button[type=submit]").last.click()
    expect(page.locator(".reference-big")).to_be_visible()
    assert Incident.objects.filter(officer=officer).count() == 2
    assert len(axe_check.pages) >= 9
