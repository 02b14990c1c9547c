"""Secrets never appear in logs."""

from __future__ import annotations

import io
import json
import logging
import warnings
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

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


def test_a_call_whose_arguments_do_not_fit_its_message_fails_no_caller_and_leaks_nothing() -> None:
    token = "123456:ABC-telegram-token"
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(SecretRedactor([token]))
    logger = logging.getLogger("test.secrets.misfit")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("sent %s to %s", token)  # one argument short: a bug, not a crash
        logger.warning("the next line is logged")
    finally:
        logger.removeHandler(handler)
    text = stream.getvalue()
    assert token not in text
    assert "sent %s to %s (arguments that do not fit the message: ('***',))" in text
    assert "the next line is logged" in text


def test_configure_logging_reads_the_level_and_masks_the_secrets_it_reads(
    capsys: pytest.CaptureFixture[str],
) -> None:
    discord_token = "MTAx.discord-token-value-0123456789"
    telegram_token = "123456:ABC-telegram-token-value"
    webhook_secret = "webhook-secret-value-42"
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        configure_logging(
            environ={
                "JARDINIER_LOG_LEVEL": "info",
                "DISCORD_TOKEN": discord_token,
                "TELEGRAM_TOKEN": telegram_token,
                "TELEGRAM_WEBHOOK_SECRET": webhook_secret,
            }
        )
        assert root.level == logging.INFO
        log = logging.getLogger("jardinier.test")
        log.info("logged in with %s", discord_token)
        log.info("calling https://api.telegram.org/bot%s/getMe", telegram_token)
        log.info("webhook answered with secret %s", webhook_secret)
        log.warning("bad request: no such path /bot%s/getme", telegram_token.lower())
        try:
            raise RuntimeError(f"refused {discord_token}")
        except RuntimeError:
            log.exception("start failed")
        log.debug("below the level, never shown")
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
    emitted = capsys.readouterr().err
    for secret in (discord_token, telegram_token, webhook_secret):
        assert secret.lower() not in emitted.lower()
    assert "no such path /bot***/getme" in emitted  # quoted lower-cased, still masked
    assert "INFO jardinier.test: logged in with ***" in emitted
    assert "/bot***/getMe" in emitted
    assert "webhook answered with secret ***" in emitted
    assert "RuntimeError: refused ***" in emitted
    assert "below the level" not in emitted


@pytest.mark.parametrize(
    ("asked", "level", "said"),
    [
        (" info ", logging.INFO, False),
        ("debug", logging.DEBUG, False),
        ("LOUD", logging.WARNING, True),
        ("verbose", logging.WARNING, True),
    ],
)
def test_a_log_level_that_is_not_one_is_said_and_warnings_still_show(
    capsys: pytest.CaptureFixture[str], asked: str, level: int, said: bool
) -> None:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        configure_logging(environ={"JARDINIER_LOG_LEVEL": asked})
        assert root.level == level
    finally:
        root.handlers[:], _ = saved
        root.setLevel(saved[1])
    error = capsys.readouterr().err
    assert (
        f"JARDINIER_LOG_LEVEL={asked!r} is not a level: use one of DEBUG, INFO" in error
    ) == said


