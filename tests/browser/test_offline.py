"""The officer with no signal, in Chromium on a phone-sized screen: the installed app opens,
a report sent offline waits on the phone and is filed exactly once when the signal returns,
and nothing is filed twice by accident (Back, then the button again)."""

from __future__ import annotations

import gzip
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from incidents.choices import Status
from incidents.models import Incident, User
from tests.browser.conftest import PHONE, AxeChecker, wait_until
from tests.browser.test_officer_journey import sign_in, verified_officer
from tests.conftest import transactional_db
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, transactional_db]


def app_installed(page: Page) -> None:
    """Wait until the service worker is activated (it answers every navigation from then on)
    and has kept the blank quick log. Not that it controls this very page: a page still loading
    when the worker claims its clients can be missed, and is controlled from its next load."""
    wait_until(page, "async () => (await navigator.serviceWorker.ready).active.state === 'activated'")
    wait_until(page, "async () => !!(await caches.match('/report/quick/'))")


def officer_with_the_app(page: Page, base: str) -> User:
    """A verified officer, signed in on this phone, the app installed."""
    officer = verified_officer()
    sign_in(page, base, officer.email)
    app_installed(page)
    return officer


def quick_log_a_spit(page: Page) -> None:
    page.get_by_label("Spit or bodily fluid").check()
    page.get_by_label("No injury").check()
    page.get_by_role("group", name="Did you report it to your force?").get_by_label("No", exact=True).check()
    page.get_by_role("button", name="Log it").click()


def filed(officer: User) -> int:
    return Incident.objects.filter(officer=officer).count()


def wait_for_filed(page: Page, officer: User, count: int) -> None:
    for _ in range(50):
        if filed(officer) >= count:
            break
        page.wait_for_timeout(100)
    assert filed(officer) == count


def go_offline_and_log(page: Page, base: str, axe_check: AxeChecker) -> None:
    page.context.set_offline(True)
    # A fresh navigation with no signal: the app opens the quick log from the phone.
    page.goto(f"{base}/report/quick/")
    expect(page.get_by_role("heading", name="Log an assault")).to_be_visible()
    expect(page.get_by_label("When did it happen?")).to_have_value(timezone.localdate().isoformat())
    quick_log_a_spit(page)
    expect(page.get_by_role("heading", name="Saved on this phone")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Saved on this phone")).to_contain_text(
        "It will be sent when you have signal."
    )
    axe_check(page)


def test_a_quick_log_with_no_signal_waits_on_the_phone_and_is_filed_once_when_the_signal_returns(
    page: Page, live_server: LiveServer, axe_check: AxeChecker
) -> None:
    base = live_server.url
    officer = verified_officer()
    sign_in(page, base, officer.email)
    page.goto(f"{base}/report/quick/")  # the app installs from the quick log itself
    app_installed(page)
    go_offline_and_log(page, base, axe_check)

    # My reports, still offline: the report is shown as waiting.
    page.goto(f"{base}/reports/")
    expect(page.get_by_role("heading", name="My reports")).to_be_visible()
    waiting = page.get_by_role("region", name="Waiting on this phone")
    expect(waiting).to_contain_text("An assault logged quickly")
    expect(waiting).to_contain_text("Waiting for signal")
    axe_check(page)
    assert filed(officer) == 0

    page.context.set_offline(False)  # the `online` event sends it
    expect(page.get_by_text("Sent from this phone")).to_be_visible()
    wait_for_filed(page, officer, 1)
    report = Incident.objects.get(officer=officer)
    assert report.status == Status.SUBMITTED
    assert {row.kind for row in report.assaults.all()} == {"spit"}
    # Sending again (another load, another `online`) files nothing more: the phone kept nothing.
    page.goto(f"{base}/reports/")
    expect(page.get_by_text(report.reference)).to_be_visible()
    expect(page.get_by_role("region", name="Waiting on this phone")).to_have_count(0)
    assert page.evaluate("async () => (await AssaultLogOutbox.all()).length") == 0
    assert filed(officer) == 1


