"""Playwright drives Debian's Chromium at a phone's viewport against live_server."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page

from tests.conftest import CHROMIUM, totp_code
from tests.factories import PASSWORD

# Playwright's sync API runs an event loop in this thread; Django would otherwise
# refuse ORM calls from the test body. Set here, for the browser tests only.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PHONE = {"width": 390, "height": 844}
# Every axe-core violation fails, whatever its impact: WCAG 2.2 AA has no "minor" exceptions.
AXE_BLOCKING = {"minor", "moderate", "serious", "critical"}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "viewport": PHONE, "is_mobile": True, "has_touch": True, "locale": "en-GB"}


def staff_page(browser: Browser, base: str, user: Any, start: str = "/admin/") -> Page:
    """A desk-sized page signed in as ``user`` (staff: the password, then the TOTP code)."""
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{base}{start}")
    page.locator("#id_login").fill(user.email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.locator("#id_code").fill(totp_code())
    page.get_by_role("button", name="Sign In").click()
    return page


def wait_until(page: Page, script: str, timeout: float = 10.0) -> None:
    """Poll an async JavaScript predicate (caches, the service worker) until it holds.
    page.wait_for_function does not await a Promise: it takes one as true at once."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(script):
        assert time.monotonic() < deadline, f"still false after {timeout}s: {script}"
        page.wait_for_timeout(100)


class AxeChecker:
    def __init__(self) -> None:
        self.axe = Axe()
        self.pages: list[str] = []

    def __call__(self, page: Page) -> None:
        """Fail on any axe-core violation on the page as it is now."""
        options: dict[str, Any] = {"resultTypes": ["violations"]}
        if "/admin/" in page.url:
            # axe reads the page's style sheets first ("preload"), and rebuilds the admin's
            # forms.css, whose @import it resolves against the page's address (a 404), as an
            # inline <style>, which the Content-Security-Policy rightly blocks. The preload
            # feeds one rule only (css-orientation-lock), which no admin style sheet touches.
            options["preload"] = False
        results = self.axe.run(page, options=options)
        blocking = [
            f"{violation['id']} ({violation['impact']}): {violation['help']} at "
            + ", ".join(str(node["target"]) for node in violation["nodes"][:3])
            for violation in results.response["violations"]
            if violation["impact"] in AXE_BLOCKING
        ]
        assert not blocking, f"{page.url}\n" + "\n".join(blocking)
        self.pages.append(page.url)


@pytest.fixture
def axe_check() -> AxeChecker:
    return AxeChecker()


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.fixture(autouse=True)
def fail_on_csp_violation() -> Iterator[_Collect]:
    """Every page runs under the Content-Security-Policy: a violation the browser reports
    to /csp-report (served by live_server in this process) fails the test."""
    collected = _Collect()
    logger = logging.getLogger("config.csp")
    logger.addHandler(collected)
    try:
        yield collected
        time.sleep(0.3)  # reports are posted asynchronously by the browser
        assert not collected.messages, "CSP violations:\n" + "\n".join(collected.messages)
    finally:
        logger.removeHandler(collected)
