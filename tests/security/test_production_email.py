"""Finding 8 of the outside probe (issue 14): production with ``EMAIL_URL`` unset started on
the console backend and wrote reset links, addresses and receipts to the logs, and
``check --deploy`` said nothing. Now the deploy check (``make prod-check``, CI) fails.
"""

from __future__ import annotations

import pytest

from tests.test_settings import deploy_check


@pytest.mark.parametrize("email_url", [None, "consolemail://", "filemail:///tmp/mail", "memorymail://", "dummymail://"])
def test_production_that_would_not_send_e_mail_fails_the_deploy_check(email_url: str | None) -> None:
    result = deploy_check(EMAIL_URL=email_url)
    assert result.returncode != 0
    assert "incidents.E003" in result.stderr
    assert "Set EMAIL_URL" in result.stderr


def test_production_with_an_smtp_server_passes() -> None:
    result = deploy_check(EMAIL_URL="smtp+tls://user:password@smtp.example.org:587")
    assert result.returncode == 0, result.stderr