def test_at_debug_the_database_driver_does_not_flood_the_log(
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = logging.getLogger()
    driver = logging.getLogger("aiosqlite")
    saved = root.handlers[:], root.level, driver.level
    try:
        configure_logging(environ={"JARDINIER_LOG_LEVEL": "debug"})
        driver.debug("executing functools.partial(<built-in method execute>)")
        driver.debug("operation functools.partial(<built-in method execute>) completed")
        driver.warning("the driver's own warnings still show")
        logging.getLogger("bot.test").debug("the bot's debug lines show")
    finally:
        root.handlers[:], level, driver_level = saved
        root.setLevel(level)
        driver.setLevel(driver_level)
    emitted = capsys.readouterr().err
    assert "executing" not in emitted
    assert "completed" not in emitted
    assert "the driver's own warnings still show" in emitted
    assert "DEBUG bot.test: the bot's debug lines show" in emitted


def _configured(environ: dict[str, str], log: Callable[[logging.Logger], None]) -> None:
    """Configure logging from ``environ``, log through it, and put the root logger back."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    # Another test may have left warnings captured under a showwarning pytest has restored
    # since: capturing again would then do nothing.
    logging.captureWarnings(False)
    try:
        configure_logging(environ=environ)
        log(logging.getLogger("jardinier.test"))
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
        logging.captureWarnings(False)


def test_json_lines_carry_time_level_logger_message_and_the_traceback_masked(
    capsys: pytest.CaptureFixture[str],
) -> None:
    token = "123456:ABC-telegram-token-value"

    def log(logger: logging.Logger) -> None:
        logger.info("calling https://api.telegram.org/bot%s/getMe", token)
        logger.warning("two lines\nin one message: é")
        try:
            raise RuntimeError(f"refused {token}")
        except RuntimeError:
            logger.exception("start failed for %s", token)

    before = datetime.now(UTC)
    _configured(
        {"JARDINIER_LOG_LEVEL": "info", "JARDINIER_LOG_FORMAT": " JSON ", "TELEGRAM_TOKEN": token},
        log,
    )
    emitted = capsys.readouterr().err
    assert token.lower() not in emitted.lower()
    lines = emitted.splitlines()
    assert len(lines) == 3  # one line per record, whatever the newlines inside it
    calling, two_lines, failed = map(json.loads, lines)
    assert calling == {
        "time": calling["time"],
        "level": "INFO",
        "logger": "jardinier.test",
        "message": "calling https://api.telegram.org/bot***/getMe",
    }
    logged_at = datetime.fromisoformat(calling["time"])
    assert logged_at.utcoffset() == timedelta(0)
    assert before - timedelta(seconds=1) <= logged_at <= datetime.now(UTC)
    assert two_lines["level"] == "WARNING"
    assert two_lines["message"] == "two lines\nin one message: é"
    assert failed["level"] == "ERROR"
    assert failed["message"] == "start failed for ***"
    assert failed["exception"].startswith("Traceback (most recent call last):\n")
    assert failed["exception"].endswith("RuntimeError: refused ***")
    assert "exception" not in calling


def test_json_lines_format_the_traceback_when_no_secret_is_set(
    capsys: pytest.CaptureFixture[str],
) -> None:
    def log(logger: logging.Logger) -> None:
        try:
            raise ValueError("no secret here")
        except ValueError:
            logger.exception("failed")

    _configured({"JARDINIER_LOG_FORMAT": "json"}, log)
    (line,) = capsys.readouterr().err.splitlines()
    assert json.loads(line)["exception"].endswith("ValueError: no secret here")


@pytest.mark.parametrize(
    "environ",
    [{}, {"TELEGRAM_TOKEN": "1234567"}],  # no token, or one too short to be masked
    ids=["no token", "short token"],
)
def test_json_lines_stay_one_object_per_line_when_arguments_do_not_fit_the_message(
    capsys: pytest.CaptureFixture[str], environ: dict[str, str]
) -> None:
    def log(logger: logging.Logger) -> None:
        logger.warning("sent %s to %s", "alice")  # one argument short: a bug, not a crash
        logger.warning("the next line is logged")

    _configured({"JARDINIER_LOG_FORMAT": "json", **environ}, log)
    lines = capsys.readouterr().err.splitlines()
    assert [json.loads(line)["message"] for line in lines] == [
        "sent %s to %s (arguments that do not fit the message: ('alice',))",
        "the next line is logged",
    ]


def test_python_warnings_are_logged_as_json_lines_too(
    capsys: pytest.CaptureFixture[str],
) -> None:
    def log(_logger: logging.Logger) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            warnings.warn("a library's deprecation", DeprecationWarning, stacklevel=1)

    _configured({"JARDINIER_LOG_FORMAT": "json"}, log)
    (line,) = capsys.readouterr().err.splitlines()
    logged = json.loads(line)
    assert (logged["level"], logged["logger"]) == ("WARNING", "py.warnings")
    assert "DeprecationWarning: a library's deprecation" in logged["message"]


def test_the_text_format_stays_the_default(capsys: pytest.CaptureFixture[str]) -> None:
    _configured({}, lambda logger: logger.warning("plain"))
    _configured({"JARDINIER_LOG_FORMAT": "Text"}, lambda logger: logger.warning("plain again"))
    emitted = capsys.readouterr().err
    assert "WARNING jardinier.test: plain\n" in emitted
    assert "WARNING jardinier.test: plain again\n" in emitted


@pytest.mark.parametrize("level", ["warning", "error", "critical"])
def test_a_log_format_that_is_not_one_is_said_whatever_the_level_and_text_is_kept(
    capsys: pytest.CaptureFixture[str], level: str
) -> None:
    environ = {"JARDINIER_LOG_FORMAT": "jsonl", "JARDINIER_LOG_LEVEL": level}
    _configured(environ, lambda logger: logger.critical("still logged"))
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 2
    assert lines[0].endswith(
        "WARNING bot.logsetup: JARDINIER_LOG_FORMAT='jsonl' is not a format: "
        "use one of text, json; logging as text"
    )
    assert lines[1].endswith("CRITICAL jardinier.test: still logged")


@pytest.mark.parametrize(
    "environ",
    [{}, {"TELEGRAM_TOKEN": "1234567"}],  # no token, or one too short to be masked
    ids=["no token", "short token"],
)
def test_text_lines_say_which_arguments_did_not_fit_the_message_in_one_line(
    capsys: pytest.CaptureFixture[str], environ: dict[str, str]
) -> None:
    def log(logger: logging.Logger) -> None:
        logger.warning("sent %s to %s", "alice")  # one argument short: a bug, not a crash
        logger.warning("the next line is logged")

    _configured(environ, log)
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 2, lines  # not logging's "--- Logging error ---" report
    assert lines[0].endswith(
        "WARNING jardinier.test: sent %s to %s (arguments that do not fit the message: ('alice',))"
    )
    assert lines[1].endswith("WARNING jardinier.test: the next line is logged")


class Unwritable:
    """An argument that cannot be written, neither with str() nor with repr()."""

    def __str__(self) -> str:
        raise ValueError("no text")

    def __repr__(self) -> str:
        raise ValueError("no repr either")


@pytest.mark.parametrize("log_format", ["text", "json"])
@pytest.mark.parametrize("with_token", [False, True], ids=["no token", "token"])
def test_an_argument_that_cannot_be_written_fails_no_caller_and_leaks_nothing(
    capsys: pytest.CaptureFixture[str], log_format: str, with_token: bool
) -> None:
    token = "123456:ABC-telegram-token-value"
    environ = {"JARDINIER_LOG_FORMAT": log_format}
    if with_token:
        environ["TELEGRAM_TOKEN"] = token

    def log(logger: logging.Logger) -> None:
        logger.warning("sent %s to %s", token, Unwritable())
        logger.warning("the next line is logged")

    _configured(environ, log)
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 2, lines
    first, second = (
        [json.loads(line)["message"] for line in lines] if log_format == "json" else lines
    )
    shown_token = "***" if with_token else token
    assert f"sent %s to %s (arguments that do not fit the message: ('{shown_token}', " in first
    assert "Unwritable" in first
    assert second.endswith("the next line is logged")
    if with_token:
        assert token not in "\n".join(lines)
