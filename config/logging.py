"""Request ids and the JSON log format (``LOG_FORMAT=json``), on two maintained libraries.

Every request gets an id from django-guid's middleware (settings.DJANGO_GUID): the incoming
``X-Request-ID`` when it is a UUID (a load balancer or proxy that sets one lets its logs and
ours be joined), otherwise a new one, returned in the response header. ``RequestIdFilter``
puts it on every log record made while the request is served, and a Celery task's id on the
records made while the task runs (celery.current_task). The JSON format is python-json-logger's.

What is ours is what neither library does. Logs never carry personal data: the app logs ids
and references, never report content or query strings, and both formats also mask anything
shaped like an e-mail address and leave out exception messages (a database error quotes the
row's values, an e-mail in a unique-key violation for one); the exception's type and stack
are kept. Nor can a log line be forged: a message is one line whatever it holds. Control
characters (a path with ``%0A`` in it, as gunicorn's access line writes it decoded; a
browser's CSP report) are written as escapes such as ``\\x0a``, in both formats and on
gunicorn's lines.
"""

from __future__ import annotations

import logging
import re
import traceback
from typing import Any

from celery import current_task
from django_guid import get_guid
from pythonjsonlogger.json import JsonFormatter as LibraryJsonFormatter

# What a request id from gunicorn's access line may look like (a UUID, as django-guid lets in).
SANE_REQUEST_ID = re.compile(r"[0-9a-fA-F-]{32,36}")
EMAIL = re.compile(r"[^\s@\"'<>(),;:]+@[^\s@\"'<>(),;:]+\.[A-Za-z]{2,}")


def _task_id() -> str | None:
    """The id of the Celery task running in this thread, if any (set only inside a task)."""
    request = getattr(current_task, "request", None) if current_task else None
    return getattr(request, "id", None)


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` (django-guid's) and ``task_id`` to every record ("-" outside a
    request or task)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = get_guid() or "-"
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


JSON_FIELDS = {"time", "level", "logger", "message", "request_id", "task_id", "exception", "stack"}


class JsonFormatter(LibraryJsonFormatter):
    """python-json-logger's formatter, one object a line: time, level, logger, message, request
    id, and the task id and exception (type and stack, no message) where there is one."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("fmt", "%(levelname)s %(name)s %(message)s %(request_id)s %(task_id)s")
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger", "exc_info": "stack"})
        kwargs.setdefault("timestamp", "time")
        kwargs.setdefault("json_ensure_ascii", False)
        super().__init__(*args, **kwargs)

    def formatException(self, ei: Any) -> str:  # noqa: N802  (logging.Formatter's name)
        """Only the stack: the message may quote personal data (its type is added below)."""
        return "".join(traceback.format_tb(ei[2]))

    def add_fields(self, log_data: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]) -> None:
        super().add_fields(log_data, record, message_dict)
        log_data["message"] = safe_message(record)
        if record.exc_info and record.exc_info[0] is not None:
            log_data["exception"] = record.exc_info[0].__qualname__
        request_id = log_data.get("request_id")
        log_data["request_id"] = request_id if request_id not in (None, "-") else _access_log_request_id(record)
        if log_data.get("task_id") in (None, "-"):
            log_data.pop("task_id", None)
        # Nothing else: a record's extra attributes are not written (django.request's carry the
        # request itself, whose text holds the query string).
        for key in set(log_data) - JSON_FIELDS:
            del log_data[key]
