"""An export may escape a lone surrogate (``"hi \\ud800 there"``): valid JSON, which Python reads
as text UTF-8 cannot hold. The replay reads each as U+FFFD, so the message plays like any other,
rather than being lost where the bot writes it down."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.events import MemberJoined, MessageCreated
from bot.replay import load_history, replay

NAME = "Zo\ud800é"
SHOWN_NAME = "Zo\ufffdé"
TEXT = "hi \ud800 there, the tomatoes are \udfff sprouting 🌱"
SHOWN_TEXT = "hi \ufffd there, the tomatoes are \ufffd sprouting 🌱"
JOINED = "2024-03-04T09:00:00+00:00"
POSTED = "2024-03-04T09:01:00+00:00"


def escaped(document: object) -> str:
    """``document`` as an exporter that escapes non-ASCII writes it: a lone surrogate as
    ``\\ud800``, an emoji as its pair of escapes (``\\ud83c\\udf31``)."""
    return json.dumps(document, ensure_ascii=True, indent=1)


def discord_export(folder: Path, name: str, text: str) -> Path:
    author = {"id": "100", "name": "zoe", "nickname": name, "isBot": False, "roles": []}
    document = {
        "guild": {"id": "1", "name": "Jardin"},
        "channel": {"id": "2", "name": "general"},
        "messages": [
            {"id": "10", "type": "GuildMemberJoin", "timestamp": JOINED, "author": author},
            {
                "id": "11",
                "type": "Default",
                "timestamp": POSTED,
                "content": text,
                "author": author,
            },
        ],
    }
    path = folder / "discord.json"
    path.write_text(escaped(document), encoding="utf-8")
    return path


def telegram_export(folder: Path, name: str, text: object) -> Path:
    document = {
        "name": "Les Potagers",
        "type": "private_supergroup",
        "id": 1987654321,
        "messages": [
            {
                "id": 1,
                "type": "service",
                "date_unixtime": "1709542800",
                "actor": name,
                "actor_id": "user5001",
                "action": "join_group_by_link",
            },
            {
                "id": 2,
                "type": "message",
                "date_unixtime": "1709542860",
                "from": name,
                "from_id": "user5001",
                "text": text,
            },
        ],
    }
    path = folder / "result.json"
    path.write_text(escaped(document), encoding="utf-8")
    return path


def telegram_entities(folder: Path, name: str, text: str) -> Path:
    """The text as a list of entities: a bold run holding the surrogate, inside a link."""
    head, tail = text[:4], text[4:]  # "hi \ud800" in bold
    link = {
        "type": "text_link",
        "text": [{"type": "bold", "text": head}],
        "href": "https://x.invalid",
    }
    return telegram_export(folder, name, [link, tail])


def jsonl_history(folder: Path, name: str, text: str) -> Path:
    path = folder / "chat.jsonl"
    row = {"timestamp": POSTED, "user": name, "text": text}
    path.write_text(json.dumps(row, ensure_ascii=True) + "\n", encoding="utf-8")
    return path


Writer = Callable[[Path, str, str], Path]
FORMATS: dict[str, Writer] = {
    "discord": discord_export,
    "telegram": telegram_export,
    "telegram-entities": telegram_entities,
    "jsonl": jsonl_history,
}
WITH_JOINS = {"discord", "telegram", "telegram-entities"}


@pytest.mark.parametrize("kind", FORMATS)
def test_each_lone_surrogate_is_read_as_one_replacement_character(
    tmp_path: Path, kind: str
) -> None:
    path = FORMATS[kind](tmp_path, NAME, TEXT)
    events = list(load_history(path).events())
    (message,) = [event for event in events if isinstance(event, MessageCreated)]
    assert message.text == SHOWN_TEXT  # the emoji, written as a pair of escapes, is kept
    assert message.author.name == SHOWN_NAME
    joins = [event for event in events if isinstance(event, MemberJoined)]
    assert [join.member.name for join in joins] == ([SHOWN_NAME] if kind in WITH_JOINS else [])


def test_surrogates_of_a_pair_written_apart_or_reversed_are_each_replaced(
    tmp_path: Path,
) -> None:
    text = "a\udc00\ud800b \ud83d c\ude00 \ud83d\ude00"
    path = discord_export(tmp_path, "zoe", text)
    (message,) = [e for e in load_history(path).events() if isinstance(e, MessageCreated)]
    assert message.text == "a\ufffd\ufffdb \ufffd c\ufffd 😀"


@pytest.mark.parametrize("kind", FORMATS)
async def test_a_message_with_lone_surrogates_is_played_counted_and_seen(
    tmp_path: Path, rules_dir: Path, kind: str
) -> None:
    path = FORMATS[kind](tmp_path, NAME, TEXT)
    report = await replay([path], rules_dir=rules_dir)

    assert report.problems == []  # nothing lost where the bot writes it down
    assert report.totals["messages"] == 1
    assert report.totals["members"] == 1
    if kind in WITH_JOINS:
        assert report.newcomers["welcomed"] == [SHOWN_NAME]
    (standings,) = report.contributors.values()
    assert standings["top"][1].startswith(f"1. {SHOWN_NAME} — 1 pt")
    assert SHOWN_NAME in report.render()


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DISCORD_TOKEN", "TELEGRAM_TOKEN", "JARDINIER_RULES")
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        cwd=cwd,
        env=environment,
        check=False,
        timeout=120,
    )


def test_the_json_report_of_an_export_with_lone_surrogates_is_utf8_json(tmp_path: Path) -> None:
    path = discord_export(tmp_path, NAME, TEXT)
    result = run_cli("replay", str(path), "--json", "-", cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    document = result.stdout.decode("utf-8")  # strict: a lone surrogate would fail here
    assert "\\ud8" not in document
    assert "\\udf" not in document
    report = json.loads(document)
    assert report["problems"] == []
    assert report["newcomers"]["welcomed"] == [SHOWN_NAME]
    assert report["contributors"]["discord-1"]["top"][1].startswith(f"1. {SHOWN_NAME}")


def test_a_csv_cannot_hold_a_surrogate_and_one_written_as_bytes_is_refused(
    tmp_path: Path,
) -> None:
    # A CSV has no escapes: a surrogate can only be written as the bytes UTF-8 forbids (as a
    # careless writer does), which the replay refuses as for any byte that is not UTF-8.
    path = tmp_path / "chat.csv"
    head = f"timestamp,user,text\n{POSTED},zoe,hi ".encode()
    path.write_bytes(head + b"\xed\xa0\x80\n")
    result = run_cli("replay", str(path), cwd=tmp_path)
    assert result.returncode == 1
    assert f"{path}: byte {len(head)}: not UTF-8 text" in result.stderr.decode()
