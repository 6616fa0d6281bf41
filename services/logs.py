"""Logs on standard error through the standard logging module: one JSON object a line (or plain text for a
terminal), each carrying the request id of the request it belongs to.

No log line may carry an email address, a name, a security code or anything about a child. Messages are
written to hold ids only; as a second guard every email address is blanked, and an exception is logged by
its type and where it was raised, never by its message (a database error's message quotes the values it
was given), except for network and file errors, whose messages say which address or file failed.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import traceback
from contextvars import ContextVar
from datetime import UTC, datetime

# The request id of the request being handled, for every line logged while handling it.
current_request_id: ContextVar[str | None] = ContextVar("current_request_id", default=None)

EMAIL_ADDRESS = re.compile(r"[^\s@<>()\[\]\"',;:]+@[^\s@<>()\[\]\"',;:]+")
EMAIL_PLACEHOLDER = "[email address]"
FORMATS = ("json", "text")
# Set on the one handler the portal installs, so creating the app again replaces it rather than adding one.
PORTAL_HANDLER = "portal_handler"
# Attributes every LogRecord has: anything else on a record came from `extra=` and is logged as a field.
_STANDARD_ATTRIBUTES = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


def without_email_addresses(text: str) -> str:
    return EMAIL_ADDRESS.sub(EMAIL_PLACEHOLDER, text)


def describe_exception(exc_info: tuple) -> dict:
    """The exception's type, its causes' types and the code lines it passed through."""
    error = exc_info[1]
    described: dict = {"type": type(error).__name__}
    if isinstance(error, OSError):
        described["detail"] = without_email_addresses(str(error))[:300]
    causes: list[str] = []
    cause = error.__cause__ or error.__context__
    while cause is not None and len(causes) < 5:
        causes.append(type(cause).__name__)
        cause = cause.__cause__ or cause.__context__
    if causes:
        described["caused_by"] = causes
    described["stack"] = [
        f"{frame.filename}:{frame.lineno} in {frame.name}" for frame in traceback.extract_tb(exc_info[2])
    ]
    return described


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id.get()
        return True


class NoDevServerRequestLines(logging.Filter):
    """The development server's own line for each request quotes the address, one-time tokens and all;
    the portal's request line (its URL pattern, never the address) replaces it."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.name == "werkzeug" and str(record.msg).endswith('] "%s" %s %s\n'))


def _fields(record: logging.LogRecord) -> dict:
    return {
        key: value
        for key, value in vars(record).items()
        if key not in _STANDARD_ATTRIBUTES and key != "request_id" and not key.startswith("_")
    }


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, request id, any `extra=` fields, and an
    exception described by describe_exception()."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": without_email_addresses(record.getMessage()),
        }
        request_id = getattr(record, "request_id", None) or current_request_id.get()
        if request_id:
            line["request_id"] = request_id
        line.update(_fields(record))
        if record.exc_info and record.exc_info[1] is not None:
            line["exception"] = describe_exception(record.exc_info)
        return without_email_addresses(json.dumps(line, default=str))


class TextFormatter(logging.Formatter):
    """The same content as a readable line, for a terminal."""

    def format(self, record: logging.LogRecord) -> str:
        moment = datetime.fromtimestamp(record.created, UTC).strftime("%Y-%m-%d %H:%M:%S")
        parts = [moment, record.levelname, record.name]
        request_id = getattr(record, "request_id", None) or current_request_id.get()
        if request_id:
            parts.append(f"[{request_id}]")
        parts.append(record.getMessage())
        parts.extend(f"{key}={value}" for key, value in _fields(record).items())
        if record.exc_info and record.exc_info[1] is not None:
            described = describe_exception(record.exc_info)
            parts.append(f"exception={described.pop('type')}")
            parts.extend(f"{key}={value}" for key, value in described.items())
        return without_email_addresses(" ".join(str(part) for part in parts))


def formatter_for(log_format: str) -> logging.Formatter:
    if log_format not in FORMATS:
        raise RuntimeError(f"FLASK_LOG_FORMAT must be one of {', '.join(FORMATS)}, not {log_format!r}")
    return JsonFormatter() if log_format == "json" else TextFormatter()


class StandardErrorHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is when a line is logged, not when the handler was made."""

    @property
    def stream(self):  # noqa: ANN201 - the attribute logging.StreamHandler reads and writes
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def configure(log_format: str, level: str) -> None:
    """One handler on the root logger, writing to standard error, so every library's lines (Flask's,
    Flask-Limiter's, the portal's own) come out in the same shape."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, PORTAL_HANDLER, False):
            root.removeHandler(handler)
    handler = StandardErrorHandler()
    handler.setFormatter(formatter_for(log_format))
    handler.addFilter(RequestIdFilter())
    handler.addFilter(NoDevServerRequestLines())
    setattr(handler, PORTAL_HANDLER, True)
    root.addHandler(handler)
    root.setLevel(level.upper())
