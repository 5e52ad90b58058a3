from __future__ import annotations

import datetime
import re

import pytest
from django.db import IntegrityError, transaction

from incidents.choices import AssaultKind, Injury, NotReportedReason, RecordedAsCrime, ReportedToForce, Status
from incidents.models import CHOICE_BITS, Force, ForceEmailDomain, choice_mask
from incidents.selectors import force_domain_for_email
from tests.factories import IncidentFactory

pytestmark = pytest.mark.django_db


def test_migrate_loads_the_43_territorial_forces_and_btp() -> None:
    assert Force.objects.count() == 44
    assert Force.objects.filter(code__startswith="E23").count() == 39
    assert Force.objects.filter(code__startswith="W15").count() == 4
    btp = Force.objects.get(code="BTP")
    assert btp.slug == "btp"
    tvp = Force.objects.get(slug="thames-valley")
    assert (tvp.code, tvp.official_name, tvp.region) == ("E23000029", "Thames Valley Police", "South East")
    assert Force.objects.get(code="E23000034").ons_name == "London, City of"


def test_every_force_has_an_email_domain() -> None:
    assert not Force.objects.filter(email_domains__isnull=True).exists()
    assert ForceEmailDomain.objects.get(domain="thamesvalley.police.uk").force.slug == "thames-valley"


@pytest.mark.parametrize(
    ("email", "slug"),
    [
        ("pc.jones@thamesvalley.police.uk", "thames-valley"),
        ("PC.Jones@ThamesValley.Police.UK", "thames-valley"),
        ("pc.jones@mail.kent.police.uk", "kent"),
        ("pc.jones@gmail.com", None),
        ("pc.jones@police.uk", None),
        ("not-an-address", None),
    ],
)
def test_force_is_found_from_the_email_domain_and_its_subdomains(email: str, slug: str | None) -> None:
    match = force_domain_for_email(email)
    assert (match.force.slug if match else None) == slug


def test_reference_has_the_house_format_and_is_unique() -> None:
    references = {IncidentFactory().reference for _ in range(20)}
    assert len(references) == 20
    for reference in references:
        assert re.fullmatch(r"AL-20\d\d-[0-9A-HJKMNP-TV-Z]{6}", reference)


@pytest.mark.parametrize(
    "overrides",
    [
        {"crime_reference": "43/12345/26", "reported_to_force": ReportedToForce.NO},
        {"occurred_on": datetime.date(2009, 12, 31)},
        {"days_off_work": 366},
        {"offender_count": 0},
        {"other_officers_assaulted": 51},
        {"injury": ""},
        {"injury": "broken"},
        {"recorded_as_crime": ""},
        {"status": "lost"},
        {"status": Status.SUBMITTED, "submitted_at": None},
    ],
)
def test_database_refuses_an_impossible_report(overrides: dict[str, object]) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        IncidentFactory(**overrides)


def test_a_draft_may_lack_its_answers() -> None:
    draft = IncidentFactory(status=Status.DRAFT, injury="", reported_to_force="", recorded_as_crime="")
    assert draft.pk


def test_a_complete_report_passes_the_constraints() -> None:
    incident = IncidentFactory(
        reported_to_force=ReportedToForce.YES,
        recorded_as_crime=RecordedAsCrime.YES,
        crime_reference="43/12345/26",
        injury=Injury.MINOR,
        days_off_work=365,
        offender_count=50,
    )
    assert incident.is_officer_editable


# The bits as first stored (issue 19): every stored mask is read by these numbers.
PINNED_BITS = {
    "assault": {
        "push": 0, "grab": 1, "punch": 2, "kick": 3, "trip": 4, "spit": 5, "bite": 6, "headbutt": 7,
        "thrown_object": 8, "weapon_bladed": 9, "weapon_blunt": 10, "weapon_firearm": 11, "weapon_other": 12,
        "vehicle": 13, "sexual": 14, "threat": 15,
    },
    "reason": {"part_of_job": 0, "too_minor": 1, "no_time": 2, "no_confidence": 3, "discouraged": 4, "other": 5},
}  # fmt: skip


def test_no_choice_ever_changes_its_bit_in_the_masks() -> None:
    """Moving a bit (or giving a new choice one in use) would misread every stored mask."""
    for choices, pinned in ((AssaultKind, PINNED_BITS["assault"]), (NotReportedReason, PINNED_BITS["reason"])):
        bits = CHOICE_BITS[choices]
        for value, bit in pinned.items():
            assert bits[value] == bit, f"{choices.__name__}.{value} moved from bit {bit} to {bits[value]}"
        assert set(bits) == set(choices.values), f"every {choices.__name__} needs a bit of its own"
        assert len(set(bits.values())) == len(bits), f"two {choices.__name__} values share a bit"
        assert max(bits.values()) < 31, "a mask is a positive 32-bit integer"
    assert choice_mask(AssaultKind, ["push", "threat"]) == 1 + (1 << 15)
