"""Known secret values never leave the process: scrubbed from tool results, errors, audit lines and logs.

The gateway knows every secret it holds: the OneAPI client secret or private key, its clients' API
keys and the access tokens it was issued. An upstream, a proxy or the SDK may still hand one back
(a token endpoint that echoes the submitted form in its error, the SDK logging that error through
the root logger). `SECRETS` collects them as they are read (rotation adds the new values; recent old
ones stay known), `scrub` replaces each occurrence, and `install_log_redaction` scrubs every log
record when it is created, whichever logger and handler it goes to, the SDK's included.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, quote_plus

REDACTED = "[redacted]"
MIN_SECRET_LENGTH = 8  # shorter values would match ordinary text
MAX_REMEMBERED = 256  # rotation keeps adding values: the oldest are forgotten first
PEM_LINE_MIN = 16  # a private key's base64 lines are secrets on their own (an echo may re-wrap them)


class SecretSet:
    """The secret values known to this process, with the spellings they take in forms and JSON."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: dict[str, None] = {}  # insertion-ordered: the oldest are dropped first
        self._spellings: tuple[str, ...] = ()

    def remember(self, values: Iterable[str]) -> None:
        added = False
        with self._lock:
            for value in values:
                for spelling in _spellings(value):
                    if spelling not in self._values:
                        self._values[spelling] = None
                        added = True
            while len(self._values) > MAX_REMEMBERED:
                del self._values[next(iter(self._values))]
            if added:  # longest first: a value containing another is replaced whole
                self._spellings = tuple(sorted(self._values, key=len, reverse=True))

    def scrub(self, text: str) -> str:
        for spelling in self._spellings:
            if spelling in text:
                text = text.replace(spelling, REDACTED)
        return text

    def __bool__(self) -> bool:
        return bool(self._spellings)


def _spellings(value: str) -> set[str]:
    value = value.strip()
    if len(value) < MIN_SECRET_LENGTH:
        return set()
    found = {value, quote_plus(value), quote(value, safe=""), json.dumps(value)[1:-1]}
    if "-----BEGIN" in value:
        found.update(line.strip() for line in value.splitlines() if len(line.strip()) >= PEM_LINE_MIN)
    return {spelling for spelling in found if len(spelling) >= MIN_SECRET_LENGTH}


SECRETS = SecretSet()


def remember_secrets(*values: str | None) -> None:
    SECRETS.remember(value for value in values if value)


def scrub(text: str) -> str:
    return SECRETS.scrub(text) if SECRETS else text


def install_log_redaction() -> None:
    """Scrub every log record as it is made (message, arguments and exception text); idempotent."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "scrubs_secrets", False):
        return

    def make_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        if SECRETS:
            _scrub_record(record)
        return record

    make_record.scrubs_secrets = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(make_record)


def _scrub_record(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:  # a malformed call is logging's to report; there is no message to scrub yet
        return
    scrubbed = SECRETS.scrub(message)
    if scrubbed != message:
        record.msg, record.args = scrubbed, None
    if record.exc_info:
        text = logging.Formatter().formatException(record.exc_info)
        record.exc_text = SECRETS.scrub(text)
    if record.stack_info:
        record.stack_info = SECRETS.scrub(record.stack_info)
