"""Files as real tools write them, and files broken in the ways real ones are: each is read as
written, or refused with an error naming where it broke, never a traceback."""

from __future__ import annotations

import csv
import io
import json
import random
from pathlib import Path
from typing import Any

import pytest

from bot.errors import JardinierError
from bot.events import MemberJoined, MessageCreated
from bot.replay import load_history
from bot.replay.jsonstream import JsonStream


def messages(path: Path) -> list[MessageCreated]:
    """The messages ``path`` holds, as the replay reads them."""
    return [event for event in load_history(path).events() if isinstance(event, MessageCreated)]


def written_csv(path: Path, rows: list[list[str]]) -> Path:
    """``rows`` written by Python's csv module, as a spreadsheet or a script exports them."""
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows([["timestamp", "user", "text"], *rows])
    path.write_text(buffer.getvalue(), encoding="utf-8", newline="")
    return path


@pytest.mark.parametrize(
    ("text", "read"),
    [
        ("you are an\nidiot", "you are an\nidiot"),
        ("one\r\ntwo", "one\ntwo"),  # a Windows line break reads as any other
        ("hello\u2028world", "hello\u2028world"),
        ("a\x0cb", "a\x0cb"),
    ],
)
def test_a_quoted_csv_field_keeps_its_line_breaks(tmp_path: Path, text: str, read: str) -> None:
    path = written_csv(
        tmp_path / "chat.csv",
        [["2024-01-01T00:00:00Z", "troll", text], ["2024-01-01T00:01:00Z", "nina", "hi"]],
    )
    assert [message.text for message in messages(path)] == [read, "hi"]


@pytest.mark.parametrize("text", ["hello\u2028world", "page\x0cbreak", "next\x85line"])
def test_a_jsonl_text_may_hold_characters_that_are_not_line_feeds(
    tmp_path: Path, text: str
) -> None:
    path = tmp_path / "chat.jsonl"
    rows = [
        {"timestamp": "2024-01-01T00:00:00Z", "user": "a", "text": text},
        {"timestamp": "2024-01-01T00:01:00Z", "user": "b", "text": "ok"},
    ]
    path.write_text(
        "\n".join(json.dumps(row, ensure_ascii=False) for row in rows), encoding="utf-8"
    )
    assert [message.text for message in messages(path)] == [text, "ok"]


def test_a_csv_quote_never_closed_is_named_not_swallowed(tmp_path: Path) -> None:
    path = tmp_path / "unterm.csv"
    path.write_text(
        'timestamp,user,text\n2024-01-01T00:00:00Z,a,"unterminated\n2024-01-01T00:01:00Z,b,x\n',
        encoding="utf-8",
    )
    with pytest.raises(
        JardinierError, match=r"unterm\.csv: row 2: a quote is never closed \(it opens on line 2\)"
    ):
        load_history(path)


@pytest.mark.parametrize(
    ("lines", "where"),
    [
        (
            # Quoted fields span lines: the row of the unclosed quote is not its line.
            [
                "timestamp,user,text",
                '2024-01-01T00:00:00Z,a,"first',
                'second"',
                "2024-01-01T00:01:00Z,b,fine",
                '2024-01-01T00:02:00Z,c,"said ""hi"" and',
                "never closed",
                "2024-01-01T00:03:00Z,d,more",
            ],
            "row 4: a quote is never closed (it opens on line 5)",
        ),
        (
            [
                "timestamp,user,text,note",
                "2024-01-01T00:00:00Z,a,fine,",
                '2024-01-01T00:01:00Z,b,"two',
                'lines","and then',
                "2024-01-01T00:02:00Z,c,more,",
            ],
            "row 3: a quote is never closed (it opens on line 4)",
        ),
        (
            # Quotes of a text's own send the reader to the forgiving mode, which would keep
            # the rest of the file as the last row's text.
            [
                "timestamp,user,text",
                '2024-01-01T00:00:00Z,a,"Bonjour" dit-il',
                '2024-01-01T00:01:00Z,b,"open',
                "2024-01-01T00:02:00Z,c,more",
            ],
            "row 3: a quote is never closed (it opens on line 3)",
        ),
    ],
    ids=["after a row of two lines", "on a row's second line", "after a text's own quotes"],
)
def test_a_csv_quote_never_closed_is_found_by_its_row_and_line(
    tmp_path: Path, lines: list[str], where: str
) -> None:
    path = tmp_path / "long.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(JardinierError) as caught:
        load_history(path)
    assert str(caught.value) == f"{path}: {where}"


