"""Rate limits: filing reports and exporting them, per user (incidents/ratelimits.py), and
allauth's own on sign-in, sign-up and password reset.

Failed sign-ins locking an address are tested in tests/incidents/test_admin.py
(test_repeated_wrong_passwords_lock_the_sign_in_for_that_address)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from allauth.account import app_settings as account_settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from incidents.choices import StaffAction, Status
from incidents.models import Incident, StaffAccess, User
from incidents.ratelimits import rate_limit_and_period
from tests.conftest import file_quick_logs, make_staff, new_report_post, quick_post, staff_client, use_redis_cache
from tests.factories import IncidentFactory, make_officer
from tests.test_settings import load_settings

pytestmark = pytest.mark.django_db

EXPORT_CSV = reverse("admin:incidents_incident_export", args=["csv"])


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def assert_refused_politely(response: object) -> None:
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    page = response.content.decode()
    assert "Please wait before trying again" in page
    assert "Nothing from this request was saved" in page
    assert "You can try again in" in page
    assert '<html lang="en-GB">' in page  # the site's layout, not a bare error


def test_quick_logs_beyond_the_rate_are_refused_with_429_and_file_nothing(
    settings: object, officer: User, colleague: User
) -> None:
    settings.REPORT_SUBMIT_RATE = "3/h"
    client = client_for(officer)
    file_quick_logs(client, 3)
    response = client.post(reverse("incidents:quick"), quick_post())
    assert_refused_politely(response)
    assert Incident.objects.filter(officer=officer).count() == 3
    # Reading the page is not filing: still allowed.
    assert client.get(reverse("incidents:quick")).status_code == 200
    # Another officer of the same force is unaffected.
    assert client_for(colleague).post(reverse("incidents:quick"), quick_post()).status_code == 302
    assert Incident.objects.filter(officer=colleague).count() == 1


def test_only_reports_filed_count_not_forms_sent_back_with_an_error(settings: object, officer: User) -> None:
    """An officer who gets a form wrong twenty times can still file: the limit counts reports."""
    settings.REPORT_SUBMIT_RATE = "2/h"
    client = client_for(officer)
    for _ in range(20):
        response = client.post(reverse("incidents:quick"), quick_post(assaults=[]))
        assert response.status_code == 400
        assert client.post(reverse("incidents:new"), new_report_post(occurred_on="")).status_code == 400
    file_quick_logs(client, 2)
    assert_refused_politely(client.post(reverse("incidents:quick"), quick_post()))
    assert Incident.objects.filter(officer=officer).count() == 2


def test_starting_a_full_report_and_submitting_it_count_towards_the_same_limit(settings: object, officer: User) -> None:
    settings.REPORT_SUBMIT_RATE = "2/h"
    client = client_for(officer)
    draft = IncidentFactory(officer=officer, status=Status.DRAFT)
    assert client.post(reverse("incidents:quick"), quick_post()).status_code == 302
    assert client.post(reverse("incidents:new"), new_report_post()).status_code == 302
    drafts = Incident.objects.filter(officer=officer, status=Status.DRAFT).count()

    assert_refused_politely(client.post(reverse("incidents:new"), new_report_post()))
    assert_refused_politely(client.post(reverse("incidents:check", args=[draft.reference])))
    assert Incident.objects.filter(officer=officer, status=Status.DRAFT).count() == drafts
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    assert draft.submitted_at is None


def test_submitting_a_draft_is_refused_past_the_limit_but_another_officer_can_submit(
    settings: object, officer: User, other_force_officer: User
) -> None:
    settings.REPORT_SUBMIT_RATE = "1/h"
    mine = IncidentFactory(officer=officer, status=Status.DRAFT)
    client = client_for(officer)
    assert client.post(reverse("incidents:quick"), quick_post()).status_code == 302
    assert_refused_politely(client.post(reverse("incidents:check", args=[mine.reference])))
    mine.refresh_from_db()
    assert mine.status == Status.DRAFT

    theirs = IncidentFactory(officer=other_force_officer, status=Status.DRAFT)
    response = client_for(other_force_officer).post(reverse("incidents:check", args=[theirs.reference]))
    assert response.status_code == 302, response.content.decode()[:1000]
    theirs.refresh_from_db()
    assert theirs.status == Status.SUBMITTED


def test_exports_beyond_the_rate_are_refused_and_not_logged(settings: object, rep: User, force_a: object) -> None:
    settings.EXPORT_RATE = "2/h"
    IncidentFactory(officer=make_officer())
    client = staff_client(rep)
    for _ in range(2):
        assert client.get(EXPORT_CSV).status_code == 200
    response = client.get(reverse("admin:incidents_incident_export", args=["xlsx"]))
    assert_refused_politely(response)
    assert StaffAccess.objects.filter(action=StaffAction.EXPORTED).count() == 2
    # The review list itself still works, and another rep can export.
    assert client.get(reverse("admin:incidents_incident_changelist")).status_code == 200
    colleague_rep = make_staff("Federation reps", force_a)
    assert staff_client(colleague_rep).get(EXPORT_CSV).status_code == 200
    assert StaffAccess.objects.filter(action=StaffAction.EXPORTED, actor=colleague_rep).count() == 1


@pytest.mark.redis
def test_limits_hold_in_the_shared_redis_cache_production_uses(settings: Any, officer: User) -> None:
    """Production counts in Django's RedisCache (with config/cache.py's pool; django-ratelimit's
    W001 is silenced for it): the limit holds there too. Keys live one minute, so nothing is
    left behind to clear; the prefix is new each run (user ids repeat from run to run)."""
    use_redis_cache(settings, settings.REDIS_URL, KEY_PREFIX=f"ratelimit-test-{uuid.uuid4().hex}")
    settings.REPORT_SUBMIT_RATE = "2/m"
    client = client_for(officer)
    file_quick_logs(client, 2)
    assert client.post(reverse("incidents:quick"), quick_post()).status_code == 429
    assert Incident.objects.filter(officer=officer).count() == 2


def test_allauth_rate_limits_cover_sign_in_sign_up_and_password_reset() -> None:
    limits = account_settings.RATE_LIMITS
    for action in ("login", "login_failed", "signup", "reset_password", "reset_password_from_key"):
        assert limits.get(action), action


def test_password_reset_requests_for_one_address_are_limited(officer: User) -> None:
    """allauth: at most 5 reset e-mails a minute for one address ("5/m/key"); past that the
    request is refused and no further e-mail is sent, so the form cannot be used to flood an inbox."""
    client = Client()
    for _ in range(5):
        response = client.post(reverse("account_reset_password"), {"email": officer.email})
        assert response.status_code == 302
    sent = len(mail.outbox)
    response = client.post(reverse("account_reset_password"), {"email": officer.email})
    assert response.status_code == 429
    assert "Please wait before trying again" in response.content.decode()
    assert len(mail.outbox) == sent


@pytest.mark.parametrize("name", ["REPORT_SUBMIT_RATE", "EXPORT_RATE"])
def test_a_rate_that_is_not_a_rate_is_refused_at_start(name: str) -> None:
    result = load_settings(**{name: "lots"})
    assert result.returncode != 0
    assert f"{name} must be a rate such as 30/h" in result.stderr
    assert load_settings(**{name: "5/10m"}).returncode == 0


@pytest.mark.parametrize(
    ("rate", "expected"), [("30/h", (30, 3600)), ("5/2m", (5, 120)), ("1/s", (1, 1)), ("20/d", (20, 86400))]
)
def test_a_rate_is_read_as_the_settings_write_it(rate: str, expected: tuple[int, int]) -> None:
    assert rate_limit_and_period(rate) == expected


def test_a_rate_that_is_not_one_is_refused() -> None:
    with pytest.raises(ValueError, match="Not a rate"):
        rate_limit_and_period("30 per hour")
