"""A running bot reloads its rule book on SIGHUP and stops cleanly on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.waiting import wait_until

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


def start_console(
    rules_dir: Path, tmp_path: Path, *, watch_rules: bool = True
) -> subprocess.Popen[str]:
    """The console bot, its log at INFO in ``tmp_path / "bot.log"`` (see :func:`logged`)."""
    environment = {k: v for k, v in os.environ.items() if not k.endswith("_TOKEN")}
    environment["JARDINIER_DATABASE_URL"] = f"sqlite:///{tmp_path / 'signals.db'}"
    environment["JARDINIER_WATCH_RULES"] = "1" if watch_rules else "0"
    environment["JARDINIER_LOG_LEVEL"] = "INFO"
    with (tmp_path / "bot.log").open("w") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "bot", "console", "--jsonl", "--rules", str(rules_dir)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            cwd=tmp_path,
            env=environment,
        )


def logged(tmp_path: Path) -> str:
    """What the bot started by :func:`start_console` in ``tmp_path`` has logged so far."""
    return (tmp_path / "bot.log").read_text()


def ask(process: subprocess.Popen[str], line: str) -> str:
    """Send one line, return the text of the bot's answer to it."""
    assert process.stdin is not None
    assert process.stdout is not None
    process.stdin.write(line + "\n")
    process.stdin.flush()
    while True:
        record = json.loads(process.stdout.readline())
        if record.get("action") == "send":
            return record["text"]


def answers_in_french_soon(process: subprocess.Popen[str], within: float) -> bool:
    deadline = time.monotonic() + within
    asked = 0
    while time.monotonic() < deadline:
        # Each try from another member: one member's commands are a few a minute.
        asked += 1
        if ask(process, f"visitor{asked}: /nosuch").startswith("Je ne connais pas /nosuch."):
            return True
        time.sleep(0.1)
    return False


def test_sighup_reloads_the_rule_book(rules_dir: Path, tmp_path: Path) -> None:
    process = start_console(rules_dir, tmp_path, watch_rules=False)
    try:
        assert ask(process, "alice: /nosuch").startswith("I don't know /nosuch.")
        community = rules_dir / "community.yaml"
        community.write_text(community.read_text().replace("locale: en", "locale: fr"))
        assert not answers_in_french_soon(process, within=2)  # not watching: the file alone …
        process.send_signal(signal.SIGHUP)
        assert answers_in_french_soon(process, within=10)  # … waits for the signal
    finally:
        process.kill()
        process.communicate()


def test_saving_the_rule_book_reloads_it_without_a_signal(rules_dir: Path, tmp_path: Path) -> None:
    process = start_console(rules_dir, tmp_path)
    try:
        assert ask(process, "alice: /nosuch").startswith("I don't know /nosuch.")
        wait_until(
            lambda: f"watching {rules_dir} for changes" in logged(tmp_path),
            "the bot watches the rule book",
        )
        community = rules_dir / "community.yaml"
        community.write_text(community.read_text().replace("locale: en", "locale: fr"))
        assert answers_in_french_soon(process, within=15)
    finally:
        process.kill()
        process.communicate()


def test_sigterm_stops_the_console_even_while_it_waits_for_input(
    rules_dir: Path, tmp_path: Path
) -> None:
    process = start_console(rules_dir, tmp_path)
    assert ask(process, "alice: /help").startswith("Commands you can use")
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    finally:
        process.kill()
        process.communicate()
    assert process.returncode == 0
