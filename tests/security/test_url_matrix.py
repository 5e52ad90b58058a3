"""Every URL pattern of the project, for each persona: exactly what they get.

The patterns come from the resolver (admin and allauth included), so a pattern added without
an expectation here fails ``test_every_url_pattern_has_an_expectation``. App and allauth
patterns are listed one by one; the admin's generated model pages follow one rule per model
admin, and any other admin page is listed one by one too.

Each row reads: anonymous, officer (force A), other-force officer, rep (force A), other-force
rep, national staff. The parameterised addresses use real objects: ``officer``'s report in
force A, the force A slug, a snapshot year, real reset and confirmation keys.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from incidents.models import Force, User
from tests.security.addresses import ADMIN, Pattern, World, build_world, project_patterns

pytestmark = pytest.mark.django_db

PERSONAS = ("anonymous", "officer", "other_force_officer", "rep", "other_rep", "national_staff")
SELF = "<the address asked for>"


@dataclass(frozen=True)
class Redirect:
    # The Location's path; "{path}" is the address asked for ("{parent}" its folder),
    # "{reference}" the report's.
    to: str
    next: str | None = None  # the next= it must carry (SELF: the address asked for)


class Row(NamedTuple):
    anonymous: int | Redirect
    officer: int | Redirect
    other_force_officer: int | Redirect
    rep: int | Redirect
    other_rep: int | Redirect
    national_staff: int | Redirect


OK, FORBIDDEN, NOT_FOUND, NOT_ALLOWED = 200, 403, 404, 405
LOGIN = Redirect("/accounts/login/", next=SELF)
ADMIN_LOGIN = Redirect(f"/{ADMIN}login/", next=SELF)
HOME = Redirect("/")
REAUTHENTICATE = Redirect("/accounts/reauthenticate/", next=SELF)

EVERYONE = Row(OK, OK, OK, OK, OK, OK)
OFFICERS_ONLY = Row(LOGIN, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN)
# A report of ``officer``'s: any other officer gets the same 404 as for a reference that does
# not exist; staff read reports in the review admin, never through the officer's pages.
OWN_REPORT = Row(LOGIN, OK, NOT_FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN)
SIGNED_IN = Row(LOGIN, OK, OK, OK, OK, OK)
SIGNED_OUT_ONLY = Row(OK, HOME, HOME, HOME, HOME, HOME)
STAFF_ONLY = Row(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, OK, OK, OK)

EXPECTED: dict[str, Row] = {
    # The app.
    "": EVERYONE,
    "healthz": EVERYONE,
    "csp-report": Row(*[NOT_ALLOWED] * 6),  # browsers POST violation reports
    "language/": Row(*[NOT_ALLOWED] * 6),  # the language switcher's form POSTs
    # The installable app: the worker, its manifest and the page kept for no signal name no
    # one; the outbox's token is an officer's alone.
    "sw.js": EVERYONE,
    "manifest.webmanifest": EVERYONE,
    "offline/": EVERYONE,
    "offline/token/": Row(401, OK, OK, 401, 401, 401),
    "report/quick/": OFFICERS_ONLY,
    "report/new/": OFFICERS_ONLY,
    "reports/": OFFICERS_ONLY,
    "reports/<str:reference>/": OWN_REPORT,
    "reports/<str:reference>/submitted/": OWN_REPORT,
    "reports/<str:reference>/edit/<int:step>/": OWN_REPORT,
    # A submitted report has nothing left to check: back to its page.
    "reports/<str:reference>/check/": OWN_REPORT._replace(officer=Redirect("/reports/{reference}/")),
    "reports/<str:reference>/withdraw/": OWN_REPORT,
    # POST only, refused before the report is even looked up (so it reveals nothing).
    "reports/<str:reference>/answer/": Row(LOGIN, NOT_ALLOWED, NOT_ALLOWED, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    "profile/": OFFICERS_ONLY,
    "profile/my-data.json": OFFICERS_ONLY,
    "profile/my-data.csv": OFFICERS_ONLY,
    "profile/close/": OFFICERS_ONLY,
    "dashboard/": SIGNED_IN,
    "dashboard/method/": EVERYONE,
    "dashboard/method/statement.md": EVERYONE,
    "dashboard/recompute/": Row(*[NOT_ALLOWED] * 6),  # POST only (national staff; see the CSRF tests)
    # Officers see England and Wales only; reps see every force's page (their own in full).
    "dashboard/<slug:slug>/": Row(LOGIN, NOT_FOUND, NOT_FOUND, OK, OK, OK),
    # A force's briefing is about its officers' entries: its own reps and national staff only.
    "dashboard/<slug:slug>/<str:year>/briefing/": Row(LOGIN, NOT_FOUND, NOT_FOUND, OK, NOT_FOUND, OK),
    # allauth: accounts, e-mail, passwords, two-factor authentication.
    "accounts/login/": SIGNED_OUT_ONLY,
    "accounts/logout/": Row(HOME, OK, OK, OK, OK, OK),  # GET asks; only a POST signs out
    "accounts/inactive/": EVERYONE,
    "accounts/signup/": SIGNED_OUT_ONLY,
    "accounts/reauthenticate/": SIGNED_IN,
    "accounts/email/": SIGNED_IN,
    "accounts/confirm-email/": EVERYONE,
    "accounts/password/change/": SIGNED_IN,
    "accounts/password/set/": Row(LOGIN, *[Redirect("/accounts/password/change/")] * 5),
    "accounts/password/reset/": EVERYONE,
    "accounts/login/code/confirm/": Row(Redirect("/accounts/login/"), HOME, HOME, HOME, HOME, HOME),
    "accounts/^confirm-email/(?P<key>[-:\\w]+)/$": EVERYONE,  # shows the address and asks to confirm
    "accounts/password/reset/key/done/": EVERYONE,
    # A valid key is moved into the session and out of the address (no Referer leak).
    "accounts/^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$": Row(
        *[Redirect("/accounts/password/reset/key/{uidb36}-set-password/")] * 6
    ),
    "accounts/password/reset/done/": EVERYONE,
    "accounts/2fa/": SIGNED_IN,
    "accounts/2fa/authenticate/": Row(Redirect("/accounts/login/"), HOME, HOME, HOME, HOME, HOME),
    "accounts/2fa/reauthenticate/": Row(
        LOGIN, Redirect("/accounts/reauthenticate/"), Redirect("/accounts/reauthenticate/"), OK, OK, OK
    ),
    # Staff already have TOTP; officers' addresses in these tests are unverified, which
    # allauth requires first.
    "accounts/2fa/totp/activate/": Row(LOGIN, *[Redirect("/accounts/2fa/")] * 5),
    "accounts/2fa/totp/deactivate/": Row(LOGIN, NOT_FOUND, NOT_FOUND, REAUTHENTICATE, REAUTHENTICATE, REAUTHENTICATE),
    "accounts/2fa/recovery-codes/": Row(LOGIN, *[NOT_FOUND] * 5),
    "accounts/2fa/recovery-codes/generate/": Row(LOGIN, *[REAUTHENTICATE] * 5),
    "accounts/2fa/recovery-codes/download/": Row(LOGIN, *[NOT_FOUND] * 5),
    # The admin's own pages. Its login is allauth's (rate limits, two-factor authentication).
    f"{ADMIN}": STAFF_ONLY,
    f"{ADMIN}login/": Row(
        Redirect("/accounts/login/", next=f"/{ADMIN}login/"),
        FORBIDDEN,
        FORBIDDEN,
        Redirect(f"/{ADMIN}"),
        Redirect(f"/{ADMIN}"),
        Redirect(f"/{ADMIN}"),
    ),
    # Signing out is a POST; a GET from someone signed out goes to the admin, then to sign in.
    f"{ADMIN}logout/": Row(*[Redirect(f"/{ADMIN}")] * 3, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED),
    f"{ADMIN}password_change/": STAFF_ONLY,
    f"{ADMIN}password_change/done/": STAFF_ONLY,
    f"{ADMIN}autocomplete/": STAFF_ONLY._replace(rep=FORBIDDEN, other_rep=FORBIDDEN, national_staff=FORBIDDEN),
    f"{ADMIN}jsi18n/": STAFF_ONLY,
    # "View on site": reports have no public page.
    f"{ADMIN}r/<path:content_type_id>/<path:object_id>/": STAFF_ONLY._replace(
        rep=NOT_FOUND, other_rep=NOT_FOUND, national_staff=NOT_FOUND
    ),
    f"{ADMIN}^(?P<app_label>incidents|auth|account|mfa|reports)/$": STAFF_ONLY,
    f"{ADMIN}(?P<url>.*)$": STAFF_ONLY._replace(rep=NOT_FOUND, other_rep=NOT_FOUND, national_staff=NOT_FOUND),
    # Exports have their own permission (reps and national staff hold it) and are scoped.
    f"{ADMIN}incidents/incident/export/<str:file_format>/": STAFF_ONLY,
    # A report's review is posted from its page: a GET (a reload after a refused review) goes
    # back to the page, for a report in scope; another force's is a 404, as everywhere.
    f"{ADMIN}incidents/incident/<path:object_id>/review/": STAFF_ONLY._replace(
        rep=Redirect("{parent}change/"), other_rep=NOT_FOUND, national_staff=Redirect("{parent}change/")
    ),
    f"{ADMIN}reports/officialfigure/import/": STAFF_ONLY._replace(rep=FORBIDDEN, other_rep=FORBIDDEN),
    # The recording check: national staff draw (the add page), download the sheet and change the
    # status by POST only, and import the answers.
    f"{ADMIN}reports/recordingcheck/add/": STAFF_ONLY._replace(rep=FORBIDDEN, other_rep=FORBIDDEN),
    f"{ADMIN}reports/recordingcheck/<path:object_id>/sheet/<str:file_format>/": STAFF_ONLY._replace(
        rep=FORBIDDEN, other_rep=FORBIDDEN, national_staff=NOT_ALLOWED
    ),
    f"{ADMIN}reports/recordingcheck/<path:object_id>/status/": STAFF_ONLY._replace(
        rep=FORBIDDEN, other_rep=FORBIDDEN, national_staff=NOT_ALLOWED
    ),
    f"{ADMIN}reports/recordingcheck/<path:object_id>/answers/": STAFF_ONLY._replace(rep=FORBIDDEN, other_rep=FORBIDDEN),
}

# The admin's generated pages per model admin: (rep, other-force rep, national staff) for the
# list and for an object's page and history. Nothing can be added or deleted by anyone; an
# object's bare address redirects to its page; non-staff go to the admin's sign-in.
ADMIN_MODELS: dict[str, tuple[tuple[int, int, int], tuple[int, int, int]]] = {
    # A force A report: the other force's rep gets a 404, as for a report that does not exist.
    "incidents/incident": ((OK, OK, OK), (OK, NOT_FOUND, OK)),
    "incidents/force": ((OK, OK, OK), (OK, OK, OK)),
    # Who viewed and exported what: national staff only.
    "incidents/staffaccess": ((FORBIDDEN, FORBIDDEN, OK), (FORBIDDEN, FORBIDDEN, OK)),
    "reports/officialfigure": ((FORBIDDEN, FORBIDDEN, OK), (FORBIDDEN, FORBIDDEN, OK)),
    "reports/officerstrength": ((FORBIDDEN, FORBIDDEN, OK), (FORBIDDEN, FORBIDDEN, OK)),
    "reports/recomputerun": ((FORBIDDEN, FORBIDDEN, OK), (FORBIDDEN, FORBIDDEN, OK)),
    "reports/recordingcheck": ((FORBIDDEN, FORBIDDEN, OK), (FORBIDDEN, FORBIDDEN, OK)),
    # Accounts are managed by the superuser only.
    "incidents/user": ((FORBIDDEN,) * 3, (FORBIDDEN,) * 3),
    "incidents/officerprofile": ((FORBIDDEN,) * 3, (FORBIDDEN,) * 3),
    "auth/group": ((FORBIDDEN,) * 3, (FORBIDDEN,) * 3),
    "account/emailaddress": ((FORBIDDEN,) * 3, (FORBIDDEN,) * 3),
    "mfa/authenticator": ((FORBIDDEN,) * 3, (FORBIDDEN,) * 3),
}
# The user admin's own extra page (set a password): superuser only.
EXPECTED[f"{ADMIN}incidents/user/<id>/password/"] = STAFF_ONLY._replace(
    rep=FORBIDDEN, other_rep=FORBIDDEN, national_staff=FORBIDDEN
)

ADMIN_MODEL_PAGE = re.compile(
    rf"^{re.escape(ADMIN)}(?P<model>\w+/\w+)/(?P<page>|add/|<path:object_id>/(?:history/|delete/|change/)?)$"
)


def expectation(pattern: Pattern) -> Row | None:
    if pattern.route in EXPECTED:
        return EXPECTED[pattern.route]
    match = ADMIN_MODEL_PAGE.match(pattern.route)
    if not match or match["model"] not in ADMIN_MODELS:
        return None
    listing, detail = ADMIN_MODELS[match["model"]]
    page = match["page"]
    if page in ("add/", "<path:object_id>/delete/"):
        staff = (FORBIDDEN,) * 3
    elif page == "<path:object_id>/":
        staff = (Redirect("{path}change/"),) * 3
    else:
        staff = listing if page == "" else detail
    return Row(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, *staff)


def test_every_url_pattern_has_an_expectation() -> None:
    patterns = project_patterns()
    missing = [p.route for p in patterns if expectation(p) is None]
    assert not missing, f"URL patterns without an expectation in {__name__}: {missing}"
    stale = set(EXPECTED) - {p.route for p in patterns}
    assert not stale, f"expectations for patterns that no longer exist: {stale}"
    assert len(patterns) > 100  # the walk reached into admin and allauth


def outcome_matches(expected: int | Redirect, response: object, path: str, world: World) -> bool:
    if isinstance(expected, int):
        return response.status_code == expected
    if response.status_code != 302:
        return False
    location = urlsplit(response["Location"])
    uidb36 = world.reset_uidb36
    parent = path.rstrip("/").rsplit("/", 1)[0] + "/"
    if location.netloc or location.path != expected.to.format(
        path=path, parent=parent, reference=world.incident.reference, uidb36=uidb36
    ):
        return False
    if expected.next is not None:
        wanted = path if expected.next == SELF else expected.next
        return parse_qs(location.query).get("next") == [wanted]
    return True


@pytest.fixture
def world(officer: User, rep: User, national_staff: User, force_a: Force) -> World:
    return build_world(officer=officer, rep=rep, national_staff=national_staff, force=force_a)


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_gets_exactly_what_it_should_from_every_url(
    request: pytest.FixtureRequest, world: World, persona: str
) -> None:
    """Refusals and positive controls alike: every 200 in the table is a page that persona
    must reach, as much as every 403/404 is one it must not."""
    user = None if persona == "anonymous" else request.getfixturevalue(persona)
    wrong = []
    for pattern in project_patterns():
        expected = expectation(pattern)
        assert expected is not None, pattern.route
        wanted = getattr(expected, persona)
        path = world.path(pattern)
        # A fresh session for each address: a valid password reset link signs out whoever
        # opens it, which must not change what the next address gives.
        client = Client()
        if user is not None:
            client.force_login(user)
        response = client.get(path)
        if not outcome_matches(wanted, response, path, world):
            got = response.status_code, response.get("Location", "")
            wrong.append(f"{path} ({pattern.route}): expected {wanted}, got {got}")
    assert not wrong, "\n".join(wrong)


def test_the_table_holds_positive_controls_for_every_persona() -> None:
    """Each signed-in persona has pages it must reach: a matrix of refusals alone proves little."""
    rows = [row for row in (expectation(p) for p in project_patterns()) if row]
    for persona in PERSONAS:
        reachable = sum(1 for row in rows if getattr(row, persona) == OK)
        assert reachable >= 8, persona
