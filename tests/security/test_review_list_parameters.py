"""Findings 1 and 6 of the outside probe (issue 14): the review list and its exports.

1. A rep could link "statistics only" reports to the named officer: the list and its exports
   took ``?officer=<user id>`` (Django's admin allows lookups on the model's own fields), so
   trying 1..N grouped every report by who filed it.
6. Stale or hand-edited links answered 500: ``?force=abc``, ``?year=99999999999``, NUL bytes...

Now the list and the exports take their parameters by name from an allow-list, with each
value checked; anything else goes back to the list with a message and is never queried.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.contrib.auth.models import Group
from django.test import Client, RequestFactory
from django.urls import reverse

from incidents.admin.filters import REVIEW_LIST_PARAMETERS, review_list_problems
from incidents.admin.incident import IncidentAdmin
from incidents.choices import StaffAction
from incidents.models import Incident, StaffAccess, User
from tests.conftest import NATIONAL_GROUP, make_staff, staff_client
from tests.factories import IncidentFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:incidents_incident_changelist")
EXPORTS = [reverse("admin:incidents_incident_export", args=[fmt]) for fmt in ("csv", "xlsx")]


def refused(client: Client, url: str, query: dict[str, str]) -> list[str]:
    """Asks for ``url`` with ``query``: it must come back to the list, which says why."""
    response = client.get(url, query)
    assert response.status_code == 302, (url, query, response.status_code)
    assert response["Location"].startswith(CHANGELIST)
    page = client.get(response["Location"])
    assert page.status_code == 200
    return [str(message) for message in page.context["messages"]]


def kept(client: Client, query: dict[str, str]) -> dict[str, str]:
    """The parameters of the list the refusal goes back to."""
    location = client.get(CHANGELIST, query)["Location"]
    client.get(location)  # shows, and so clears, its message
    return dict(parse_qsl(urlsplit(location).query))


@pytest.fixture
def withheld_and_named(officer: User) -> tuple[Incident, Incident]:
    return (
        IncidentFactory(officer=officer, share_identity=False),
        IncidentFactory(officer=officer, share_identity=True),
    )


@pytest.mark.parametrize(
    "lookup", ["officer", "officer__id__exact", "officer_id", "officer__exact", "officer__email", "officer__in"]
)
def test_rep_cannot_group_reports_by_officer_in_the_list_or_exports(
    rep: User, officer: User, withheld_and_named: tuple[Incident, Incident], lookup: str
) -> None:
    client = staff_client(rep)
    value = officer.email if lookup == "officer__email" else str(officer.pk)
    assert refused(client, CHANGELIST, {lookup: value}) == [
        f"The list is shown without part of that link. “{lookup}” is not a filter of this list."
    ]
    for url in EXPORTS:
        assert refused(client, url, {lookup: value}) == [
            f"Nothing was exported. “{lookup}” is not a filter of this list."
        ]
    assert not StaffAccess.objects.filter(action=StaffAction.EXPORTED).exists()


def test_no_field_of_a_report_becomes_a_filter_unless_the_list_offers_it(rep: User, officer: User) -> None:
    """Every field of the model, and its lookups: a field added later cannot become a filter."""
    IncidentFactory(officer=officer)
    client = staff_client(rep)
    names = {field.name for field in Incident._meta.get_fields()} | {
        field.attname for field in Incident._meta.concrete_fields
    }
    tried = 0
    for name in sorted(names):
        for lookup in (name, f"{name}__exact", f"{name}__isnull", f"{name}__in", f"{name}__gte"):
            if lookup in REVIEW_LIST_PARAMETERS:
                continue
            tried += 1
            assert refused(client, CHANGELIST, {lookup: "1"})
    assert tried > 150


@pytest.mark.parametrize("who", ["national_staff", "rep"])
def test_every_link_the_list_draws_is_one_it_accepts(request: pytest.FixtureRequest, who: str) -> None:
    """Every filter choice the list offers (Django's field filters, ours) is a link the
    allow-list takes as it is: a filter added without its parameters, or offering a value
    the list refuses (such as "Draft", which staff never see), fails here."""
    user = request.getfixturevalue(who)
    listing = RequestFactory().get(CHANGELIST)
    listing.user = user
    changelist = IncidentAdmin(Incident, admin.site).get_changelist_instance(listing)
    assert isinstance(changelist, ChangeList)
    links = [choice["query_string"] for spec in changelist.filter_specs for choice in spec.choices(changelist)]
    assert len(links) > 30
    drawn = set()
    for link in links:
        following = RequestFactory().get(CHANGELIST + link)
        following.user = user
        assert review_list_problems(following) == {}, link
        drawn |= set(following.GET)
    assert {"status__exact", "force", "single_crewed__exact", "year", "assault"} <= drawn
    statuses = {choice["display"] for choice in changelist.filter_specs[0].choices(changelist)}
    assert "Draft" not in statuses and "Withdrawn" in statuses


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"force": "abc"}, "That force is not one we know."),
        ({"force": "1.5"}, "That force is not one we know."),
        ({"force": "99999999999999999999"}, "That force is not one we know."),
        # The three links of issue 18, each a 500 once: a word, a force's slug, 20 digits.
        ({"force": "dyfed-powys"}, "That force is not one we know."),
        ({"year": "99999999999999999999"}, "Choose a financial year from 2009/10 to the current one."),
        ({"year": "99999999999"}, "Choose a financial year from 2009/10 to the current one."),
        ({"year": "banana"}, "Choose a financial year from 2009/10 to the current one."),
        ({"occurred_on__year": "99999999999"}, "Choose a year from 2010 to this year."),
        ({"occurred_on__year": "2020", "occurred_on__month": "13"}, "Choose a month from 1 to 12."),
        (
            {"occurred_on__year": "2020", "occurred_on__month": "2", "occurred_on__day": "30"},
            "There is no 30 in that month.",
        ),
        ({"occurred_on__month": "2"}, "A month or day needs a year."),
        ({"status__exact": "draft"}, "“draft” is not one of the statuses this list offers."),
        ({"injury__exact": "zz"}, "“zz” is not one of the injuries this list offers."),
        ({"assault": "x" * 300}, "is not one of the kinds of assault this list offers."),
        ({"q": "A" * 101}, "Search for at most 100 characters: a report or crime reference."),
        ({"o": "1;DROP"}, "The list sorts by its queue or by date only."),
        ({"o": "5"}, "The list sorts by its queue or by date only."),
        ({"o": "2.-5"}, "The list sorts by its queue or by date only."),
        ({"p": "99999999999999999999"}, "That page number is not one we offer."),
        ({"_popup": "1"}, "“_popup” is not a filter of this list."),
        ({"_to_field": "officer"}, "“_to_field” is not a filter of this list."),
        ({"e": "1"}, "That page of the list is not there any more."),
    ],
)
def test_bad_filter_links_show_the_list_with_a_message_never_a_500(
    national_staff: User, officer: User, query: dict[str, str], message: str
) -> None:
    IncidentFactory(officer=officer)
    client = staff_client(national_staff)
    [shown] = refused(client, CHANGELIST, query)
    assert message in shown
    assert set(kept(client, query)) < set(query)  # what was wrong is left out
    for url in EXPORTS:
        [shown] = refused(client, url, query)
        assert shown.startswith("Nothing was exported.") and message in shown
    assert not StaffAccess.objects.filter(action=StaffAction.EXPORTED).exists()


def test_a_force_the_rep_does_not_cover_is_refused_by_name(rep: User, officer: User, force_b: object) -> None:
    IncidentFactory(officer=officer)
    client = staff_client(rep)
    assert refused(client, CHANGELIST, {"force": str(force_b.pk)}) == [
        "The list is shown without part of that link. That force is not one you cover."
    ]
    own = officer.officer_profile.force.pk
    assert client.get(CHANGELIST, {"force": str(own)}).status_code == 200


@pytest.mark.parametrize("who", ["rep", "national_staff"])
def test_an_empty_to_field_on_an_object_page_is_a_bad_request_not_a_500(
    request: pytest.FixtureRequest, officer: User, who: str
) -> None:
    """Found by tests/security/test_staff_query_strings.py: Django looked "?_to_field=" up as a
    field named "" on every admin object page (FieldDoesNotExist, a 500)."""
    client = staff_client(request.getfixturevalue(who))
    incident = IncidentFactory(officer=officer)
    for view in ("change", "history"):
        url = reverse(f"admin:incidents_incident_{view}", args=[incident.pk])
        assert client.get(url, {"_to_field": ""}).status_code == 400
        assert client.get(url).status_code == 200
    figure = reverse("admin:reports_officialfigure_change", args=[1])
    assert client.get(figure, {"_to_field": ""}).status_code in (400, 403)


def test_an_empty_to_field_is_a_bad_request_on_the_libraries_admin_pages_too() -> None:
    """Groups, e-mail addresses and authenticators (the superuser's pages) answered 500 as well."""
    superuser = make_staff(NATIONAL_GROUP)
    User.objects.filter(pk=superuser.pk).update(is_superuser=True)
    client = staff_client(User.objects.get(pk=superuser.pk))
    group = Group.objects.get(name=NATIONAL_GROUP)
    address = EmailAddress.objects.create(user=superuser, email=superuser.email, verified=True, primary=True)
    authenticator = Authenticator.objects.filter(user=superuser).first()
    for model, pk in (
        ("auth/group", group.pk),
        ("account/emailaddress", address.pk),
        ("mfa/authenticator", authenticator.pk),
    ):
        url = f"/{settings.ADMIN_URL}{model}/{pk}/change/"
        assert client.get(url).status_code == 200, url
        assert client.get(url, {"_to_field": ""}).status_code == 400, url


def test_good_parameters_are_kept_when_a_bad_one_is_dropped(national_staff: User, officer: User) -> None:
    IncidentFactory(officer=officer)
    client = staff_client(national_staff)
    assert kept(client, {"status__exact": "submitted", "officer": "1"}) == {"status__exact": "submitted"}
    assert kept(client, {"occurred_on__year": "2020", "occurred_on__month": "13"}) == {"occurred_on__year": "2020"}


def test_a_page_past_the_end_comes_back_to_the_whole_list(
    national_staff: User, officer: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The admin sends a page it cannot show to "?e=1", which it answers with a page about a
    broken database installation; here the rep gets the list and a message."""
    monkeypatch.setattr(IncidentAdmin, "list_per_page", 1)
    IncidentFactory(officer=officer)
    IncidentFactory(officer=officer)
    client = staff_client(national_staff)
    response = client.get(CHANGELIST, {"p": "50"}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == CHANGELIST
    assert "That page of the list is not there any more." in response.content.decode()
    assert "database installation" not in response.content.decode()


@pytest.mark.postgres
@pytest.mark.parametrize("name", [*REVIEW_LIST_PARAMETERS, "officer"])
def test_a_nul_byte_in_any_parameter_is_refused_on_postgresql(national_staff: User, officer: User, name: str) -> None:
    IncidentFactory(officer=officer)
    client = staff_client(national_staff)
    for url in (CHANGELIST, *EXPORTS):
        response = client.get(url, {name: "2\x00"})
        assert response.status_code == 400
        assert "holds a character that cannot be used" in response.content.decode()
    assert not StaffAccess.objects.filter(action=StaffAction.EXPORTED).exists()


def test_every_admin_list_refuses_lookups_it_does_not_offer(national_staff: User) -> None:
    """The other lists (strength, users, profiles, access log): Django's own refusal (400) for
    a lookup on a field that is not one of their filters. (The figures list checks each of its
    parameters as the review list does: see the last test here.)"""
    national_staff.is_superuser = True
    national_staff.save()
    client = staff_client(national_staff)
    for model, lookup in [
        ("incidents/user", "password__startswith"),
        ("incidents/officerprofile", "collar_number"),
        ("incidents/staffaccess", "detail__contains"),
        ("incidents/force", "code"),
        ("reports/officerstrength", "source_url"),
        ("reports/recomputerun", "started_by"),
    ]:
        url = f"/{reverse('admin:index').strip('/')}/{model}/"
        assert client.get(url).status_code == 200, url
        assert client.get(url, {lookup: "a"}).status_code == 400, (url, lookup)


def test_every_filter_link_of_every_admin_list_works(national_staff: User, rep: User, officer: User) -> None:
    """The lookups refused above are those no filter offers: each link a list's filters draw is
    followed here and must show the list (a year filter of the figures once answered 400)."""
    from tests.security.addresses import build_world

    build_world(officer=officer, rep=rep, national_staff=national_staff, force=officer.officer_profile.force)
    national_staff.is_superuser = True
    national_staff.save()
    client = staff_client(national_staff)
    followed = 0
    models = [model for label in ("incidents", "reports") for model in apps.get_app_config(label).get_models()]
    for model in filter(admin.site.is_registered, models):
        model_admin = admin.site.get_model_admin(model)
        request = RequestFactory().get("/")
        request.user = national_staff
        changelist = model_admin.get_changelist_instance(request)
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for spec in changelist.filter_specs:
            for choice in spec.choices(changelist):
                response = client.get(url + choice["query_string"])
                assert response.status_code == 200, (url, choice["query_string"], response.status_code)
                followed += 1
    assert followed > 60


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"year": "abc"}, "Choose a financial year from the list."),
        ({"year": "99999999999999999999"}, "Choose a financial year from the list."),
        ({"basis__exact": "zz"}, "“zz” is not one of the bases this list offers."),
        ({"source_kind__exact": "rumour"}, "“rumour” is not one of the kinds of source this list offers."),
        ({"o": "99"}, "That sort order is not one we offer."),
        ({"q": "x" * 101}, "Search for at most 100 characters."),
        ({"foo": "1"}, "“foo” is not a filter of this list."),
    ],
)
def test_the_official_figures_list_refuses_bad_links_with_a_message_too(
    national_staff: User, query: dict[str, str], message: str
) -> None:
    """Found by an outside try: these were ignored silently, showed nothing, or were a 400."""
    figures = reverse("admin:reports_officialfigure_changelist")
    client = staff_client(national_staff)
    # A good parameter beside the bad one is kept.
    response = client.get(figures, {**query, "basis__exact": "8s_104"} if "basis__exact" not in query else query)
    assert response.status_code == 302 and response["Location"].startswith(figures)
    page = client.get(response["Location"])
    assert page.status_code == 200
    [shown] = [str(m) for m in page.context["messages"]]
    assert shown.startswith("The list is shown without part of that link.") and message in shown
