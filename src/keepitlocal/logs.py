"""Logs a person can follow: every record carries the request it was written in (`request_id`, from the request's
X-Request-ID when a proxy gave a sound one, else made here, and sent back in the answer) and, for the events worth
finding later (a password reset, a publication), an `event` name. `KIL_LOG_FORMAT=json` writes one JSON object per
line for a log service; otherwise plain lines for a terminal.

The request id is held in a context variable: each thread (and each asyncio task) sees its own."""

from __future__ import annotations

import json
import logging
import re
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime

REQUEST_ID: ContextVar[str] = ContextVar("request_id", default="-")
# The events worth finding later go to their own logger, kept at INFO whatever the level of the rest (settings).
EVENTS = logging.getLogger("keepitlocal.events")


def event(name: str, message: str, *args: object) -> None:
    """Log an event (`name`, as 'spend-published') with its message; never an address or a password in either."""
    EVENTS.info(message, *args, extra={"event": name})


_SOUND = re.compile(r"[A-Za-z0-9._-]{8,64}")


def request_id_from(given: str | None) -> str:
    """The proxy's id when it is a sound one (letters, digits, dot, dash, underscore; 8 to 64), else a new one: an id
    from outside is written into every log line, so it is never taken as it comes."""
    return given if given and _SOUND.fullmatch(given) else uuid.uuid4().hex


class RequestContext(logging.Filter):
    """Adds request_id and event to every record (event '' when the code named none)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        if not hasattr(record, "event"):
            record.event = ""
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        if event := getattr(record, "event", ""):
            entry["event"] = event
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)
