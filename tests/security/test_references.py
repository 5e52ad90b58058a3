"""Report references (``AL-2026-7K3M9Q``) reveal nothing and cannot be enumerated.

A reference is a name, not a key: every page behind it also checks that the report is the
signed-in officer's (or in the rep's forces). Guessing is still hopeless:

- the random part is 6 symbols from a 32-symbol alphabet drawn with ``secrets`` (the OS's
  CSPRNG): 32**6 = 1,073,741,824 (2**30) references a year;
- at 100,000 reports a year (more than twice the Home Office's count of assaults on
  constables in England and Wales) a guess hits one with probability 100,000 / 2**30, about
  1 in 10,700;
- and a hit teaches nothing: another officer's report and a reference that does not exist
  give the same 404, byte for byte, so there is no oracle to run the guesses against.
"""

from __future__ import annotations

import re
import secrets
import uuid
from collections import Counter
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from incidents import services
from incidents.models import Incident, User
from incidents.services import filing
from tests.conftest import quick_data, staff_client
from tests.factories import IncidentFactory

pytestmark = pytest.mark.django_db

REFERENCE = re.compile(rf"^AL-\d{{4}}-[{filing.REFERENCE_ALPHABET}]{{{filing.REFERENCE_LENGTH}}}$")


def test_guessing_is_infeasible_and_pointless() -> None:
    """32**6 = 2**30 codes a year; at 100,000 reports a year a guess hits one about 1 time in
    10,700, and even a hit gives the same 404 as a miss (tests below), so nothing is learnt."""
    space = len(filing.REFERENCE_ALPHABET) ** filing.REFERENCE_LENGTH
    assert space == 32**6 == 2**30
    assert 100_000 / space < 1 / 10_000
    # No look-alike symbols (I, L, O, U) to misread, so a reference read out is not mistaken
    # for another; the alphabet loses no entropy for it.
    assert len(set(filing.REFERENCE_ALPHABET)) == 32
    assert not set("ILOU") & set(filing.REFERENCE_ALPHABET)


def test_references_come_from_the_operating_systems_random_source() -> None:
    with mock.patch.object(filing.secrets, "choice", wraps=secrets.choice) as choice:
        filing.new_reference(timezone.now())
    assert choice.call_count == filing.REFERENCE_LENGTH
    assert filing.secrets is secrets


def test_references_are_not_sequential_or_predictable() -> None:
    now = timezone.now()
    codes = [filing.new_reference(now).rsplit("-", 1)[1] for _ in range(2000)]
    # 2000 draws from 2**30: a repeat is a one-in-500 chance; two repeats, one in a million.
    assert len(set(codes)) >= len(codes) - 1
    # Every symbol turns up in every position (each missing with probability ~1e-12):
    # nothing is fixed, counted up or derived from the time.
    for position in range(filing.REFERENCE_LENGTH):
        assert set(Counter(code[position] for code in codes)) == set(filing.REFERENCE_ALPHABET), position
    # Consecutive references are not neighbours.
    assert codes != sorted(codes)


def test_a_reference_shows_only_the_year(officer: User, other_force_officer: User) -> None:
    """Nothing of the force, the officer or the order of filing: two officers of different
    forces filing at the same moment get references of the same shape, with unrelated codes."""
    mine = services.incident_quick_log(officer=officer, submission_key=uuid.uuid4(), data=quick_data())
    theirs = services.incident_quick_log(officer=other_force_officer, submission_key=uuid.uuid4(), data=quick_data())
    for incident in (mine, theirs):
        assert REFERENCE.match(incident.reference), incident.reference
        assert incident.reference.startswith(f"AL-{timezone.localdate().year}-")
        assert incident.force.code not in incident.reference
    assert mine.reference != theirs.reference


def unmasked(content: bytes, *references: str) -> str:
    """The page with the addresses asked for and the per-response CSRF mask taken out."""
    text = content.decode()
    for reference in references:
        text = text.replace(reference, "REFERENCE")
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)
    # The language switcher returns to the address asked for, as the address bar shows it.
    return re.sub(r'name="next" value="[^"]+"', "", text)


@pytest.mark.parametrize("suffix", ["", "submitted/", "edit/1/", "check/", "withdraw/"])
def test_another_officers_report_and_a_missing_one_give_the_same_404(
    officer: User, colleague: User, suffix: str
) -> None:
    existing = IncidentFactory(officer=officer).reference
    missing = filing.new_reference(timezone.now())
    assert not Incident.objects.filter(reference=missing).exists()
    client = Client()
    client.force_login(colleague)
    seen = client.get(f"/reports/{existing}/{suffix}")
    unseen = client.get(f"/reports/{missing}/{suffix}")
    assert seen.status_code == unseen.status_code == 404
    assert unmasked(seen.content, existing) == unmasked(unseen.content, missing)
    assert sorted(seen.headers) == sorted(unseen.headers)
    # The positive control: the owner reaches it.
    owner = Client()
    owner.force_login(officer)
    assert owner.get(f"/reports/{existing}/{suffix}").status_code in (200, 302)


def test_answering_on_another_officers_report_and_a_missing_one_give_the_same_404(
    officer: User, colleague: User
) -> None:
    existing = IncidentFactory(officer=officer).reference
    missing = filing.new_reference(timezone.now())
    client = Client()
    client.force_login(colleague)
    seen = client.post(reverse("incidents:answer", args=[existing]), {"answer": "x"})
    unseen = client.post(reverse("incidents:answer", args=[missing]), {"answer": "x"})
    assert seen.status_code == unseen.status_code == 404
    assert unmasked(seen.content, existing) == unmasked(unseen.content, missing)


def test_other_forces_report_and_a_missing_one_look_the_same_in_the_review_admin(
    other_rep: User, officer: User
) -> None:
    incident = IncidentFactory(officer=officer)
    missing_pk = Incident.objects.order_by("-pk").values_list("pk", flat=True).first() + 1000
    client = staff_client(other_rep)
    for view in ("admin:incidents_incident_change", "admin:incidents_incident_history"):
        seen = client.get(reverse(view, args=[incident.pk]))
        unseen = client.get(reverse(view, args=[missing_pk]))
        assert seen.status_code == unseen.status_code == 404, view
        assert unmasked(seen.content) == unmasked(unseen.content), view
    # Searching for its reference finds nothing, as for one that does not exist.
    search = client.get(reverse("admin:incidents_incident_changelist"), {"q": incident.reference})
    assert list(search.context["cl"].result_list) == []
