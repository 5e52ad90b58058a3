"""The installable app's server side (incidents/offline.py): the worker, the manifest, the
page kept for no signal and the outbox's token. The phone's side is in tests/browser/test_offline.py."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from incidents.models import User
from tests.conftest import quick_post

pytestmark = pytest.mark.django_db


def test_the_service_worker_is_served_from_the_root_fresh_and_within_the_csp(client: Client) -> None:
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert "no-cache" in response["Cache-Control"]
    body = response.content.decode()
    assert 'importScripts("/static/js/outbox.js")' in body
    assert '"/offline/"' in body
    policy = response["Content-Security-Policy"]
    assert "worker-src 'self'" in policy and "manifest-src 'self'" in policy


def test_the_manifest_opens_the_quick_log_with_icons_that_exist(client: Client) -> None:
    response = client.get(reverse("manifest"))
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["start_url"] == reverse("incidents:quick")
    assert manifest["display"] == "standalone"
    assert {icon["sizes"] for icon in manifest["icons"]} >= {"192x192", "512x512"}
    assert any(icon["purpose"] == "maskable" for icon in manifest["icons"])
    for icon in manifest["icons"]:
        assert client.get(icon["src"]).status_code == 200
    page = client.get("/accounts/login/").content.decode()
    assert f'<link rel="manifest" href="{reverse("manifest")}">' in page


def test_the_page_kept_for_no_signal_names_no_one(officer_client: Client, officer: User) -> None:
    page = officer_client.get(reverse("offline") + "?v=saved").content.decode()
    assert 'data-variant="saved"' in page
    assert "Saved on this phone</h1>" in page and "It will be sent when you have signal." in page
    assert officer.email not in page and "al-owner" not in page and "Sign out" not in page
    assert 'data-variant="none"' in officer_client.get(reverse("offline") + "?v=<script>").content.decode()


def test_the_outbox_token_is_for_a_signed_in_officer_only(
    client: Client, officer_client: Client, officer: User, colleague: User, rep: User
) -> None:
    assert client.get(reverse("offline_token")).status_code == 401
    staff = Client()
    staff.force_login(rep)
    assert staff.get(reverse("offline_token")).status_code in (302, 401)  # two-factor first, then refused
    response = officer_client.get(reverse("offline_token"))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    token = response.json()
    assert token["csrfToken"]
    # The owner tag is opaque, the same as the page's, and another officer's differs.
    assert str(officer.pk) != token["owner"]
    assert f'<meta name="al-owner" content="{token["owner"]}">' in officer_client.get("/").content.decode()
    other = Client()
    other.force_login(colleague)
    assert other.get(reverse("offline_token")).json()["owner"] != token["owner"]


def test_a_report_sent_from_the_outbox_with_a_fresh_token_is_filed_once(officer_client: Client, officer: User) -> None:
    """What outbox.js does: ask for a token, send the kept answers with it, as often as it takes."""
    csrf = Client(enforce_csrf_checks=True)
    csrf.force_login(officer)
    token = csrf.get(reverse("offline_token")).json()["csrfToken"]
    kept = quick_post()
    for _ in range(3):
        response = csrf.post(reverse("incidents:quick"), {**kept, "csrfmiddlewaretoken": token})
        assert response.status_code == 302
    assert officer.incidents.count() == 1