def test_a_text_with_quotes_of_its_own_is_read_as_a_spreadsheet_reads_it(tmp_path: Path) -> None:
    path = tmp_path / "said.csv"
    path.write_text(
        'timestamp,user,text\n2024-05-01T10:00:00Z,alice,"Bonjour" dit-il\n', encoding="utf-8"
    )
    assert [message.text for message in messages(path)] == ["Bonjour dit-il"]


def test_a_csv_row_short_of_the_text_is_named(tmp_path: Path) -> None:
    path = tmp_path / "short.csv"
    path.write_text("timestamp,user,text\n2024-01-01T00:00:00Z,a\n", encoding="utf-8")
    with pytest.raises(
        JardinierError, match=r"short\.csv: row 2: fewer fields than the header has \(no text\)"
    ):
        load_history(path)


def test_spaces_after_the_commas_are_not_part_of_the_values(tmp_path: Path) -> None:
    path = tmp_path / "spaced.csv"
    path.write_text(
        "timestamp, user, text, reply_to\n"
        "2024-05-01T09:00:00Z, alice, Here is how to prune tomatoes,\n"
        "2024-05-01T09:01:00Z, bob, thanks a lot for this, 1\n",
        encoding="utf-8",
    )
    first, reply = messages(path)
    assert (first.author.user.id, first.text) == ("alice", "Here is how to prune tomatoes")
    assert reply.reply_to == first.message


def test_a_csv_without_its_extension_is_known_by_a_capitalised_header(tmp_path: Path) -> None:
    path = tmp_path / "chat.txt"
    path.write_text("Timestamp,User,Text\n2024-01-01T00:00:00Z,a,hi\n", encoding="utf-8")
    assert [message.text for message in messages(path)] == ["hi"]


def discord_export(path: Path, **fields: Any) -> Path:
    """A DiscordChatExporter file with one message carrying ``fields``."""
    message = {
        "id": "1",
        "type": "Default",
        "timestamp": "2024-01-01T00:00:00+00:00",
        "content": "hello",
        "author": {"id": "7", "name": "nina"},
        **fields,
    }
    document = {
        "guild": {"id": "1", "name": "Garden"},
        "channel": {"id": "2", "name": "general"},
        "messages": [message],
    }
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def telegram_export(path: Path, *messages: dict[str, Any]) -> Path:
    """A Telegram Desktop result.json holding ``messages``."""
    document = {"name": "Garden", "type": "private_supergroup", "id": 42, "messages": messages}
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


TELEGRAM_MESSAGE = {
    "id": 1,
    "type": "message",
    "date": "2024-01-01T00:00:00",
    "from": "Nina",
    "from_id": "user7",
    "text": "hello",
}


@pytest.mark.parametrize(
    ("fields", "said"),
    [
        ({"reactions": 5}, r"message 1: reactions: expected a list, got int"),
        (
            {"reactions": [{"emoji": {"name": "x"}, "users": 7}]},
            r"message 1\.reactions: users: expected a list, got int",
        ),
        ({"mentions": "nina"}, r"message 1: mentions: expected a list, got str"),
    ],
)
def test_a_discord_field_of_the_wrong_shape_is_named(
    tmp_path: Path, fields: dict[str, Any], said: str
) -> None:
    path = discord_export(tmp_path / "export.json", **fields)
    with pytest.raises(JardinierError, match=rf"export\.json: {said}"):
        load_history(path)


def test_a_discord_reaction_whose_emoji_is_a_bare_string_is_read(tmp_path: Path) -> None:
    path = discord_export(
        tmp_path / "export.json", reactions=[{"emoji": "👍", "users": [{"id": "5", "name": "o"}]}]
    )
    reactions = [event for event in load_history(path).events() if hasattr(event, "emoji")]
    assert [reaction.emoji for reaction in reactions] == ["👍"]


