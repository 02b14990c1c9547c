"""Logging to stderr, as text or as JSON lines, with every secret the process knows masked out
of every line."""

from __future__ import annotations

import json
import logging
import os
import re
import reprlib
import sys
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

SECRET_VARIABLES = ("DISCORD_TOKEN", "TELEGRAM_TOKEN", "TELEGRAM_WEBHOOK_SECRET")
MASK = "***"


def _shown_whole() -> reprlib.Repr:
    shown = reprlib.Repr()
    # Never shortened: a token cut in the middle would no longer be masked whole.
    for limit in (
        "maxtuple",
        "maxlist",
        "maxarray",
        "maxdict",
        "maxset",
        "maxfrozenset",
        "maxdeque",
        "maxstring",
        "maxlong",
        "maxother",
    ):
        setattr(shown, limit, sys.maxsize)
    return shown


_SHOWN = _shown_whole()
"""Writes any value, as repr() does, but one whose repr() fails as ``<Type instance at 0x…>``
instead of raising."""


def message_of(record: logging.LogRecord) -> str:
    """The record's message with its arguments; arguments that do not fit it (a caller's bug:
    too few, too many, or one that cannot be written) are written after it, rather than failing
    the call or writing logging's multi-line "--- Logging error ---" report. Never raises."""
    try:
        return record.getMessage()
    except Exception:
        try:
            message = str(record.msg)
        except Exception:
            message = _SHOWN.repr(record.msg)
        return f"{message} (arguments that do not fit the message: {_SHOWN.repr(record.args)})"


class SecretRedactor(logging.Filter):
    """Replaces each secret value found in a log record's final text by ``***``."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        # Short values would mask innocent words; real tokens are long. In any case: a library
        # may lower-case a message that quotes one (python-telegram-bot's "bad request: …").
        long_enough = sorted({s for s in secrets if len(s) >= 8}, key=len, reverse=True)
        self._pattern = (
            re.compile("|".join(map(re.escape, long_enough)), re.IGNORECASE)
            if long_enough
            else None
        )

    def filter(self, record: logging.LogRecord) -> bool:
        pattern = self._pattern
        if pattern is None:
            return True
        # The filter runs outside logging's own guard: arguments that do not fit the message
        # must not fail the caller, and, which may hold a token, are masked as the message is.
        text = message_of(record)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        exc_text = record.exc_text or ""
        text = pattern.sub(MASK, text)
        exc_text = pattern.sub(MASK, exc_text)
        record.msg, record.args = text, None
        record.exc_text = exc_text or None
        if record.stack_info:
            record.stack_info = pattern.sub(MASK, record.stack_info)
        return True


def secrets_from(environ: Mapping[str, str]) -> list[str]:
    """The secret values set in ``environ``."""
    return [environ[name] for name in SECRET_VARIABLES if environ.get(name)]


class JsonLineFormatter(logging.Formatter):
    """One JSON object per record, on one line: ``time`` (UTC, ISO 8601), ``level``, ``logger``,
    ``message``, and ``exception`` (the whole traceback, as one string) when there is one.

    Log collectors (Loki, journald, ELK) read a line as a record: newlines inside the message or
    the traceback are escaped by JSON, never written.
    """

    def format(self, record: logging.LogRecord) -> str:
        fields: dict[str, str] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            # Unmasked (no secret set), arguments that do not fit the message reach here: one
            # line still, not logging's multi-line report of the error.
            "message": message_of(record),
        }
        # Reuses the text the redactor masked; formats the exception only where no filter did.
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            fields["exception"] = record.exc_text
        if record.stack_info:
            fields["stack"] = self.formatStack(record.stack_info)
        # ASCII only: a U+2028 in a message would end the line for some readers.
        return json.dumps(fields, ensure_ascii=True)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
FORMATS = ("text", "json")
"""The formats ``JARDINIER_LOG_FORMAT`` takes, in any case."""


class TextLineFormatter(logging.Formatter):
    """Lines as :data:`TEXT_FORMAT` writes them; a record whose arguments do not fit its message
    is one line too (see :func:`message_of`), not logging's multi-line report of the error."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        try:
            return super().format(record)
        except Exception:
            # Only reached with unmasked records (no secret set): the redactor has already
            # written the others' messages. A copy: other handlers still see the record as made.
            written = logging.makeLogRecord(
                {**record.__dict__, "msg": message_of(record), "args": None}
            )
            return super().format(written)


