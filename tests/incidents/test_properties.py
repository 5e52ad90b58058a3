"""Property tests: no input makes the officer's forms answer 500 or half-save."""

from __future__ import annotations

import os
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incidents.choices import AssaultKind, Injury, NotReportedReason, Outcome, ReportedToForce
from incidents.models import Incident, IncidentEvent, User
from tests.factories import IncidentFactory

pytestmark = pytest.mark.django_db

text = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=300)
plausible = st.sampled_from(
    [
        "",
        "0",
        "-1",
        "366",
        "99999999999999999999",
        "2026-11-21",
        "2009-12-31",
        "2999-01-01",
        "0001-01-01",
        "21/11/2026",
        "23:15",
        "25:99",
        "True",
        "False",
        "unknown",
        *AssaultKind.values,
        *Injury.values,
        *ReportedToForce.values,
        *NotReportedReason.values,
        *Outcome.values,
    ]
)
value = st.one_of(text, plausible, st.integers().map(str))
FIELDS = [
    "occurred_on",
    "occurred_at",
    "setting",
    "place",
    "assaults",
    "injury",
    "days_off_work",
    "other_officers_assaulted",
    "single_crewed",
    "backup_requested",
    "backup_wait",
    "offender_count",
    "reported_to_force",
    "recorded_as_crime",
    "crime_reference",
    "not_reported_reasons",
    "outcome",
    "narrative",
    "share_identity",
    "note",
    "submission_key",
    "save_and_exit",
]
payloads = st.dictionaries(st.sampled_from(FIELDS), st.one_of(value, st.lists(value, max_size=4)), max_size=len(FIELDS))
HYPOTHESIS = settings(
    max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def post_and_check(client: Client, url: str, payload: dict[str, Any]) -> None:
    incidents, events = Incident.objects.count(), IncidentEvent.objects.count()
    # Hundreds of examples from one officer would pass the filing rate limit (tested in
    # tests/security/test_rate_limits.py); each example starts with a fresh count.
    cache.clear()
    response = client.post(url, payload)
    assert response.status_code in (302, 400), (response.status_code, payload)
    if response.status_code == 400:
        assert (Incident.objects.count(), IncidentEvent.objects.count()) == (incidents, events)


@HYPOTHESIS
@given(payload=payloads)
def test_quick_log_never_fails_on_any_input(officer_client: Client, payload: dict[str, Any]) -> None:
    post_and_check(officer_client, reverse("incidents:quick"), payload)


@HYPOTHESIS
@given(payload=payloads)
def test_new_full_report_never_fails_on_any_input(officer_client: Client, payload: dict[str, Any]) -> None:
    post_and_check(officer_client, reverse("incidents:new"), payload)


@HYPOTHESIS
@given(step=st.integers(min_value=1, max_value=6), payload=payloads)
def test_every_step_never_fails_on_any_input(
    officer: User, officer_client: Client, step: int, payload: dict[str, Any]
) -> None:
    incident = IncidentFactory(officer=officer)
    before = Incident.objects.filter(pk=incident.pk).values().get()
    response = officer_client.post(reverse("incidents:step", args=[incident.reference, step]), payload)
    assert response.status_code in (302, 400), (response.status_code, payload)
    if response.status_code == 400:
        assert Incident.objects.filter(pk=incident.pk).values().get() == before
