from __future__ import annotations

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from incidents.choices import (
    AssaultKind,
    Duty,
    Injury,
    Outcome,
    RecordedAsCrime,
    ReportedToForce,
    ServiceBand,
    Status,
)
from incidents.models import Force, Incident, IncidentAssault, OfficerProfile, User, choice_mask
from incidents.services.filing import new_reference
from reports.choices import FigureBasis, SourceKind
from reports.models import OfficialFigure

PASSWORD = "correct-horse-battery-staple"


def force(slug: str = "thames-valley") -> Force:
    return Force.objects.get(slug=slug)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@federation.example")
    password = factory.django.Password(PASSWORD)


class OfficerProfileFactory(DjangoModelFactory):
    class Meta:
        model = OfficerProfile

    force = factory.LazyFunction(force)
    user = factory.SubFactory(
        UserFactory,
        email=factory.LazyAttributeSequence(
            lambda o, n: f"officer{n}@{o.factory_parent.force.email_domains.first().domain}"
        ),
    )
    display_name = factory.Sequence(lambda n: f"PC Officer {n}")
    usual_duty = Duty.RESPONSE
    service_band = ServiceBand.FROM_2_TO_5


def make_officer(force_slug: str = "thames-valley") -> User:
    return OfficerProfileFactory(force=force(force_slug)).user


class IncidentFactory(DjangoModelFactory):
    """A submitted report, inserted directly (tests of the services build theirs through them)."""

    class Meta:
        model = Incident
        skip_postgeneration_save = True

    officer = factory.LazyFunction(make_officer)
    force = factory.LazyAttribute(lambda o: o.officer.officer_profile.force)
    reference = factory.LazyFunction(lambda: new_reference(timezone.now()))
    status = Status.SUBMITTED
    occurred_on = factory.LazyFunction(timezone.localdate)
    injury = Injury.NONE
    reported_to_force = ReportedToForce.NO
    recorded_as_crime = RecordedAsCrime.NO
    outcome = Outcome.NO_ACTION_YET
    submitted_at = factory.LazyAttribute(lambda o: None if o.status == Status.DRAFT else timezone.now())

    @factory.post_generation
    def assaults(self, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        if create:
            kinds = extracted if extracted is not None else [AssaultKind.PUSH]
            for kind in kinds:
                IncidentAssault.objects.create(incident=self, kind=kind)
            self.assault_mask = choice_mask(AssaultKind, kinds)
            Incident.objects.filter(pk=self.pk).update(assault_mask=self.assault_mask)


class OfficialFigureFactory(DjangoModelFactory):
    """A Home Office whole-year 8S + 104 figure for Thames Valley 2018/19 unless told otherwise."""

    class Meta:
        model = OfficialFigure

    area = "E23000029"
    financial_year = 2018
    basis = FigureBasis.EIGHT_S_AND_104
    source_kind = SourceKind.HOME_OFFICE
    source_title = "Police workforce"
    published_on = datetime.date(2019, 7, 18)
