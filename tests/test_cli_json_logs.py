"""`console --jsonl` and `replay --json -` write JSON for a program: their log lines on stderr
are JSON lines too, unless JARDINIER_LOG_FORMAT says otherwise."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

STANDING_LOST = "the console's saved standing is unreadable; everyone starts free"


def jardinier(
    *args: str, cwd: Path, env: dict[str, str], stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    """``jardinier ARGS`` run as a program runs it, on ``cwd``'s database."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("JARDINIER_") and key not in ("DISCORD_TOKEN", "TELEGRAM_TOKEN")
    }
    environment["JARDINIER_DATABASE_URL"] = f"sqlite:///{cwd / 'j.db'}"
    environment["PYTHONIOENCODING"] = "utf-8"
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=cwd,
        env=environment,
        timeout=120,
        check=False,
    )


def console_with_a_lost_standing(cwd: Path, options: list[str], env: dict[str, str]) -> str:
    """The stderr of a console whose saved standing was damaged: it logs a warning."""
    first = jardinier("console", "--jsonl", cwd=cwd, env={}, stdin="mod: /timeout @alice 1h x\n")
    assert first.returncode == 0, first.stderr
    with sqlite3.connect(cwd / "j.db") as connection:
        changed = connection.execute(
            "UPDATE core_state SET value = '{not json' WHERE key = 'console:standing'"
        )
        assert changed.rowcount == 1
    second = jardinier("console", *options, cwd=cwd, env=env, stdin="alice: free again\nbob zzz\n")
    assert second.returncode == 0, second.stderr
    return second.stderr


def test_console_jsonl_logs_json_lines(tmp_path: Path) -> None:
    stderr = console_with_a_lost_standing(tmp_path, ["--jsonl"], {"JARDINIER_LOG_LEVEL": "info"})
    records = [json.loads(line) for line in stderr.splitlines()]
    assert all(isinstance(record, dict) for record in records)
    logged = [record for record in records if "level" in record]
    assert {"level": "WARNING", "message": STANDING_LOST} in [
        {"level": record["level"], "message": record["message"]} for record in logged
    ]
    assert any(record["level"] == "INFO" for record in logged)
    # The console's own errors are still theirs: "bob zzz" is not understood.
    assert [record["line"] for record in records if "error" in record] == [2]


@pytest.mark.parametrize(
    ("options", "env"),
    [(["--jsonl"], {"JARDINIER_LOG_FORMAT": "text"}), ([], {})],
    ids=["text asked for", "no --jsonl"],
)
def test_console_logs_text_where_asked_or_without_jsonl(
    tmp_path: Path, options: list[str], env: dict[str, str]
) -> None:
    stderr = console_with_a_lost_standing(tmp_path, options, env)
    (warning,) = [line for line in stderr.splitlines() if STANDING_LOST in line]
    assert warning.endswith(f" WARNING bot.adapters.console.session: {STANDING_LOST}")


def test_replay_json_on_stdout_logs_json_lines_and_text_where_asked(tmp_path: Path) -> None:
    export = tmp_path / "chat.csv"
    export.write_text("timestamp,user,text\n2026-11-02T09:00:00Z,alice,hello\n", encoding="utf-8")
    chatty = {"JARDINIER_LOG_LEVEL": "info"}

    as_json = jardinier("replay", str(export), "--json", "-", cwd=tmp_path, env=chatty)
    as_text = jardinier(
        "replay",
        str(export),
        "--json",
        "-",
        cwd=tmp_path,
        env=chatty | {"JARDINIER_LOG_FORMAT": "text"},
    )

    assert (as_json.returncode, as_text.returncode) == (0, 0), as_json.stderr
    assert json.loads(as_json.stdout)["totals"]["messages"] == 1
    records = [json.loads(line) for line in as_json.stderr.splitlines()]
    assert records
    assert all(record["level"] == "INFO" for record in records)
    assert " INFO bot.core: cog core loaded" in as_text.stderr
