"""Logging to stderr, with every secret the process knows masked out of every line."""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable, Mapping

SECRET_VARIABLES = ("DISCORD_TOKEN", "TELEGRAM_TOKEN", "TELEGRAM_WEBHOOK_SECRET")
MASK = "***"


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
        text = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        exc_text = record.exc_text or ""
        text = pattern.sub(MASK, text)
        exc_text = pattern.sub(MASK, exc_text)
        record.msg, record.args = text, None
        record.exc_text = exc_text or None
        return True


def secrets_from(environ: Mapping[str, str]) -> list[str]:
    """The secret values set in ``environ``."""
    return [environ[name] for name in SECRET_VARIABLES if environ.get(name)]


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
    """Log to stderr at ``level`` (``JARDINIER_LOG_LEVEL``, default WARNING), secrets masked."""
    environ = os.environ if environ is None else environ
    asked = level or environ.get("JARDINIER_LOG_LEVEL") or "WARNING"
    chosen = asked.strip().upper()
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(SecretRedactor(secrets_from(environ)))
    root = logging.getLogger()
    root.handlers[:] = [handler]
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
