"""A rep reads a force's figures checked against force records: the demo's Thames Valley
2018/19, whose recording check is in use (issue 20). The page passes axe and fits a phone; the
briefing says the figures were checked and still prints on one A4 page."""

from __future__ import annotations

import io
import re

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.core.management import call_command
from playwright.sync_api import Browser, expect
from pytest_django.live_server_helper import LiveServer

from incidents.models import User
from tests.browser.conftest import AxeChecker, staff_page
from tests.conftest import TOTP_SECRET, transactional_db
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, transactional_db]


def test_a_rep_reads_the_checked_estimate_and_prints_the_briefing(
    browser: Browser, live_server: LiveServer, axe_check: AxeChecker
) -> None:
    call_command("seed_demo", stdout=io.StringIO())
    # The demo's rep, with the tests' password and authenticator.
    rep = User.objects.get(email="rep@federation.example")
    rep.set_password(PASSWORD)
    rep.save()
    Authenticator.objects.filter(user=rep).delete()
    TOTP.activate(rep, TOTP_SECRET)
    base = live_server.url
    page = staff_page(browser, base, rep, "/accounts/login/")

    page.goto(f"{base}/dashboard/thames-valley/?year=2018")
    year = page.locator("section[aria-labelledby=year-title]")
    expect(year).to_contain_text("Estimated true number, checked against force records (95% interval)")
    expect(year).to_contain_text("Checked against force records for a random sample of 30 crime references")
    expect(page.get_by_role("link", name="how the check is used")).to_have_attribute(
        "href", "/dashboard/method/#recording-check"
    )
    axe_check(page)

    page.get_by_role("link", name="Printable briefing for 2018/19").click()
    expect(page.locator(".lead")).to_contain_text("Checked against force records for a random sample of 30 crime")
    axe_check(page)
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4", print_background=True)
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pages == 1, f"the briefing prints on {pages} pages"

    # On a phone: nothing wider than the screen.
    page.emulate_media(media="screen")
    page.set_viewport_size({"width": 390, "height": 844})
    for path in ("/dashboard/thames-valley/?year=2018", "/dashboard/thames-valley/2018-19/briefing/"):
        page.goto(f"{base}{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} is {width} px wide on a 390 px screen"
        axe_check(page)
    page.close()
