"""The outside probe's smaller notes (issue 14, "also noted"): allauth's 429 without
``Retry-After``, the ``messages`` cookie carrying "Successfully signed in as <e-mail>", and
staff at the federation's own domain unable to reset their password."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.urls import reverse

from incidents.models import User
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_allauths_own_rate_limit_answers_429_with_retry_after_on_the_sites_page() -> None:
    client = Client()
    responses = [
        client.post(reverse("account_login"), {"login": f"x{n}@kent.police.uk", "password": "x"}) for n in range(31)
    ]
    limited = responses[-1]
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) == 60
    page = limited.content.decode()
    assert "Please wait before trying again" in page and '<html lang="en-GB">' in page


def test_no_cookie_carries_the_signed_in_address(officer: User) -> None:
    EmailAddress.objects.create(user=officer, email=officer.email, verified=True, primary=True)
    client = Client()
    response = client.post(reverse("account_login"), {"login": officer.email, "password": PASSWORD})
    assert response.status_code == 302
    assert "messages" not in response.cookies
    assert set(response.cookies) <= {"sessionid", "csrftoken"}
    # The message still shows, from the session.
    assert "Successfully signed in" in client.get(reverse("home")).content.decode()


def test_staff_at_the_federations_domain_can_reset_their_password(rep: User) -> None:
    EmailAddress.objects.create(user=rep, email=rep.email, verified=True, primary=True)
    assert rep.email.endswith("@federation.example")
    response = Client().post(reverse("account_reset_password"), {"email": rep.email})
    assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [[rep.email]]
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_a_reset_for_an_unknown_address_answers_the_same(rep: User) -> None:
    known = Client().post(reverse("account_reset_password"), {"email": rep.email})
    unknown = Client().post(reverse("account_reset_password"), {"email": "nobody@federation.example"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])


def test_sign_up_still_needs_a_force_address() -> None:
    response = Client().post(
        reverse("account_signup"),
        {"email": "someone@federation.example", "password1": "a-long-passphrase", "password2": "a-long-passphrase"},
    )
    assert response.status_code == 200
    assert "Use your force e-mail address" in response.content.decode()
    assert not User.objects.filter(email="someone@federation.example").exists()


def test_an_officer_may_add_only_another_force_address(officer: User) -> None:
    client = Client()
    client.force_login(officer)
    response = client.post(reverse("account_email"), {"action_add": "", "email": "me@gmail.com"})
    assert "Use your force e-mail address" in response.content.decode()
    assert not EmailAddress.objects.filter(email="me@gmail.com").exists()
