"""Finding 9 of the outside probe (issue 14): forged log lines, addresses in plain logs.

gunicorn's plain access log wrote a decoded ``%0A`` in the path as a new line; ``/csp-report``
logged the directive as sent, newlines included; e-mail addresses were masked only in JSON.
Now each record is one line in both formats (control characters escaped), gunicorn's included,
and both mask addresses and leave out exception messages.
"""

from __future__ import annotations

import http.client
import io
import json
import logging
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import Client

from config.logging import JsonFormatter, PlainFormatter, RequestIdFilter

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PLAIN = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
FORGERIES = ["\n", "\r\n", "\r", "\x1b[2K\r", "\u2028", "\u2029", "\x85", "\x0b", "\x0c"]


@pytest.fixture(params=["plain", "json"])
def log(request: pytest.FixtureRequest) -> Iterator[io.StringIO]:
    """What the app logs, in each LOG_FORMAT."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(PlainFormatter(PLAIN) if request.param == "plain" else JsonFormatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    yield stream
    root.removeHandler(handler)


@pytest.mark.parametrize("forgery", FORGERIES)
def test_a_logged_value_cannot_start_a_line_of_its_own(log: io.StringIO, forgery: str) -> None:
    logging.getLogger("tests.forging").warning("path=%s", f"/reports/{forgery}2026-12-02 INFO forged line")
    [line] = log.getvalue().splitlines()
    assert "forged line" in line
    assert forgery not in line


def test_a_404_for_a_path_holding_a_newline_is_one_line(log: io.StringIO, client: Client) -> None:
    client.get("/reports%0A2026-12-02%20INFO%20admin%20signed%20in/")
    [line] = log.getvalue().splitlines()
    assert "Not Found: /reports" in line and "admin signed in" in line


def test_a_csp_report_cannot_forge_a_line(log: io.StringIO, client: Client) -> None:
    report = {"csp-report": {"effective-directive": "script-src\n2026-12-02 WARNING forged", "blocked-uri": "inline"}}
    client.post("/csp-report", data=json.dumps(report), content_type="application/csp-report")
    [line] = [line for line in log.getvalue().splitlines() if "csp violation" in line]
    assert "directive=script-src?2026-12-02?WARNING?forged" in line


def test_plain_records_mask_addresses_and_leave_out_exception_messages(log: io.StringIO) -> None:
    logger = logging.getLogger("tests.forging")
    logger.warning("sign-in failed for %s", "pc.smith@thamesvalley.police.uk")
    row = ("7", "AL-2026-7K3M9Q", "punched by the driver", "pc.smith@kent.police.uk")
    try:
        raise ValueError("Failing row contains " + ", ".join(row))  # as PostgreSQL's error quotes it
    except ValueError:
        logger.exception("could not save")
    text = log.getvalue()
    assert "thamesvalley" not in text and "kent.police.uk" not in text
    assert "punched by the driver" not in text and "AL-2026-7K3M9Q" not in text
    assert "ValueError" in text and "test_log_forging.py" in text  # the type and the stack stay


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("log_format", ["plain", "json"])
def test_gunicorns_access_log_writes_a_decoded_newline_as_an_escape(log_format: str) -> None:
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "LOG_FORMAT": log_format,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
        "DEBUG": "false",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", "config/gunicorn.py", "config.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/no-such-page%0A127.0.0.1%20GET%20/admin/%20200")
                assert connection.getresponse().status == 404
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        time.sleep(0.5)
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    # The access line ("... 404 1719 118ms ..."); not a request id that happens to hold "404".
    access = [line for line in output.splitlines() if "no-such-page" in line and " 404 " in line]
    assert access, output
    assert not [line for line in output.splitlines() if line.startswith("127.0.0.1 GET /admin/")], output
    assert all("\\x0a127.0.0.1 GET /admin/" in line or "\\\\x0a127.0.0.1" in line for line in access), access
