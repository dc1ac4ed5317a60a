"""Logging: JSON lines (LOG_FORMAT=json) or plain text, with the request id on every line."""

import logging
import re
import sys
from typing import Any

import orjson

# What could end a log line or forge another (a newline sent as %0a in a path), or move a
# terminal's cursor: C0 and C1 controls, and Unicode's line and paragraph separators.
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def escape_controls(text: str) -> str:
    """`text` with each control character written as its Python escape (`\\n`, `\\x00`)."""
    return _CONTROLS.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


# uvicorn adds `color_message`, the message with ANSI colour codes: not for JSON.
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "color_message"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update((k, v) for k, v in record.__dict__.items() if k not in _STANDARD)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        # JSON escapes every other control character; these two end a line for some readers.
        line = orjson.dumps(entry, default=str).decode()
        return line.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


class TextFormatter(logging.Formatter):
    """One line a record (a traceback follows on lines of its own): the message's control
    characters are escaped, so nothing logged can end the line or forge another."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        return escape_controls(super().formatMessage(record))

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        extra = getattr(record, "duration_ms", None)
        if extra is not None:
            line += f" {extra}ms request_id={getattr(record, 'request_id', '-')}"
        return line


def configure(level: str, fmt: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonFormatter()
        if fmt == "json"
        else TextFormatter("%(asctime)s %(levelname)s %(name)s %(message)s")
    )
    root = logging.getLogger()
    # Replace the handler an earlier call installed; keep others (a test's log capture).
    handler.set_name("app")
    root.handlers[:] = [h for h in root.handlers if h.get_name() != "app"] + [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    for noisy in ("alembic", "httpx"):
        logging.getLogger(noisy).setLevel(max(root.level, logging.WARNING))
    # The access log is ours (with request ids); uvicorn's would repeat it.
    logging.getLogger("uvicorn.access").disabled = True
