"""Finding 3 of the outside probe (issue 14): staff without two-factor authentication reached
the staff dashboards (the national view with its small counts, the recompute button); the
two-factor gate covered the admin's path only.

Now it covers every address: a staff account without an authenticator reaches the account
pages (to set one up, or sign out) and nothing else, whatever is added to the site later.
"""

from __future__ import annotations

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from incidents.choices import NATIONAL_GROUP, REPS_GROUP
from incidents.models import Force, RepForce, User
from reports.models import RecomputeRun
from tests.conftest import TOTP_SECRET
from tests.factories import UserFactory
from tests.security.addresses import World, build_world, project_patterns

pytestmark = pytest.mark.django_db

SET_UP = reverse("mfa_activate_totp")
# The account pages, and what no one signs in for (monitoring, browsers' CSP reports).
OPEN_TO_THEM = ("/accounts/", "/healthz", "/csp-report")


def staff_without_two_factor(group: str, *forces: Force) -> User:
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    for covered in forces:
        RepForce.objects.create(rep=user, force=covered)
    return user


@pytest.fixture
def world(officer: User, rep: User, national_staff: User, force_a: Force) -> World:
    return build_world(officer=officer, rep=rep, national_staff=national_staff, force=force_a)


@pytest.mark.parametrize("group", [NATIONAL_GROUP, REPS_GROUP])
def test_staff_without_two_factor_reach_no_staff_page_only_its_set_up(world: World, force_a: Force, group: str) -> None:
    user = staff_without_two_factor(group, force_a)
    client = Client()
    client.force_login(user)
    wrong = []
    for pattern in project_patterns():
        path = world.path(pattern)
        if path.startswith(OPEN_TO_THEM):
            continue
        response = client.get(path)
        if (response.status_code, response.get("Location")) != (302, SET_UP):
            wrong.append(f"{path}: {response.status_code} {response.get('Location', '')}")
    assert not wrong, "\n".join(wrong)
    # The set-up page itself is open (after confirming the password), and says why they are there.
    page = client.get(SET_UP, follow=True)
    assert page.status_code == 200
    assert page.redirect_chain[-1][0].startswith(reverse("account_reauthenticate"))
    assert "Set up two-factor authentication before you use the review or the figures." in page.content.decode()


def test_staff_without_two_factor_cannot_start_a_recompute(force_a: Force) -> None:
    client = Client()
    client.force_login(staff_without_two_factor(NATIONAL_GROUP))
    response = client.post(reverse("reports:recompute"))
    assert (response.status_code, response["Location"]) == (302, SET_UP)
    assert not RecomputeRun.objects.exists()


def test_once_set_up_the_dashboards_open(force_a: Force) -> None:
    user = staff_without_two_factor(NATIONAL_GROUP)
    TOTP.activate(user, TOTP_SECRET)
    client = Client()
    client.force_login(user)
    assert client.get(reverse("reports:dashboard")).status_code == 200
    assert client.get(reverse("admin:index")).status_code == 200


def test_officers_are_not_asked_for_two_factor(officer: User) -> None:
    client = Client()
    client.force_login(officer)
    assert client.get(reverse("incidents:quick")).status_code == 200
    assert client.get(reverse("reports:dashboard")).status_code == 200


def test_a_recompute_is_started_once_however_often_the_button_is_pressed(national_staff: User) -> None:
    """The button could be pressed without limit; a run under way is now reported instead."""
    client = Client()
    client.force_login(national_staff)
    RecomputeRun.objects.create(started_by=national_staff)  # under way (a worker has it)
    response = client.post(reverse("reports:recompute"), follow=True)
    assert RecomputeRun.objects.count() == 1
    assert "is still running: nothing new started." in response.content.decode()


def test_a_finished_recompute_can_be_followed_by_another(national_staff: User) -> None:
    client = Client()
    client.force_login(national_staff)
    RecomputeRun.objects.create(started_by=national_staff, finished_at=timezone.now())
    response = client.post(reverse("reports:recompute"), follow=True)
    assert RecomputeRun.objects.count() == 2
    newest = RecomputeRun.objects.first()
    assert f"Recompute {newest.pk} started." in response.content.decode()
