"""CSRF: a POST without a token to any address of the project is refused (403) and changes
nothing, whoever sends it; the one exemption is the CSP report endpoint, which browsers post
to without a token and which only logs. With the token the same forms work (positive controls)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.core import serializers
from django.test import Client
from django.urls import resolve, reverse

from incidents.choices import Status
from incidents.models import Incident, User
from tests.conftest import new_report_post, quick_post
from tests.factories import PASSWORD
from tests.security.addresses import ADMIN, World, build_world, project_patterns

pytestmark = pytest.mark.django_db

# Browsers send CSP violation reports without cookies or tokens; the view only logs them.
CSRF_EXEMPT = {"csp-report"}


def form_data(route: str, world: World) -> dict[str, Any]:
    """What a real form would send to the address: were the token not checked, each of these
    would change something, so "changes nothing" means something."""
    if route == "report/quick/":
        return quick_post()
    if route in ("report/new/", "reports/<str:reference>/edit/<int:step>/"):
        return new_report_post(place="Changed without a token")
    if route == "reports/<str:reference>/answer/":
        return {"answer": "Answered without a token"}
    if route == "profile/":
        return {"display_name": "Changed", "collar_number": "1", "usual_duty": "response", "service_band": "10_20"}
    if route == "profile/close/":
        return {"password": PASSWORD, "confirm": "on"}
    if route == "accounts/password/change/":
        return {"oldpassword": PASSWORD, "password1": "a-new-password-9", "password2": "a-new-password-9"}
    if route == "accounts/login/":
        return {"login": world.officer.email, "password": PASSWORD}
    if route == f"{ADMIN}incidents/incident/":
        return {"action": "verify", "_selected_action": [world.incident.pk]}
    if route == f"{ADMIN}incidents/incident/<path:object_id>/change/":
        return {"action": "start_review", "note": "Changed without a token"}
    return {}


def database_state() -> dict[str, str]:
    """Every row of every table but the sessions, as the ORM reads it."""
    return {
        model._meta.label: serializers.serialize("json", model._default_manager.order_by("pk"))
        for model in apps.get_models()
        if model is not Session
    }


@pytest.fixture
def world(officer: User, rep: User, national_staff: User, force_a: object) -> World:
    return build_world(officer=officer, rep=rep, national_staff=national_staff, force=force_a)


@pytest.mark.parametrize("persona", ["anonymous", "officer", "national_staff"])
def test_every_post_without_a_token_is_refused_and_changes_nothing(
    request: pytest.FixtureRequest, world: World, persona: str
) -> None:
    user = None if persona == "anonymous" else request.getfixturevalue(persona)
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    before = database_state()
    wrong = []
    for pattern in project_patterns():
        path = world.path(pattern)
        response = client.post(path, form_data(pattern.route, world))
        if pattern.route in CSRF_EXEMPT:
            assert response.status_code in (204, 400), path
            continue
        # Refused by the CSRF check (the site's page for it), not by another 403.
        refused_by_csrf = "403_csrf.html" in [template.name for template in response.templates]
        if response.status_code != 403 or not refused_by_csrf:
            wrong.append(f"{path}: {response.status_code}")
        if user is not None and client.session.get("_auth_user_id") != str(user.pk):
            wrong.append(f"{path}: signed out")
            client.force_login(user)
    assert not wrong, "\n".join(wrong)
    after = database_state()
    changed = [label for label in before if before[label] != after[label]]
    assert not changed, changed


def test_only_the_csp_report_endpoint_is_exempt(world: World) -> None:
    exempt = {
        pattern.route
        for pattern in project_patterns()
        if getattr(resolve(world.path(pattern)).func, "csrf_exempt", False)
    }
    assert exempt == CSRF_EXEMPT


def csrf_token(client: Client, path: str) -> str:
    page = client.get(path).content.decode()
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert match, path
    return match.group(1)


def test_with_the_token_the_same_forms_work(officer: User, national_staff: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)
    quick = reverse("incidents:quick")
    token = csrf_token(client, quick)
    assert client.post(quick, quick_post(csrfmiddlewaretoken=token)).status_code == 302
    assert Incident.objects.filter(officer=officer, status=Status.SUBMITTED).count() == 1
    profile = reverse("incidents:profile")
    data = {"display_name": "DC Shah", "usual_duty": "response", "service_band": "10_20"}
    assert client.post(profile, {**data, "csrfmiddlewaretoken": csrf_token(client, profile)}).status_code == 302
    officer.officer_profile.refresh_from_db()
    assert officer.officer_profile.display_name == "DC Shah"
    logout = reverse("account_logout")
    assert client.post(logout, {"csrfmiddlewaretoken": csrf_token(client, logout)}).status_code == 302
    assert "_auth_user_id" not in client.session

    staff = Client(enforce_csrf_checks=True)
    staff.force_login(national_staff)
    dashboard = reverse("reports:dashboard")
    response = staff.post(reverse("reports:recompute"), {"csrfmiddlewaretoken": csrf_token(staff, dashboard)})
    assert response.status_code == 302
