"""The admin's account pages (users, forces, groups), as the superuser who keeps them, pass axe."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from playwright.sync_api import Browser, expect
from pytest_django.live_server_helper import LiveServer

from incidents.models import User
from tests.browser.conftest import PHONE, AxeChecker, staff_page
from tests.conftest import NATIONAL_GROUP, REPS_GROUP, make_staff, transactional_db
from tests.factories import force, make_officer

pytestmark = [pytest.mark.browser, transactional_db]


def test_the_superusers_account_pages_pass_axe_on_a_desk_and_a_phone(
    browser: Browser, live_server: LiveServer, axe_check: AxeChecker
) -> None:
    base = live_server.url
    superuser = make_staff(NATIONAL_GROUP)
    User.objects.filter(pk=superuser.pk).update(is_superuser=True)
    EmailAddress.objects.create(user=superuser, email=superuser.email, verified=True, primary=True)
    rep = make_staff(REPS_GROUP, force("thames-valley"))
    make_officer("thames-valley")
    thames_valley = force("thames-valley")

    page = staff_page(browser, base, superuser)
    expect(page.get_by_role("heading", name="Federation review")).to_be_visible()

    paths = [
        "/admin/incidents/user/",
        f"/admin/incidents/user/{rep.pk}/change/",
        "/admin/incidents/user/add/",
        f"/admin/incidents/force/{thames_valley.pk}/change/",
        f"/admin/auth/group/{Group.objects.get(name=REPS_GROUP).pk}/change/",
        "/admin/incidents/staffaccess/",
    ]
    for viewport in ({"width": 1280, "height": 900}, PHONE):
        page.set_viewport_size(viewport)
        for path in paths:
            page.goto(f"{base}{path}")
            axe_check(page)
    # The forces a rep covers, on their page, each with its own label.
    page.goto(f"{base}/admin/incidents/user/{rep.pk}/change/")
    expect(page.get_by_text("Forces this rep covers")).to_be_visible()
