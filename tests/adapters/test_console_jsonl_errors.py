"""`jardinier console --jsonl` is for programs: every line it writes, on stdout and on stderr,
errors included, is one JSON object; the text mode says the same errors as text."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError
from typer.testing import CliRunner

from bot.adapters.console.grammar import MAX_LINE_LENGTH
from bot.cli import app


def console(
    *options: str, stdin: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``jardinier console`` run as a program would run it, on ``cwd``'s database."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DISCORD_TOKEN", "TELEGRAM_TOKEN")
        and not key.startswith("JARDINIER_")  # a log level or format set where tests run
    }
    environment["JARDINIER_DATABASE_URL"] = f"sqlite:///{cwd / 'data' / 'test.db'}"
    environment["PYTHONIOENCODING"] = "utf-8"
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "bot", "console", *options],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=cwd,
        env=environment,
        timeout=120,
        check=False,
    )


def json_lines(text: str) -> list[dict[str, Any]]:
    """Every line of ``text`` as a JSON object, split as Python splits lines (on U+2028 too)."""
    records = [json.loads(line) for line in text.splitlines()]
    assert all(isinstance(record, dict) for record in records)
    return records


LOG_FIELDS = {"time", "level", "logger", "message"}
"""What every log line holds (JSON under --jsonl), which a console error never does."""

LINES = [
    "alice: hello",
    "bob zzz",
    "!wait",
    "!frob",
    "alice ^99: hi",
    "alice: " + "x" * MAX_LINE_LENGTH,
    "alice: /nosuch",
]
"""A session with a mistake on lines 2 to 6 (an unknown command is the bot's to answer)."""


def test_each_line_error_is_one_json_object_naming_its_line(tmp_path: Path) -> None:
    text = console(stdin="".join(line + "\n" for line in LINES), cwd=tmp_path)
    jsonl = console("--jsonl", stdin="".join(line + "\n" for line in LINES), cwd=tmp_path)

    assert (text.returncode, jsonl.returncode) == (0, 0), jsonl.stderr
    # A warning logged meanwhile (a slow loop under load) is a JSON line too, of its own shape.
    errors = [line for line in json_lines(jsonl.stderr) if not line.keys() >= LOG_FIELDS]
    assert [error["line"] for error in errors] == [2, 3, 4, 5, 6]
    assert all(set(error) == {"error", "line"} for error in errors)
    assert errors[0]["error"].startswith("not understood; write e.g. 'alice: hello'")
    assert errors[3]["error"] == "there is no message 99; nothing was posted"
    assert errors[4]["error"] == (
        f"line too long ({MAX_LINE_LENGTH + 7} characters, at most {MAX_LINE_LENGTH})"
    )
    # The text mode says the same, as it always did.
    said = [line for line in text.stderr.splitlines() if line.startswith("line ")]
    assert said == [f"line {e['line']}: {e['error']}" for e in errors]
    records = json_lines(jsonl.stdout)
    assert records[-1]["action"] == "send"
    assert records[-1]["text"].startswith("I don't know /nosuch.")


def test_messages_with_line_separators_stay_one_json_line_each(tmp_path: Path) -> None:
    """A member may write U+2028, U+2029 or NEL: a reader that splits lines as Python does
    (``str.splitlines``) still reads one record per line."""
    text = "one\u2028two\u2029three\x85four"

    result = console("--jsonl", stdin=f"alice: {text}\n", cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    [message] = json_lines(result.stdout)
    assert message["text"] == text


def test_a_rule_book_that_does_not_load_is_one_json_object_and_exit_1(tmp_path: Path) -> None:
    empty = tmp_path / "book"
    empty.mkdir()

    jsonl = console("--jsonl", "--rules", str(empty), stdin="alice: hi\n", cwd=tmp_path)
    text = console("--rules", str(empty), stdin="alice: hi\n", cwd=tmp_path)

    assert (jsonl.returncode, text.returncode) == (1, 1)
    assert jsonl.stdout == text.stdout == ""
    [error] = json_lines(jsonl.stderr)
    assert error == {"error": text.stderr.rstrip("\n"), "exit_code": 1}
    assert "community.yaml" in error["error"]


def test_the_database_failing_is_one_json_object_and_exit_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def console(rules: Path, *, jsonl: bool) -> None:
        raise OperationalError(
            "UPDATE core_state", {}, sqlite3.OperationalError("database is locked")
        )

    monkeypatch.setattr("bot.cli.configure_logging", lambda: None)
    monkeypatch.setattr("bot.cli.tune_garbage_collector", lambda: None)
    monkeypatch.setattr("bot.cli._console", console)
    monkeypatch.setenv("JARDINIER_DATABASE_URL", "sqlite:///data/j.db")

    result = CliRunner().invoke(app, ["console", "--jsonl"])

    assert result.exit_code == 1
    assert result.stdout == ""
    assert json_lines(result.stderr) == [
        {
            "error": "the database data/j.db is locked by another process (another Jardinier "
            "running?); stop it or try again",
            "exit_code": 1,
        }
    ]


@pytest.mark.parametrize(
    "options",
    [("--jsonl", "--bogus"), ("--bogus", "--jsonl"), ("--jsonl", "--rules")],
    ids=["unknown option", "unknown option first", "missing value"],
)
def test_a_usage_error_asked_for_jsonl_is_one_json_object_and_exit_2(
    tmp_path: Path, options: tuple[str, ...]
) -> None:
    result = console(*options, stdin="", cwd=tmp_path)

    assert result.returncode == 2
    assert result.stdout == ""
    [error] = json_lines(result.stderr)
    assert set(error) == {"error", "exit_code"}
    assert error["exit_code"] == 2
    assert options[-1] in error["error"] or "--bogus" in error["error"]


def test_a_usage_error_without_jsonl_is_text_as_before(tmp_path: Path) -> None:
    result = console("--bogus", stdin="", cwd=tmp_path)

    assert result.returncode == 2
    assert "No such option: --bogus" in result.stderr
    assert "Usage:" in result.stderr
    with pytest.raises(json.JSONDecodeError):
        json.loads(result.stderr.splitlines()[0])


@pytest.mark.parametrize(
    ("options", "said"),
    [(("--jsonl",), '{"event": "stopped"}'), ((), "stopped")],
    ids=["jsonl", "text"],
)
def test_an_interrupted_console_says_it_stopped_in_its_own_mode(
    tmp_path: Path, options: tuple[str, ...], said: str
) -> None:
    environment = dict(os.environ, JARDINIER_DATABASE_URL=f"sqlite:///{tmp_path / 'j.db'}")
    environment.pop("JARDINIER_RULES", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "console", *options],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        cwd=tmp_path,
        env=environment,
    )
    try:
        assert process.stdin is not None
        assert process.stdout is not None
        process.stdin.write("alice: hi\n")
        process.stdin.flush()
        assert "hi" in process.stdout.readline()  # the console is reading its input
        process.send_signal(signal.SIGINT)
        _, errors = process.communicate(timeout=60)
    finally:
        process.kill()
        process.wait()

    assert process.returncode == 0
    assert errors == said + "\n"
