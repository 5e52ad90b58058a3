"""National staff bring in official figures, recompute, and read a force's dashboard and briefing."""

from __future__ import annotations

import datetime
import os
import re
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone
from playwright.sync_api import Browser, expect
from pytest_django.live_server_helper import LiveServer

from tests.browser.conftest import AxeChecker, staff_page
from tests.conftest import NATIONAL_GROUP, make_staff, transactional_db
from tests.factories import IncidentFactory, make_officer

pytestmark = [pytest.mark.browser, transactional_db]

FIGURES = (
    "force,financial year,with injury,without injury,total,source\n"
    "Thames Valley,2017/18,166,628,794,https://example.org/tvp-2017\n"
    "Thames Valley,2018/19,198,859,1057,https://example.org/tvp-2018\n"
)


def test_national_staff_import_recompute_and_read_the_briefing(
    browser: Browser, live_server: LiveServer, axe_check: AxeChecker, tmp_path: Path
) -> None:
    base = live_server.url
    shots = Path(os.environ.get("SCREENSHOTS_DIR") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    staff = make_staff(NATIONAL_GROUP)
    EmailAddress.objects.create(user=staff, email=staff.email, verified=True, primary=True)
    officers = [make_officer("thames-valley") for _ in range(10)]
    for number in range(30):
        IncidentFactory(
            officer=officers[number % 10],
            occurred_on=datetime.date(2018, 4, 2) + datetime.timedelta(days=number * 11),
            assaults=[("push", "spit", "kick")[number % 3]],
            reported_to_force="yes" if number % 3 else "no",
            recorded_as_crime=("no", "yes", "dont_know")[number % 3],
        )
    upload = tmp_path / "tvp.csv"
    upload.write_text(FIGURES)

    page = staff_page(browser, base, staff, "/accounts/login/")

    # Import: check the file and see its values, then import it with one more press.
    page.goto(f"{base}/admin/reports/officialfigure/")
    page.get_by_role("link", name="Import figures").click()
    # The date a release came out starts as today, in the form a date field can show.
    expect(page.get_by_label("Published on")).to_have_value(timezone.localdate().isoformat())
    axe_check(page)
    page.get_by_label("File").set_input_files(str(upload))
    page.get_by_label("Kind of source").select_option("home_office")
    page.get_by_label("Source title").fill("Police workforce, England and Wales, 31 March 2019")
    page.get_by_label("Published on").fill("2019-07-18")
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_text("Thames Valley 2018/19: 1,057 (198 with injury + 859 without)")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Import these figures").click()
    expect(page.get_by_text("Imported tvp.csv: 2 new and 0 changed figures")).to_be_visible()
    expect(page.get_by_role("row", name="Thames Valley 2018/19")).to_contain_text("In use")

    # Recompute everything and watch it finish.
    page.goto(f"{base}/dashboard/?year=2018")
    axe_check(page)
    page.get_by_role("button", name="Recompute everything now").click()
    status = page.locator("#recompute-title ~ p[role=status]")
    for _ in range(30):
        if "finished" in status.inner_text():
            break
        page.reload()
    expect(status).to_contain_text("finished")
    expect(page.get_by_role("row", name="Thames Valley")).to_contain_text("1,057")
    page.screenshot(path=shots / "dashboard.png", full_page=True)

    page.get_by_role("link", name="Thames Valley").click()
    expect(page.get_by_role("heading", name="Thames Valley Police")).to_be_visible()
    expect(page.locator("svg.chart").first).to_be_visible()
    axe_check(page)
    page.screenshot(path=shots / "force-dashboard.png", full_page=True)

    page.get_by_role("link", name="Printable briefing for 2018/19").click()
    expect(page.get_by_text("Officers in Thames Valley logged 30 assaults in 2018/19;")).to_be_visible()
    expect(page.get_by_text("This is an estimate from officers who chose to log, not a count.")).to_be_visible()
    expect(page.get_by_text("from Home Office: “Police workforce, England and Wales, 31 March 2019”")).to_be_visible()
    axe_check(page)
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    page.screenshot(path=shots / "briefing.png", full_page=True)
    # Printed by Chromium on A4, the briefing is one page.
    pdf = page.pdf(format="A4", print_background=True)
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pages == 1, f"the briefing prints on {pages} pages"

    # On a phone: the same pages pass axe (scrollable tables take focus), and the briefing fits
    # the screen's width.
    page.emulate_media(media="screen")
    page.set_viewport_size({"width": 390, "height": 844})
    for path in (
        "/admin/reports/officialfigure/",
        "/admin/reports/officialfigure/import/",
        "/dashboard/?year=2018",
        "/dashboard/thames-valley/?year=2018",
        "/dashboard/thames-valley/2018-19/briefing/",
    ):
        page.goto(f"{base}{path}")
        axe_check(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the briefing is {width}px wide on a 390px phone"
