"""A command whose output is JSON logs JSON lines by default; JARDINIER_LOG_FORMAT still wins."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

import pytest

from bot.logsetup import configure_logging, default_log_format

TOKEN = "123456:ABC-telegram-token-value"


def _configured(
    default: str, environ: dict[str, str], log: Callable[[logging.Logger], None]
) -> None:
    """Configure logging from ``environ`` under ``default``, log through it, and put the root
    logger back."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    logging.captureWarnings(False)
    try:
        with default_log_format(default):
            configure_logging(environ=environ)
        log(logging.getLogger("jardinier.test"))
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
        logging.captureWarnings(False)


def _log_a_token(logger: logging.Logger) -> None:
    logger.warning("calling https://api.telegram.org/bot%s/getMe", TOKEN)
    try:
        raise RuntimeError(f"refused {TOKEN}")
    except RuntimeError:
        logger.exception("start failed")


def test_under_a_json_default_the_lines_are_json_with_secrets_masked(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _configured("json", {"TELEGRAM_TOKEN": TOKEN}, _log_a_token)
    emitted = capsys.readouterr().err
    assert TOKEN.lower() not in emitted.lower()
    calling, failed = map(json.loads, emitted.splitlines())
    assert calling["message"] == "calling https://api.telegram.org/bot***/getMe"
    assert failed["exception"].endswith("RuntimeError: refused ***")


@pytest.mark.parametrize("explicit", ["text", " Text "])
def test_a_format_set_explicitly_wins_over_the_json_default(
    capsys: pytest.CaptureFixture[str], explicit: str
) -> None:
    environ = {"JARDINIER_LOG_FORMAT": explicit, "TELEGRAM_TOKEN": TOKEN}
    _configured("json", environ, _log_a_token)
    lines = capsys.readouterr().err.splitlines()
    assert lines[0].endswith(
        "WARNING jardinier.test: calling https://api.telegram.org/bot***/getMe"
    )
    assert TOKEN not in "\n".join(lines)


def test_the_default_holds_only_within_its_block(capsys: pytest.CaptureFixture[str]) -> None:
    with default_log_format("json"):
        pass
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        configure_logging(environ={})
        logging.getLogger("jardinier.test").warning("plain")
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
        logging.captureWarnings(False)
    assert "WARNING jardinier.test: plain\n" in capsys.readouterr().err


def test_under_a_json_default_a_wrong_level_or_format_is_said_in_json(
    capsys: pytest.CaptureFixture[str],
) -> None:
    environ = {"JARDINIER_LOG_LEVEL": "loud", "JARDINIER_LOG_FORMAT": "jsonl"}
    _configured("json", environ, lambda logger: logger.warning("still logged"))
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert [line["message"] for line in lines] == [
        "JARDINIER_LOG_LEVEL='loud' is not a level: use one of DEBUG, INFO, WARNING, ERROR, "
        "CRITICAL; logging at WARNING",
        "JARDINIER_LOG_FORMAT='jsonl' is not a format: use one of text, json; logging as json",
        "still logged",
    ]
