"""Structured logs: a request id on every request and every record, JSON without personal data."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import Client

from config.celery import app as celery_app
from config.logging import JsonFormatter, RequestIdFilter

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
NEW_ID = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """What the app logs, formatted as LOG_FORMAT=json formats it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    yield stream
    root.removeHandler(handler)


def records(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def post_csp_report(client: Client, **headers: str) -> object:
    report = {"csp-report": {"document-uri": "https://assaultlog.test/reports/?q=secret", "blocked-uri": "inline"}}
    return client.post("/csp-report", data=json.dumps(report), content_type="application/csp-report", headers=headers)


def test_a_record_made_during_a_request_is_json_carrying_its_request_id(client: Client, json_log: io.StringIO) -> None:
    response = post_csp_report(client, **{"X-Request-ID": "3f2b9c1e-5d4a-4e8b-9a7c-1d2e3f4a5b6c"})
    [record] = [r for r in records(json_log) if r["logger"] == "config.csp"]
    assert record["request_id"] == "3f2b9c1e-5d4a-4e8b-9a7c-1d2e3f4a5b6c" == response["X-Request-ID"]
    assert record["level"] == "WARNING" and record["time"]
    assert "secret" not in json_log.getvalue()  # no query strings


def test_the_request_id_header_round_trips(client: Client) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": "3f2b9c1e-5d4a-4e8b-9a7c-1d2e3f4a5b6c"})
    assert response["X-Request-ID"] == "3f2b9c1e-5d4a-4e8b-9a7c-1d2e3f4a5b6c"


def test_a_request_without_an_id_gets_a_new_one_each_time(client: Client) -> None:
    first, second = client.get("/healthz")["X-Request-ID"], client.get("/healthz")["X-Request-ID"]
    assert NEW_ID.fullmatch(first) and NEW_ID.fullmatch(second) and first != second


def test_redirects_carry_the_request_id_too(client: Client) -> None:
    response = client.get("/reports/")
    assert response.status_code == 302
    assert NEW_ID.fullmatch(response["X-Request-ID"])


@pytest.mark.parametrize(
    "bogus",
    [
        "",
        "lb-7f3a.42",  # a proxy's own format: only a UUID is kept (django-guid)
        "a" * 65,
        "two words",
        "id\r\nforged: line",
        "<script>",
        "../../etc",
        "名前",
        '{"json": 1}',
        "-starts-with-dash",
    ],
)
def test_a_bogus_incoming_request_id_is_replaced(client: Client, json_log: io.StringIO, bogus: str) -> None:
    response = post_csp_report(client, **{"X-Request-ID": bogus})
    assert NEW_ID.fullmatch(response["X-Request-ID"])
    [record] = [r for r in records(json_log) if r["logger"] == "config.csp"]
    assert record["request_id"] == response["X-Request-ID"]


def test_json_records_mask_email_addresses_and_leave_out_exception_messages(json_log: io.StringIO) -> None:
    logger = logging.getLogger("tests.logging")
    logger.warning("sign-in failed for %s", "pc.smith@thamesvalley.police.uk")
    detail = 'Key (email)=(pc.smith@thamesvalley.police.uk) already exists; "narrative" was ...'
    try:
        raise ValueError(detail)
    except ValueError:
        logger.exception("could not save")
    assert "thamesvalley" not in json_log.getvalue()
    first, second = records(json_log)
    assert first["message"] == "sign-in failed for [e-mail]"
    assert first["request_id"] is None  # outside a request
    assert second["exception"] == "ValueError"
    assert "test_logging.py" in str(second["stack"])
    assert "narrative" not in json_log.getvalue()


def test_a_celery_tasks_records_carry_its_task_id(json_log: io.StringIO) -> None:
    @celery_app.task(name="tests.test_logging.log_something")
    def log_something() -> None:
        logging.getLogger("tests.logging").info("inside a task")

    logging.getLogger("tests.logging").setLevel(logging.INFO)
    result = log_something.apply()
    [record] = [r for r in records(json_log) if r["logger"] == "tests.logging"]
    assert record["task_id"] == result.id and record["message"] == "inside a task"


def test_log_format_json_sets_up_every_logger() -> None:
    code = (
        "import django, logging; django.setup(); "
        "logging.getLogger('incidents.views').warning('report %s filed by %s', 'AL-2026-7K3M9Q', 'a.b@kent.police.uk')"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "LOG_FORMAT": "json"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True
    )
    record = json.loads(result.stderr.strip().splitlines()[-1])
    assert record["message"] == "report AL-2026-7K3M9Q filed by [e-mail]"
    assert record["logger"] == "incidents.views" and record["request_id"] is None


def test_an_unknown_log_format_is_refused() -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "LOG_FORMAT": "xml"}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0 and "LOG_FORMAT must be" in result.stderr


def test_json_records_write_only_their_own_fields_never_a_records_extras(json_log: io.StringIO) -> None:
    # Django's request logger passes the request itself as an extra: its text holds the query.
    logging.getLogger("tests.logging").warning("Not Found: %s", "/page", extra={"request": "/page?q=secret"})
    [record] = records(json_log)
    assert set(record) == {"time", "level", "logger", "message", "request_id"}
    assert "secret" not in json_log.getvalue()
