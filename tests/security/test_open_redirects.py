"""Open redirects: no ``next=`` sends anyone off the site.

The app's own views read no redirect parameter (they redirect to named pages only); the ones
that do are allauth's (sign-in, two-factor step, sign-out, sign-up, re-authentication,
password change) and the admin's (sign-in, which hands over to allauth's, and sign-out).
Every hop of every redirect chain is checked, for each way of writing an off-site address."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.urls import reverse

from incidents.models import User
from tests.conftest import totp_code
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

OFF_SITE = [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "\\\\evil.example/",
    "https:evil.example",
    "javascript:alert(1)",
    " //evil.example/",
]
ADMIN_INDEX = reverse("admin:index")


def on_site(location: str) -> bool:
    stripped = location.strip()
    if stripped.startswith(("//", "/\\", "\\")):
        return False  # browsers read these as another host
    parts = urlsplit(stripped)
    return parts.scheme in ("", "http", "https") and parts.netloc in ("", "testserver") and "evil" not in parts.netloc


def follow(client: Client, response: Any, hops: int = 6) -> Any:
    """Follow the redirect chain, asserting every hop stays on the site."""
    for _ in range(hops):
        if response.status_code not in (301, 302, 303, 307, 308):
            return response
        location = response["Location"]
        assert on_site(location), location
        response = client.get(location)
    raise AssertionError("redirect loop")


def verified(user: User) -> User:
    EmailAddress.objects.update_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
    return user


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("target", OFF_SITE)
def test_sign_in_never_redirects_off_site(officer: User, target: str) -> None:
    client = Client()
    login = reverse("account_login")
    page = client.get(login, {"next": target})
    assert page.status_code == 200
    response = client.post(login, {"login": verified(officer).email, "password": PASSWORD, "next": target})
    assert response.status_code == 302
    assert on_site(response["Location"])
    assert follow(client, response).status_code == 200
    assert client.session["_auth_user_id"] == str(officer.pk)


@pytest.mark.parametrize("target", OFF_SITE)
def test_two_factor_step_never_redirects_off_site(rep: User, target: str) -> None:
    client = Client()
    response = client.post(
        reverse("account_login") + "?next=" + target,
        {"login": verified(rep).email, "password": PASSWORD, "next": target},
    )
    assert response["Location"] == reverse("mfa_authenticate")
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    assert response.status_code == 302
    assert on_site(response["Location"])
    follow(client, response)
    assert client.session["_auth_user_id"] == str(rep.pk)


@pytest.mark.parametrize("target", OFF_SITE)
def test_admin_sign_in_never_redirects_off_site(rep: User, target: str) -> None:
    anonymous = Client()
    response = anonymous.get(reverse("admin:login"), {"next": target})
    assert on_site(response["Location"])
    assert follow(anonymous, response).status_code == 200  # allauth's sign-in page
    # Already signed in: the admin's sign-in page sends staff to the admin, whatever next says.
    client = signed_in(rep)
    response = client.get(reverse("admin:login"), {"next": target})
    assert response["Location"] == ADMIN_INDEX


@pytest.mark.parametrize("target", OFF_SITE)
def test_sign_out_never_redirects_off_site(officer: User, rep: User, target: str) -> None:
    client = signed_in(officer)
    response = client.post(reverse("account_logout"), {"next": target})
    assert response.status_code == 302
    assert on_site(response["Location"])
    assert "_auth_user_id" not in client.session

    client = signed_in(rep)
    response = client.post(reverse("admin:logout") + "?next=" + target, {"next": target})
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        follow(client, response)


@pytest.mark.parametrize("target", OFF_SITE)
def test_sign_up_never_redirects_off_site(force_a: object, target: str) -> None:
    client = Client()
    data = {
        "email": "new.officer@thamesvalley.police.uk",
        "password1": "a-long-new-password-1",
        "password2": "a-long-new-password-1",
        "display_name": "PC New",
        "usual_duty": "response",
        "service_band": "under_2",
        "next": target,
    }
    response = client.post(reverse("account_signup") + "?next=" + target, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    follow(client, response)


@pytest.mark.parametrize("target", OFF_SITE)
def test_reauthentication_and_password_change_never_redirect_off_site(officer: User, target: str) -> None:
    client = signed_in(verified(officer))
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD, "next": target})
    assert response.status_code == 302
    follow(client, response)
    response = client.post(
        reverse("account_change_password"),
        {
            "oldpassword": PASSWORD,
            "password1": "another-password-42",
            "password2": "another-password-42",
            "next": target,
        },
    )
    assert response.status_code == 302
    follow(client, response)


def test_an_on_site_next_is_honoured(officer: User) -> None:
    """The positive control: a local next= is where sign-in goes."""
    client = Client()
    target = reverse("incidents:list")
    response = client.post(
        reverse("account_login"), {"login": verified(officer).email, "password": PASSWORD, "next": target}
    )
    assert response["Location"] == target