@pytest.mark.parametrize(
    ("message", "said"),
    [
        ({**TELEGRAM_MESSAGE, "reactions": 5}, r"message 1: reactions: expected a list"),
        (
            {**TELEGRAM_MESSAGE, "reactions": [{"emoji": "x", "recent": 3}]},
            r"message 1\.reactions: recent: expected a list",
        ),
        (
            {
                "id": 2,
                "type": "service",
                "date": "2024-01-01T00:00:00",
                "action": "invite_members",
                "members": "Carl",
            },
            r"message 1: members: expected a list, got str",
        ),
    ],
)
def test_a_telegram_field_of_the_wrong_shape_is_named(
    tmp_path: Path, message: dict[str, Any], said: str
) -> None:
    path = telegram_export(tmp_path / "result.json", message)
    with pytest.raises(JardinierError, match=rf"result\.json: {said}"):
        load_history(path)


def test_a_telegram_entity_inside_an_entity_is_read_as_text(tmp_path: Path) -> None:
    nested = [{"type": "bold", "text": [{"type": "italic", "text": "nested"}]}, " words"]
    path = telegram_export(tmp_path / "result.json", {**TELEGRAM_MESSAGE, "text": nested})
    assert [message.text for message in messages(path)] == ["nested words"]


def test_invited_members_are_each_one_join(tmp_path: Path) -> None:
    invite = {
        "id": 2,
        "type": "service",
        "date": "2024-01-01T00:00:00",
        "action": "invite_members",
        "members": ["Carl", "Dana"],
    }
    path = telegram_export(tmp_path / "result.json", invite)
    joins = [event for event in load_history(path).events() if isinstance(event, MemberJoined)]
    assert [join.member.name for join in joins] == ["Carl", "Dana"]


def json_error(text: str) -> str | None:
    """The error the replay gave when it read a whole file with ``json.loads``."""
    try:
        json.loads(text)
    except json.JSONDecodeError as error:
        cut = " (the file looks truncated)" if error.pos >= len(text.rstrip()) else ""
        return f"x.json:{error.lineno}:{error.colno}: not valid JSON: {error.msg}{cut}"
    return None


def streamed_error(text: str, chunk: int) -> str | None:
    """The error reading ``text`` a piece of ``chunk`` characters at a time gives."""
    stream = JsonStream(io.StringIO(text), Path("x.json"), chunk=chunk)
    try:
        stream.skip()
        stream.end()
    except JardinierError as error:
        return str(error)
    return None


def test_an_export_read_a_piece_at_a_time_is_refused_where_the_whole_file_was() -> None:
    """An export of gigabytes is read in pieces: wherever a piece ends, a file cut short or
    spoiled there gets the error, line and column reading the whole file gave."""
    text = Path(__file__).parent.joinpath("fixtures", "result.json").read_text(encoding="utf-8")
    spoiled = [text[:end] for end in range(0, len(text), 3)]
    chance = random.Random(7)
    for _ in range(150):
        at = chance.randrange(len(text))
        char = chance.choice('{}[],:"\\ 0-1e.tnu\n')
        spoiled += [text[:at] + char + text[at + 1 :], text[:at] + char + text[at:]]
    for case in spoiled:
        expected = json_error(case)
        for chunk in (2, 9):
            assert streamed_error(case, chunk) == expected, (case[-30:], chunk)
    assert streamed_error(text, 2) is None


def test_the_fields_of_an_export_may_come_in_any_order(tmp_path: Path) -> None:
    """The messages are read after the channel they are in, wherever the file lists them."""
    document = json.loads(discord_export(tmp_path / "export.json").read_text(encoding="utf-8"))
    moved = {"messages": document.pop("messages"), **document}
    path = tmp_path / "moved.json"
    path.write_text(json.dumps(moved), encoding="utf-8")
    (message,) = messages(path)
    assert (message.text, message.message.channel.name) == ("hello", "#general")


def test_a_quote_never_closed_before_a_long_rest_is_named(tmp_path: Path) -> None:
    """The rest of the file in one field outgrows what a CSV field may hold."""
    path = tmp_path / "unterm.csv"
    rows = "".join(f"2024-01-01T00:{n % 60:02d}:00Z,b,hello there {n}\n" for n in range(9000))
    path.write_text(f'timestamp,user,text\n2024-01-01T00:00:00Z,a,"open\n{rows}', encoding="utf-8")
    with pytest.raises(
        JardinierError, match=r"unterm\.csv: row 2: a quote is never closed \(it opens on line 2\)"
    ):
        load_history(path)
