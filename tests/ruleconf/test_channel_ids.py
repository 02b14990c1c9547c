"""Channels are named, or given by id: a Telegram chat id is a negative number written bare."""

from __future__ import annotations

from pathlib import Path

from bot.cogloader import section_models
from bot.ruleconf import load_rule_book


def test_a_bare_numeric_channel_id_is_read_as_an_id(rules_dir: Path) -> None:
    community = rules_dir / "community.yaml"
    text = community.read_text()
    assert "  mod_log: mod-log" in text
    community.write_text(text.replace("  mod_log: mod-log", "  mod_log: -1009876543210"))
    book = load_rule_book(rules_dir, section_models())
    assert book.community().channels.mod_log == "-1009876543210"
