"""The server's logs: every record carries the request id (`X-Request-ID`, the audit's correlation id), in
text or as one JSON object a line (`OPENCSMS_LOG_FORMAT=json`); and the security events on their own logger,
`opencsms.security` (sign-in failures and lock-outs, refusals, downloads), for a SIEM to follow.

`config/settings.py` wires them into Django's `LOGGING`; an unexpected error in a request is logged by Django
(`django.request`, with its traceback) and so carries the request id too.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

security = logging.getLogger("opencsms.security")

# What every LogRecord has; anything else on a record came from `extra` and is written as a field.
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "request_id"}


def current_request_id() -> str:
    """The correlation id `core.audit` binds for the request, command or task being served ("-" outside one).

    Django configures logging before the apps load, so this module may not import `core.audit` (it imports
    the models); it reads the audit module once something else has loaded it (the middleware does)."""
    audit = sys.modules.get("opencsms.core.audit")
    return (audit.current_correlation_id() if audit else "") or "-"


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to each record: the id of the request (or CLI command, or task) being served, or
    "-" outside one. Never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = current_request_id()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, message, request id, the fields given
    as `extra`, and the traceback (`exc`) when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "") or current_request_id(),
        }
        entry.update({k: v for k, v in record.__dict__.items() if k not in _STANDARD})
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def security_event(event: str, message: str, *, level: int = logging.WARNING, **fields: Any) -> None:
    """Log a security event (`event`: a short name such as `sign_in_failed`) with its fields (a field named
    like a record attribute gets a trailing underscore instead of breaking the call)."""
    extra = {f"{name}_" if name in _STANDARD else name: value for name, value in fields.items()}
    security.log(level, message, extra={"event": event, **extra})


def logging_config(*, log_format: str, level: str) -> dict[str, Any]:
    """Django's `LOGGING`: one console handler (text or JSON) that every logger reaches, the request id on
    every record (the filter also sits on the loggers whose records matter most, so every handler sees it)."""
    with_id = {"filters": ["request_id"]}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "opencsms.core.logs.RequestIdFilter"}},
        "formatters": {
            "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
            "json": {"()": "opencsms.core.logs.JsonFormatter"},
        },
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": log_format, **with_id},
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # Django's own console handler (DEBUG only) would print errors twice: ours prints them always
            "django": {"handlers": [], "level": level, "propagate": True},
            "django.request": {"level": level, **with_id},
            "opencsms": {"level": level, **with_id},
            "opencsms.security": {"level": "INFO", **with_id},
        },
    }
