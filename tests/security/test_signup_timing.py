"""Finding 7 of the outside probe (issue 14): sign-up timing told whether an address had an
account (a new address about 290 ms, a known one about 17 ms; same status, same page).

Most of a new account's time is hashing its password. A known address now hashes the password
it was given too, and then gets allauth's answer (the same "check your e-mail" page; the owner
gets an "account already exists" e-mail). Timing is measured by ``bench/signup_timing.py``,
not here (docs/security.md has the figures); this checks the work: one hash each way.
"""

from __future__ import annotations

from typing import Any, ClassVar

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from incidents.models import User
from tests.incidents.test_accounts import signup_data

pytestmark = pytest.mark.django_db


class CountingHasher(MD5PasswordHasher):
    algorithm = "counting_md5"
    hashed: ClassVar[list[str]] = []

    def encode(self, password: str, salt: str, *args: Any, **kwargs: Any) -> str:
        CountingHasher.hashed.append(password)
        return super().encode(password, salt, *args, **kwargs)


@pytest.fixture
def counting_hasher(settings: Any) -> list[str]:
    settings.PASSWORD_HASHERS = ["tests.security.test_signup_timing.CountingHasher"]
    CountingHasher.hashed.clear()
    return CountingHasher.hashed


def sign_up(email: str) -> Any:
    return Client().post(reverse("account_signup"), signup_data(email=email))


def test_sign_up_does_the_same_work_for_a_known_address_as_for_a_new_one(counting_hasher: list[str]) -> None:
    new = sign_up("pc.new@thamesvalley.police.uk")
    assert counting_hasher == ["a-long-unusual-passphrase"]
    EmailAddress.objects.filter(email="pc.new@thamesvalley.police.uk").update(verified=True)
    cache.clear()  # allauth sends one e-mail to an address per 3 minutes: this is a later visit
    counting_hasher.clear()
    known = sign_up("PC.New@ThamesValley.Police.uk")
    assert counting_hasher == ["a-long-unusual-passphrase"]
    # The same answer either way, and one account only.
    assert (new.status_code, new["Location"]) == (known.status_code, known["Location"])
    assert User.objects.filter(email="pc.new@thamesvalley.police.uk").count() == 1
    # Each is sent one e-mail: the new address its confirmation link, the owner of the known
    # one word that someone tried to sign up with it.
    assert [message.to for message in mail.outbox] == [["pc.new@thamesvalley.police.uk"]] * 2
    assert "confirm" in mail.outbox[0].body
    assert "already" in mail.outbox[1].body


def test_a_refused_sign_up_hashes_nothing(counting_hasher: list[str]) -> None:
    """Bad input answers at once either way (it never reaches the account check's work)."""
    response = sign_up("someone@gmail.com")
    assert response.status_code == 200
    assert counting_hasher == []
