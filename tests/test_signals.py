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

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


def start_console(rules_dir: Path, tmp_path: Path) -> subprocess.Popen[str]:
    environment = {k: v for k, v in os.environ.items() if not k.endswith("_TOKEN")}
    environment["JARDINIER_DATABASE_URL"] = f"sqlite:///{tmp_path / 'signals.db'}"
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "console", "--jsonl", "--rules", str(rules_dir)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        env=environment,
    )


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


def test_sighup_reloads_the_rule_book(rules_dir: Path, tmp_path: Path) -> None:
    process = start_console(rules_dir, tmp_path)
    try:
        assert ask(process, "alice: /nosuch").startswith("I don't know /nosuch.")
        community = rules_dir / "community.yaml"
        community.write_text(community.read_text().replace("locale: en", "locale: fr"))
        process.send_signal(signal.SIGHUP)
        answers = []
        for _ in range(50):
            answers.append(ask(process, "alice: /nosuch"))
            if answers[-1].startswith("Je ne connais pas"):
                break
            time.sleep(0.1)
        assert answers[-1].startswith("Je ne connais pas /nosuch.")
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
