"""Finding 2 of the outside probe (issue 14): one person could block sign-in for everyone
behind the load balancer.

allauth counts its sign-in limits per client address, and behind the load balancer every
request comes from the balancer's. 30 wrong passwords under made-up addresses gave every
other officer a 429 for a minute. TRUSTED_PROXY_COUNT (or TRUSTED_CLIENT_IP_HEADER) tells it
where the client's own address is, and production refuses to pass its deploy checks without.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.urls import reverse

from incidents.models import User
from tests.factories import PASSWORD
from tests.test_settings import ROOT, deploy_check, load_settings

pytestmark = pytest.mark.django_db

LOAD_BALANCER = "10.0.0.5"
ATTACKER = "203.0.113.9"
OFFICER_ELSEWHERE = "192.0.2.44"


def sign_in(client: Client, email: str, password: str, address: str, *, spoofed: str = "") -> object:
    """A sign-in as the load balancer passes it on: from its address, the client's appended to
    whatever X-Forwarded-For the client sent itself."""
    forwarded = f"{spoofed}, {address}" if spoofed else address
    return client.post(
        reverse("account_login"),
        {"login": email, "password": password},
        REMOTE_ADDR=LOAD_BALANCER,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


def attack(client: Client) -> None:
    """30 wrong passwords for made-up addresses, each claiming another origin."""
    for number in range(30):
        sign_in(client, f"made-up-{number}@thamesvalley.police.uk", "wrong", ATTACKER, spoofed=f"198.51.100.{number}")


def refused(response: object) -> bool:
    return response.status_code == 429 or "Too many failed login attempts" in response.content.decode()


@pytest.fixture
def verified_officer(officer: User) -> User:
    EmailAddress.objects.create(user=officer, email=officer.email, verified=True, primary=True)
    return officer


def test_one_persons_failed_sign_ins_do_not_lock_out_officers_behind_the_load_balancer(
    settings: object, verified_officer: User
) -> None:
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    attacker = Client()
    attack(attacker)
    # The attacker's own address is held back, whatever it claims to come from...
    assert refused(sign_in(attacker, "another@thamesvalley.police.uk", "wrong", ATTACKER, spoofed="192.0.2.200"))
    # ...and an officer signing in from anywhere else is not.
    response = sign_in(Client(), verified_officer.email, PASSWORD, OFFICER_ELSEWHERE)
    assert response.status_code == 302
    assert response["Location"] != reverse("account_login")


def test_a_named_client_address_header_works_the_same(settings: object, verified_officer: User) -> None:
    settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER = "X-Real-IP"
    attacker = Client()
    for number in range(30):
        attacker.post(
            reverse("account_login"),
            {"login": f"made-up-{number}@thamesvalley.police.uk", "password": "wrong"},
            REMOTE_ADDR=LOAD_BALANCER,
            HTTP_X_REAL_IP=ATTACKER,
        )
    response = Client().post(
        reverse("account_login"),
        {"login": verified_officer.email, "password": PASSWORD},
        REMOTE_ADDR=LOAD_BALANCER,
        HTTP_X_REAL_IP=OFFICER_ELSEWHERE,
    )
    assert response.status_code == 302


def test_without_the_setting_everyone_behind_the_balancer_is_one_client(
    settings: object, verified_officer: User
) -> None:
    """Why the deploy check exists: counted by the balancer's address, the attack locks the officer out."""
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    attack(Client())
    assert refused(sign_in(Client(), verified_officer.email, PASSWORD, OFFICER_ELSEWHERE))


def test_the_settings_come_from_the_environment() -> None:
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.ALLAUTH_TRUSTED_PROXY_COUNT, settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER)"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    for variables, printed in [
        ({"TRUSTED_PROXY_COUNT": "2"}, "2 None"),
        ({"TRUSTED_CLIENT_IP_HEADER": "X-Real-IP"}, "0 X-Real-IP"),
    ]:
        result = subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env={**env, **variables},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.stdout.strip() == printed, result.stderr
    assert load_settings(TRUSTED_PROXY_COUNT="-1").returncode != 0


def test_production_behind_a_proxy_without_the_client_address_setting_fails_the_deploy_check() -> None:
    passing = deploy_check()
    assert passing.returncode == 0, passing.stderr
    result = deploy_check(TRUSTED_PROXY_COUNT=None)
    assert result.returncode != 0
    assert "incidents.E002" in result.stderr
    assert "TRUSTED_PROXY_COUNT" in result.stderr
    assert deploy_check(TRUSTED_PROXY_COUNT=None, TRUSTED_CLIENT_IP_HEADER="X-Real-IP").returncode == 0
