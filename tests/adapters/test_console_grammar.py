"""The console's input language."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.adapters.console.grammar import (
    Delete,
    Edit,
    Join,
    Leave,
    Post,
    Press,
    React,
    SwitchChannel,
    Wait,
    parse_line,
)
from bot.errors import JardinierError


@pytest.mark.parametrize(
    ("line", "parsed"),
    [
        ("+alice", Join("alice")),
        ("-alice", Leave("alice")),
        ("alice: hello there", Post("alice", "hello there")),
        ("alice:/help", Post("alice", "/help")),
        ("#intros alice: je m'appelle Alice", Post("alice", "je m'appelle Alice", "intros")),
        ("alice ^7: indeed", Post("alice", "indeed", reply_to=7)),
        ("bob ~3: fixed typo", Edit("bob", 3, "fixed typo")),
        ("alice +👍 7", React("alice", "👍", 7)),
        ("alice -👍 7", React("alice", "👍", 7, added=False)),
        ("alice [accept] 12", Press("alice", "accept", 12)),
        ("!wait 2h", Wait(timedelta(hours=2))),
        ("!wait 1h30m", Wait(timedelta(minutes=90))),
        ("!channel #intros", SwitchChannel("intros")),
        ("!channel\tgarden", SwitchChannel("garden")),
        ("!delete 4", Delete(4)),
        ("   ", None),
        ("alice: a: b: c", Post("alice", "a: b: c")),
    ],
)
def test_lines(line: str, parsed: object) -> None:
    assert parse_line(line + "\n") == parsed


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("hello world", "not understood"),
        ("!wait soon", "not a duration"),
        ("!wait 53w", "'53w' is too long; write at most 52w"),
        ("!wait 999999w", "'999999w' is too long; write at most 52w"),
        ("!dance", "unknown directive"),
        ("!wait", "missing duration; write e.g. !wait 2h"),
        ("!channel ", "missing channel name; write e.g. !channel #intros"),
        ("!channel #two words", "'#two words' is not a channel name"),
        ("!delete", "missing message number; write e.g. !delete 7"),
        ("!delete seven", "'seven' is not a message number"),
        ("ali\x1bce: hi", "not understood"),
        ("x" * 70_000, "line too long"),
    ],
)
def test_bad_lines_say_what_is_expected(line: str, message: str) -> None:
    with pytest.raises(JardinierError, match=message):
        parse_line(line)
