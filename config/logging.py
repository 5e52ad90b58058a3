"""Request ids and the JSON log format (``LOG_FORMAT=json``).

Every request gets an id: the incoming ``X-Request-ID`` when it is a sane token (a load
balancer or proxy that sets one lets its logs and ours be joined), otherwise a new one. It
is returned in the response header and put on every log record made while the request is
served, through a context variable read by ``RequestIdFilter``. A Celery task's records
carry its task id the same way.

Logs never carry personal data: the app logs ids and references, never report content or
query strings. The JSON formatter also masks anything shaped like an e-mail address and
leaves out exception messages (a database error quotes the row's values, an e-mail in a
unique-key violation for one); the exception's type and stack are kept.
"""

from __future__ import annotations

import datetime
import json
import logging
import re
import traceback
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

REQUEST_ID_HEADER = "X-Request-ID"
# Letters, digits and - _ . : only, up to 64: enough for a UUID, a ULID or a proxy's own
# format, and nothing that could forge a log line or carry text.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
EMAIL = re.compile(r"[^\s@\"'<>(),;:]+@[^\s@\"'<>(),;:]+\.[A-Za-z]{2,}")

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)


def request_id_from_header(value: str | None) -> str:
    """The incoming id if it is a sane token, else a new random one."""
    if value and SANE_REQUEST_ID.fullmatch(value):
        return value
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Gives each request an id, returns it as ``X-Request-ID`` and logs with it.

    First in MIDDLEWARE, so the id is on every record any later middleware or view makes
    and on every response, redirects and errors included.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_from_header(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = request_id  # type: ignore[attr-defined]
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response[REQUEST_ID_HEADER] = request_id
        return response


def _task_id() -> str | None:
    from celery import current_task  # celery sets it only inside a running task

    request = getattr(current_task, "request", None) if current_task else None
    return getattr(request, "id", None)


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` and ``task_id`` to every record ("-" outside a request or task)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get() or "-"
        record.task_id = _task_id() or "-"
        return True


def _access_log_request_id(record: logging.LogRecord) -> str | None:
    """gunicorn's access log is written after the request, outside its context: the id is
    taken from the response header among the record's arguments (config/gunicorn.py)."""
    if isinstance(record.args, dict):
        value = record.args.get("{x-request-id}o")
        return value if isinstance(value, str) and SANE_REQUEST_ID.fullmatch(value) else None
    return None


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, request id, task id."""

    def format(self, record: logging.LogRecord) -> str:
        document: dict[str, Any] = {
            "time": datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": EMAIL.sub("[e-mail]", record.getMessage()),
            "request_id": request_id_var.get() or _access_log_request_id(record),
        }
        task_id = getattr(record, "task_id", None)
        if task_id and task_id != "-":
            document["task_id"] = task_id
        if record.exc_info and record.exc_info[0] is not None:
            document["exception"] = record.exc_info[0].__qualname__
            document["stack"] = "".join(traceback.format_tb(record.exc_info[2]))
        return json.dumps(document, ensure_ascii=False)
