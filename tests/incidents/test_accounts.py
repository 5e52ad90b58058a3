from __future__ import annotations

import re
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.urls import reverse

from incidents.models import OfficerProfile, User
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def signup_data(**overrides: Any) -> dict[str, str]:
    data = {
        "email": "PC.Jones@ThamesValley.Police.uk",
        "display_name": "PC Alex Jones",
        "collar_number": "TV1234",
        "usual_duty": "response",
        "service_band": "under_2",
        "password1": "a-long-unusual-passphrase",
        "password2": "a-long-unusual-passphrase",
    }
    data.update(overrides)
    return data


def confirmation_link() -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(1)


def test_signup_with_a_force_email_makes_an_officer_of_that_force() -> None:
    client = Client()
    response = client.post(reverse("account_signup"), signup_data())
    assert response.status_code == 302
    user = User.objects.get(email="pc.jones@thamesvalley.police.uk")
    profile = OfficerProfile.objects.get(user=user)
    assert profile.force.slug == "thames-valley"
    assert (profile.display_name, profile.collar_number, profile.usual_duty) == ("PC Alex Jones", "TV1234", "response")
    assert not user.is_staff


def test_signup_with_another_domain_is_refused_with_a_clear_message() -> None:
    response = Client().post(reverse("account_signup"), signup_data(email="alex@gmail.com"))
    assert response.status_code == 200
    assert "Use your force e-mail address" in response.content.decode()
    assert "There is a problem" in response.content.decode()
    assert not User.objects.exists()


def test_signup_missing_profile_answers_is_refused_and_creates_nobody() -> None:
    response = Client().post(reverse("account_signup"), signup_data(usual_duty="", display_name=""))
    assert "Choose your usual duty." in response.content.decode()
    assert not User.objects.exists()


def test_officer_must_verify_their_email_before_using_the_app() -> None:
    client = Client()
    client.post(reverse("account_signup"), signup_data())
    assert "confirm-email" in mail.outbox[-1].body

    # Not verified yet: signing in sends them to verify, not into the app.
    response = client.post(
        reverse("account_login"), {"login": "pc.jones@thamesvalley.police.uk", "password": "a-long-unusual-passphrase"}
    )
    assert response.status_code == 302
    assert "confirm-email" in response["Location"]
    assert client.get(reverse("incidents:quick")).status_code == 302

    link = confirmation_link()
    response = client.post(link)
    assert response.status_code == 302
    assert EmailAddress.objects.get(email="pc.jones@thamesvalley.police.uk").verified
    client.post(
        reverse("account_login"), {"login": "pc.jones@thamesvalley.police.uk", "password": "a-long-unusual-passphrase"}
    )
    assert client.get(reverse("incidents:quick")).status_code == 200


def test_password_reset_sends_an_email(officer: User) -> None:
    EmailAddress.objects.create(user=officer, email=officer.email, verified=True, primary=True)
    response = Client().post(reverse("account_reset_password"), {"email": officer.email})
    assert response.status_code == 302
    assert mail.outbox[-1].to == [officer.email]
    assert "password" in mail.outbox[-1].subject.lower()


def test_login_and_logout(officer: User) -> None:
    EmailAddress.objects.create(user=officer, email=officer.email, verified=True, primary=True)
    client = Client()
    response = client.post(reverse("account_login"), {"login": officer.email, "password": PASSWORD})
    assert response["Location"] == reverse("home")
    assert client.get(reverse("incidents:list")).status_code == 200
    client.post(reverse("account_logout"))
    assert client.get(reverse("incidents:list")).status_code == 302


def test_wrong_password_is_refused_with_a_message(officer: User) -> None:
    EmailAddress.objects.create(user=officer, email=officer.email, verified=True, primary=True)
    response = Client().post(reverse("account_login"), {"login": officer.email, "password": "wrong"})
    assert response.status_code == 200
    assert "not correct" in response.content.decode()


@pytest.mark.parametrize("name", ["account_login", "account_signup", "account_reset_password"])
def test_account_pages_use_the_app_layout(name: str) -> None:
    content = Client().get(reverse(name)).content.decode()
    assert "vendor/bootstrap/bootstrap.min.css" in content
    assert "Skip to main content" in content


@pytest.mark.parametrize(
    ("name", "heading"),
    [
        ("account_login", "Sign in"),
        ("account_signup", "Create an account"),
        ("account_reset_password", "Reset your password"),
        ("account_reset_password_done", "Check your e-mail"),
        ("account_email_verification_sent", "Check your e-mail"),
    ],
)
def test_account_pages_speak_as_the_app_does(name: str, heading: str, settings: Any) -> None:
    """Sentence case and plain words, not the login library's ("Sign Up", "Verify Your Email
    Address"), and where help is asked for, an address to ask."""
    settings.CONTACT_EMAIL = "help@federation.test"
    page = Client().get(reverse(name)).content.decode()
    assert re.search(rf"<h1[^>]*>\s*{heading}\s*</h1>", page), page[:3000]
    for library_voice in ("Sign In", "Sign Up", "Verify Your", "Password Reset", "contact us", "Reset My"):
        assert library_voice not in page
    if name != "account_login" and name != "account_signup":
        assert 'href="mailto:help@federation.test"' in page


def test_account_e_mails_say_who_sent_them_and_where_to_ask(settings: Any) -> None:
    settings.CONTACT_EMAIL = "help@federation.test"
    Client().post(reverse("account_signup"), signup_data())
    body = mail.outbox[-1].body
    assert body.startswith("Assault Log, from the Police Federation")
    assert "help@federation.test" in body
    assert "Hello from" not in body and "example.com" not in body
