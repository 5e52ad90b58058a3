"""Every URL pattern of the project, and a real address for each, built from real objects.

Shared by the URL matrix, the CSRF and the open-redirect tests, so that a pattern added to
the project reaches all three."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from incidents import services
from incidents.choices import REPS_GROUP, StaffAction
from incidents.models import Force, Incident, StaffAccess, User
from reports.models import OfficerStrength, RecomputeRun, RecordingCheck
from reports.services import snapshots_recompute
from tests.factories import IncidentFactory, OfficialFigureFactory, make_officer

ADMIN = settings.ADMIN_URL
# The admin's last pattern catches every other address under it.
ADMIN_CATCH_ALL = f"{ADMIN}(?P<url>.*)$"


@dataclass(frozen=True)
class Pattern:
    route: str  # the full pattern as written, prefixes joined: the key of every expectation
    name: str | None  # namespaced name, e.g. "incidents:detail"
    regex: bool


def project_patterns() -> list[Pattern]:
    """Walk the resolver, admin and allauth included."""

    def walk(patterns: list[Any], prefix: str, namespace: str | None) -> Iterator[Pattern]:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = entry.namespace and (f"{namespace}:{entry.namespace}" if namespace else entry.namespace)
                yield from walk(entry.url_patterns, prefix + str(entry.pattern), inner or namespace)
            else:
                assert isinstance(entry, URLPattern)
                name = entry.name and (f"{namespace}:{entry.name}" if namespace else entry.name)
                yield Pattern(prefix + str(entry.pattern), name, regex=str(entry.pattern).startswith("^"))

    return list(walk(get_resolver().url_patterns, "", None))


@dataclass
class World:
    """Real objects behind every parameter: ``officer``'s report in force A, and so on."""

    officer: User
    rep: User
    incident: Incident
    force: Force
    briefing_year: str
    objects: dict[str, int]  # admin "<app>/<model>" -> a primary key
    confirm_key: str
    reset_uidb36: str
    reset_key: str

    def path(self, pattern: Pattern) -> str:
        """A concrete address for the pattern."""
        if pattern.route == ADMIN_CATCH_ALL:
            return f"/{ADMIN}no-such-page/"
        if pattern.name == "admin:app_list":
            return reverse(pattern.name, kwargs={"app_label": "incidents"})
        if pattern.name == "account_confirm_email":
            return reverse(pattern.name, kwargs={"key": self.confirm_key})
        if pattern.name == "account_reset_password_from_key":
            return reverse(pattern.name, kwargs={"uidb36": self.reset_uidb36, "key": self.reset_key})
        assert not pattern.regex, f"no address built for {pattern.route}"
        return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: self._value(pattern.route, m.group(1)), pattern.route)

    def _value(self, route: str, parameter: str) -> str:
        if parameter == "object_id" and route.startswith(f"{ADMIN}r/"):
            return str(self.incident.pk)  # "view on site" for the report
        if parameter == "object_id":
            model = re.match(rf"{re.escape(ADMIN)}(\w+/\w+)/", route)
            assert model, route
            return str(self.objects[model.group(1)])
        values = {
            "reference": self.incident.reference,
            "step": "1",
            "slug": self.force.slug,
            "year": self.briefing_year,
            "file_format": "csv",
            "content_type_id": str(ContentType.objects.get_for_model(Incident).pk),
            "id": str(self.officer.pk),  # the admin's password change for a user
        }
        return values[parameter]


def build_world(*, officer: User, rep: User, national_staff: User, force: Force) -> World:
    occurred = datetime.date(2018, 10, 1)
    incident = IncidentFactory(officer=officer, occurred_on=occurred)
    snapshots_recompute()
    services.staff_access_record(actor=rep, action=StaffAction.VIEWED, incident=incident)
    email = EmailAddress.objects.create(user=officer, email=officer.email, verified=False, primary=True)
    figure = OfficialFigureFactory(area=force.code, total=1000, source_title="Test")
    strength = OfficerStrength.objects.create(
        area=force.code,
        as_at=datetime.date(2019, 3, 31),
        officers_fte=4500,
        source_title="Test",
        published_on=datetime.date(2019, 7, 1),
    )
    run = RecomputeRun.objects.create(started_by=national_staff)
    check = RecordingCheck.objects.create(
        area=force.code, financial_year=2018, requested_size=1, seed="s", eligible=1, created_by=national_staff
    )
    resetting = make_officer()
    EmailAddress.objects.create(user=resetting, email=resetting.email, verified=True, primary=True)
    objects = {
        "incidents/incident": incident.pk,
        "incidents/staffaccess": StaffAccess.objects.get(incident=incident).pk,
        "incidents/force": force.pk,
        "incidents/user": officer.pk,
        "incidents/officerprofile": officer.officer_profile.pk,
        "reports/officialfigure": figure.pk,
        "reports/officerstrength": strength.pk,
        "reports/recomputerun": run.pk,
        "reports/recordingcheck": check.pk,
        "auth/group": Group.objects.get(name=REPS_GROUP).pk,
        "account/emailaddress": email.pk,
        "mfa/authenticator": Authenticator.objects.filter(user=rep).first().pk,
    }
    return World(
        officer=officer,
        rep=rep,
        incident=incident,
        force=force,
        briefing_year="2018",
        objects=objects,
        confirm_key=EmailConfirmationHMAC(email).key,
        # A user who never signs in here: signing in changes what the reset token is made of.
        reset_uidb36=user_pk_to_url_str(resetting),
        reset_key=default_token_generator.make_token(resetting),
    )
