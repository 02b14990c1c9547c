"""A JSON export (DiscordChatExporter, Telegram Desktop) read in two parts: its outline, every
top-level field but the messages, which tells the format and names the channel; then its
messages, one at a time, each time the replay reads them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.replay.history import reading
from bot.replay.jsonstream import JsonStream

MESSAGES = "messages"
KEPT = frozenset({"guild", "channel", "id", "name", "type"})
"""The fields the formats are told apart and named by; any other is read past, not kept."""


@dataclass(frozen=True)
class Messages:
    """The messages array, left in the file: the ``which``-th field so named (a document that
    names a field twice means the last one, as ``json.loads`` reads it)."""

    which: int


@dataclass(frozen=True)
class Skipped:
    """A field read past: only whether it is an object is kept."""

    object: bool


def outline(path: Path) -> dict[str, Any]:
    """The export's top-level fields: the values of :data:`KEPT`, the others as
    :class:`Skipped`, and the messages as :class:`Messages` (left in the file) when they are an
    array. The whole file is read, so a malformed one raises an error naming where it broke."""
    fields: dict[str, Any] = {}
    arrays = 0
    with reading(path) as file:
        stream = JsonStream(file, path)
        for key in stream.members():
            start = stream.peek()
            if key == MESSAGES and start == "[":
                arrays += 1
                for _ in stream.items():
                    stream.value()  # read, so a broken one is found now, and let go of
                fields[key] = Messages(arrays)
            elif key in KEPT:
                fields[key] = stream.value()
            else:
                stream.skip()
                fields[key] = Skipped(start == "{")
        stream.end()
    return fields


def messages(path: Path, which: Messages) -> Iterator[Any]:
    """The items of the export's messages array, read from the file one at a time."""
    arrays = 0
    with reading(path) as file:
        stream = JsonStream(file, path)
        for key in stream.members():
            if key == MESSAGES and stream.peek() == "[":
                arrays += 1
                if arrays == which.which:
                    for _ in stream.items():
                        yield stream.value()
                    return
            stream.skip()
