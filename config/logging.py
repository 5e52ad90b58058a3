"""Request ids and the JSON log format (``LOG_FORMAT=json``).

Every request gets an id: the incoming ``X-Request-ID`` when it is a sane token (a load
balancer or proxy that sets one lets its logs and ours be joined), otherwise a new one. It
is returned in the response header and put on every log record made while the request is
served, through a context variable read by ``RequestIdFilter``. A Celery task's records
carry its task id the same way.

Logs never carry personal data: the app logs ids and references, never report content or
query strings. Both formats also mask anything shaped like an e-mail address and leave out
exception messages (a database error quotes the row's values, an e-mail in a unique-key
violation for one); the exception's type and stack are kept.

Nor can a log line be forged: a message is one line whatever it holds. Control characters
(a path with ``%0A`` in it, as gunicorn's access line writes it decoded; a browser's CSP
report) are written as escapes such as ``\\x0a``, in both formats and on gunicorn's lines.
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


# C0 and C1 control characters, DEL, and the Unicode line and paragraph separators: anything
# a terminal or a log viewer might take for the end of a line.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def safe_message(record: logging.LogRecord) -> str:
    """The record's message on one line, with e-mail addresses masked."""
    return CONTROL.sub(_escape, EMAIL.sub("[e-mail]", record.getMessage()))


def exception_summary(record: logging.LogRecord) -> tuple[str, str] | None:
    """The exception's type and stack, without its message (which may quote personal data)."""
    if not record.exc_info or record.exc_info[0] is None:
        return None
    return record.exc_info[0].__qualname__, "".join(traceback.format_tb(record.exc_info[2]))


class PlainFormatter(logging.Formatter):
    """Plain lines for a terminal, each record one line, then the stack of any exception."""

    def format(self, record: logging.LogRecord) -> str:
        record.message = safe_message(record)
        if self.usesTime():
            record.asctime = self.formatTime(record, self.datefmt)
        line = self.formatMessage(record)
        summary = exception_summary(record)
        if summary:
            kind, stack = summary
            line += f"\nTraceback (most recent call last):\n{stack}{kind} (message left out of the log)"
        return line


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, request id, task id."""

    def format(self, record: logging.LogRecord) -> str:
        document: dict[str, Any] = {
            "time": datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": safe_message(record),
            "request_id": request_id_var.get() or _access_log_request_id(record),
        }
        task_id = getattr(record, "task_id", None)
        if task_id and task_id != "-":
            document["task_id"] = task_id
        summary = exception_summary(record)
        if summary:
            document["exception"], document["stack"] = summary
        return json.dumps(document, ensure_ascii=False)