_DEFAULT_FORMAT: ContextVar[str] = ContextVar("jardinier_default_log_format", default="text")


@contextmanager
def default_log_format(name: str) -> Iterator[None]:
    """Within the block, :func:`configure_logging` logs in ``name`` (``text`` or ``json``) where
    ``JARDINIER_LOG_FORMAT`` chooses no format: a command whose output is JSON for a program
    (``console --jsonl``, ``replay --json -``) logs JSON lines beside it."""
    token = _DEFAULT_FORMAT.set(name)
    try:
        yield
    finally:
        _DEFAULT_FORMAT.reset(token)


def _formatter(name: str) -> logging.Formatter:
    if name == "json":
        return JsonLineFormatter()
    return TextLineFormatter()


LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
"""The levels ``JARDINIER_LOG_LEVEL`` takes, in any case."""
NOISY_LOGGERS = (
    "apscheduler",
    "discord",
    "telegram",
    "httpx",
    "alembic",
    "watchfiles",
    "aiosqlite",
)
"""Libraries logged at WARNING and above whatever the level: APScheduler and the platform
libraries are chatty at INFO, and aiosqlite writes two lines per statement at DEBUG (half of
what a debugging bot would print)."""


def configure_logging(level: str | None = None, environ: Mapping[str, str] | None = None) -> None:
    """Log to stderr at ``level`` (``JARDINIER_LOG_LEVEL``, default WARNING), secrets masked,
    as text or as JSON lines (``JARDINIER_LOG_FORMAT``, default text, or what
    :func:`default_log_format` says)."""
    environ = os.environ if environ is None else environ
    asked = level or environ.get("JARDINIER_LOG_LEVEL") or "WARNING"
    chosen = asked.strip().upper()
    default_format = _DEFAULT_FORMAT.get()
    asked_format = environ.get("JARDINIER_LOG_FORMAT") or default_format
    chosen_format = asked_format.strip().lower()
    known_format = chosen_format in FORMATS
    handler = logging.StreamHandler()
    handler.setFormatter(_formatter(chosen_format if known_format else default_format))
    handler.addFilter(SecretRedactor(secrets_from(environ)))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    # Python's warnings (a library's deprecation) go through the same handler: masked, and
    # one JSON object per line where the format says so.
    logging.captureWarnings(True)
    known = chosen in LEVELS
    root.setLevel(getattr(logging, chosen) if known else logging.WARNING)
    for noisy in NOISY_LOGGERS:
        logging.getLogger(noisy).setLevel(max(root.level, logging.WARNING))
    if not known:
        # A typo must not silence the bot's warnings, nor stop it: it is said, once, at WARNING.
        logging.getLogger(__name__).warning(
            "JARDINIER_LOG_LEVEL=%r is not a level: use one of %s; logging at WARNING",
            asked,
            ", ".join(LEVELS),
        )
    if not known_format:
        # As for the level: said once, and the bot logs on in the default format. Said whatever
        # the level: at ERROR the operator would otherwise never learn why the collector gets no
        # JSON.
        logger = logging.getLogger(__name__)
        logger.handle(
            logger.makeRecord(
                logger.name,
                logging.WARNING,
                __file__,
                0,
                "JARDINIER_LOG_FORMAT=%r is not a format: use one of %s; logging as %s",
                (asked_format, ", ".join(FORMATS), default_format),
                None,
            )
        )
