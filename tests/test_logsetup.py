"""Secrets never appear in logs."""

from __future__ import annotations

import io
import logging

from bot.logsetup import SecretRedactor, configure_logging


def test_tokens_are_masked_in_messages_arguments_and_tracebacks() -> None:
    token = "123456:ABC-telegram-token"
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(SecretRedactor([token, "short"]))
    logger = logging.getLogger("test.secrets")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("calling https://api/bot%s/getMe", token)
        logger.warning("a short word stays")
        try:
            raise RuntimeError(f"bad token {token}")
        except RuntimeError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    text = stream.getvalue()
    assert token not in text
    assert "bot***/getMe" in text
    assert "bad token ***" in text
    # Values too short to be tokens are not masked: they would blank innocent words.
    assert "a short word stays" in text


def test_configure_logging_reads_the_level_and_the_secrets() -> None:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        configure_logging(environ={"JARDINIER_LOG_LEVEL": "info", "DISCORD_TOKEN": "x" * 30})
        assert root.level == logging.INFO
        [handler] = root.handlers
        assert any(isinstance(f, SecretRedactor) for f in handler.filters)
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