def test_after_a_language_switch_the_no_signal_pages_are_in_the_new_language(
    page: Page, live_server: LiveServer, axe_check: AxeChecker
) -> None:
    base = live_server.url
    officer_with_the_app(page, base)  # installed in English
    page.goto(f"{base}/reports/")
    page.locator("header").get_by_role("button", name="Cymraeg").click()
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    # At once, not at the browser's next update check: the Welsh worker, and its Welsh pages.
    wait_until(
        page,
        "async () => { const keys = (await caches.keys()).filter(key => key.startsWith('al-static-'));"
        " const worker = (await navigator.serviceWorker.ready).active;"
        " return keys.length === 1 && keys[0].endsWith('-cy') && worker.scriptURL.endsWith('lang=cy')"
        " && worker.state === 'activated'; }",
    )
    wait_until(
        page,
        "async () => { const kept = await caches.match('/report/quick/');"
        " return !!kept && (await kept.text()).includes('<html lang=\"cy\">'); }",
    )
    page.context.set_offline(True)
    page.goto(f"{base}/profile/")
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dim signal")
    axe_check(page)
    page.goto(f"{base}/report/quick/")
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    page.context.set_offline(False)


def test_a_report_saved_offline_survives_closing_the_app_and_is_sent_on_the_next_open(
    page: Page, live_server: LiveServer, axe_check: AxeChecker
) -> None:
    base = live_server.url
    context = page.context
    officer = officer_with_the_app(page, base)
    go_offline_and_log(page, base, axe_check)
    page.close()

    reopened = context.new_page()  # the home-screen icon, still no signal
    reopened.goto(f"{base}/reports/")
    expect(reopened.get_by_role("region", name="Waiting on this phone")).to_contain_text("An assault logged quickly")
    context.set_offline(False)  # sent by the page or by the worker's Background Sync, once
    wait_for_filed(reopened, officer, 1)
    wait_until(reopened, "async () => (await AssaultLogOutbox.all()).length === 0")
    reopened.goto(f"{base}/report/quick/")
    reopened.wait_for_timeout(500)  # a load sends whatever is waiting: nothing is
    assert filed(officer) == 1


def test_a_full_report_step_sent_offline_survives_a_closed_tab_in_the_same_draft(
    page: Page, live_server: LiveServer, axe_check: AxeChecker
) -> None:
    base = live_server.url
    context = page.context
    officer = officer_with_the_app(page, base)
    page.goto(f"{base}/report/new/")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", name="What happened")).to_be_visible()
    draft = Incident.objects.get(officer=officer)

    context.set_offline(True)
    page.get_by_label("Punch or strike").check()
    page.get_by_label("Minor (bruise or scratch)").check()
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("status").filter(has_text="Saved on this phone")).to_contain_text(
        "It will be sent when you have signal."
    )
    # Back returns to that step of that report, not to a new one.
    page.go_back()
    expect(page).to_have_url(f"{base}/reports/{draft.reference}/edit/2/")
    page.close()

    reopened = context.new_page()
    reopened.goto(f"{base}/reports/")
    expect(reopened.get_by_role("region", name="Waiting on this phone")).to_contain_text(
        f"Step 2 of report {draft.reference}"
    )
    axe_check(reopened)
    context.set_offline(False)
    for _ in range(50):
        draft.refresh_from_db()
        if draft.injury:
            break
        reopened.wait_for_timeout(100)
    assert {row.kind for row in draft.assaults.all()} == {"punch"}
    assert draft.injury == "minor"
    assert Incident.objects.filter(officer=officer).count() == 1  # nothing lost, one draft


def test_a_report_waiting_when_the_sign_in_expired_is_sent_after_signing_in(
    page: Page, live_server: LiveServer, axe_check: AxeChecker
) -> None:
    base = live_server.url
    context = page.context
    officer = officer_with_the_app(page, base)
    go_offline_and_log(page, base, axe_check)
    context.clear_cookies(name="sessionid")  # the sign-in expires before the signal returns
    page.goto(f"{base}/offline/?v=list")
    context.set_offline(False)
    page.goto(f"{base}/offline/?v=list")
    page.get_by_role("button", name="Send now").click()
    waiting = page.get_by_role("region", name="Waiting on this phone")
    expect(waiting).to_contain_text("Waiting for you to sign in")
    assert filed(officer) == 0
    waiting.get_by_role("link", name="Sign in").click()
    page.locator("#id_login").fill(officer.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    expect(page.get_by_role("heading", name="My reports")).to_be_visible()
    expect(page.get_by_text("Sent from this phone")).to_be_visible()
    wait_for_filed(page, officer, 1)


def test_signing_out_asks_before_discarding_reports_not_sent(page: Page, live_server: LiveServer) -> None:
    base = live_server.url
    officer_with_the_app(page, base)
    page.goto(f"{base}/reports/")
    # A report the server refused stays on the phone until the officer deletes it.
    page.evaluate(
        "async () => { const form = new FormData(); form.append('submission_key', 'x');"
        " await AssaultLogOutbox.keep('/report/quick/', form); }"
    )
    questions: list[str] = []

    def answer(dialog: Any) -> None:
        questions.append(dialog.message)
        dialog.dismiss() if len(questions) == 1 else dialog.accept()

    page.on("dialog", answer)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_timeout(300)
    assert "1 report is saved on this phone and not sent yet" in questions[0]
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()  # still signed in
    assert page.evaluate("async () => (await AssaultLogOutbox.all()).length") == 1
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign in")).to_be_visible()
    assert page.evaluate("async () => (await AssaultLogOutbox.all()).length") == 0
    assert page.evaluate("async () => !(await caches.match('/report/quick/'))")


@pytest.mark.parametrize("javascript", [True, False], ids=["with-javascript", "without-javascript"])
def test_back_then_log_it_again_asks_and_files_one_report_unless_another_is_chosen(
    browser: Browser, live_server: LiveServer, javascript: bool, axe_check: AxeChecker
) -> None:
    base = live_server.url
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, java_script_enabled=javascript)
    page = context.new_page()
    officer = verified_officer()
    sign_in(page, base, officer.email)
    page.goto(f"{base}/report/quick/")
    quick_log_a_spit(page)
    expect(page.get_by_role("heading", name="Report logged")).to_be_visible()
    first = Incident.objects.get(officer=officer)

    page.go_back()
    quick_log_a_spit(page)
    expect(page.get_by_role("heading", name="Is this the same assault?")).to_be_visible()
    expect(page.get_by_text(first.reference)).to_be_visible()
    if javascript:
        axe_check(page)
    page.get_by_role("link", name="It's the same one").click()
    expect(page.get_by_text(first.reference).first).to_be_visible()
    assert filed(officer) == 1

    # A deliberate second report: Log it, then Log another.
    page.goto(f"{base}/report/quick/")
    quick_log_a_spit(page)
    page.get_by_role("button", name="Log another").click()
    expect(page.get_by_role("heading", name="Report logged")).to_be_visible()
    assert filed(officer) == 2
    context.close()


def test_the_quick_logs_first_visit_with_the_service_worker_stays_under_100_kb(
    browser: Browser, live_server: LiveServer
) -> None:
    """What a phone fetches for its first quick log: the page, its static files, the web
    manifest, the worker and what the worker keeps, as they travel (static files
    gzip-compressed, as WhiteNoise serves them in production; pages as they are)."""
    base = live_server.url
    officer = verified_officer()
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    fetched: set[str] = set()
    counted = ("/static/", "/report/quick/", "/sw.js", "/offline/", "/manifest.webmanifest")

    def note(request: Any) -> None:
        path = request.url.removeprefix(base)
        if path.startswith(counted):
            fetched.add(path)

    context.on("request", note)
    sign_in(page, base, officer.email)
    page.goto(f"{base}/report/quick/")
    app_installed(page)
    page.wait_for_timeout(500)
    # The worker's own fetches are not always reported to the context: its script and what
    # it keeps are counted whether or not they were seen.
    fetched |= {"/sw.js", "/offline/", "/manifest.webmanifest", "/report/quick/"}
    sizes = {}
    for path in sorted(fetched):
        body = context.request.get(base + path).body()
        sizes[path] = len(gzip.compress(body, 6)) if path.startswith("/static/") else len(body)
    total = sum(sizes.values())
    print(f"quick log first visit: {total} bytes: {sizes}")  # noqa: T201
    assert any(path.startswith("/static/vendor/bootstrap/") for path in sizes)
    assert total < 100_000, sizes
    context.close()
