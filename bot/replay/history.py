"""A chat history as the replay reads it: one exported file (one channel), what it holds, and
how to read its events again, one at a time, however large the file is."""

from __future__ import annotations

import codecs
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from bot.errors import JardinierError
from bot.events import ChannelRef, CommunityRef, Event
from bot.replay.surrogates import json_value

CHUNK = 1 << 16
"""Bytes read at a time where the replay reads a file without its text."""


@dataclass
class History:
    """One exported file (one channel): its events are read from the file when they are played,
    never all held at once."""

    path: Path
    format: str
    community: CommunityRef
    channel: ChannelRef
    reader: Callable[[], Iterator[Event]] = field(repr=False)
    """Reads the file's events from its start, in the order the file lists them."""
    count: int = 0
    """How many events the file holds."""
    first: datetime | None = None
    """When its earliest event happened."""
    in_time_order: bool = True
    """Whether the file lists its events by time (exports do); one that does not is sorted."""
    digest: str = ""
    """A hash of the file's bytes: the same file named twice is played once."""

    def events(self) -> Iterator[Event]:
        """The file's events, read from the file again, in the order it lists them."""
        return self.reader()


def where(path: Path, place: str) -> str:
    """``file: place``, the prefix of every error about a history file."""
    return f"{path}: {place}"


@contextmanager
def reading(path: Path) -> Iterator[TextIO]:
    """``path`` open as UTF-8 text, every line break read as a line feed (a byte-order mark is
    dropped); a file that cannot be read, or holds something that is not UTF-8, raises an error
    saying so."""
    try:
        with path.open(encoding="utf-8-sig") as file:
            yield file
    except OSError as error:
        raise JardinierError(f"{path}: cannot read the file: {error.strerror}") from None
    except UnicodeDecodeError:
        # The error counts from the piece being decoded: the file is read again for the byte.
        raise JardinierError(f"{path}: byte {_first_bad_byte(path)}: not UTF-8 text") from None


def _first_bad_byte(path: Path) -> int:
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    with path.open("rb") as file:
        while True:
            piece = file.read(CHUNK)
            waiting = len(decoder.getstate()[0])  # the start of a character cut by the read
            try:
                decoder.decode(piece, final=not piece)
            except UnicodeDecodeError as error:
                return offset - waiting + error.start
            if not piece:
                return offset
            offset += len(piece)


def first_line(path: Path, limit: int) -> tuple[str, bool]:
    """The file's first line that is not blank, without the blank space before it or its line
    feed, cut at ``limit`` characters; and whether anything but blank space follows the line.

    A line cut at the limit is said to have nothing after it: no chat line is that long, so it
    is not a JSON Lines row, whatever follows.
    """
    with reading(path) as file:
        while True:
            line = file.readline(limit)
            if not line:
                return "", False
            if line.strip():
                break
        if not line.endswith("\n"):
            return line.lstrip(), False
        while piece := file.read(CHUNK):
            if piece.strip():
                return line.lstrip()[:-1], True
        return line.lstrip()[:-1], False


def parse_json(text: str, path: Path, *, line: int) -> Any:
    """A JSON Lines file's ``line`` as JSON; a malformed one raises a clear error."""
    try:
        return json_value(json.loads(text), text)
    except json.JSONDecodeError as error:
        raise JardinierError(f"{path}:{line}:{error.colno}: not valid JSON: {error.msg}") from None
    except RecursionError:
        # Thousands of nested brackets: no export is shaped so, and the parser cannot follow.
        raise JardinierError(
            f"{path}:{line}: JSON nested too deeply to be a chat export"
        ) from None


EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)
"""Timestamps are taken from ``EARLIEST`` until before ``LATEST``: the replay's clock and jobs
compute dates around each one, which fail near the ends of what a date can hold."""


def parse_time(value: object, path: Path, place: str) -> datetime:
    """A timestamp as exports write it: ISO 8601 (naive is taken as UTC) or Unix seconds.

    Raises :class:`JardinierError` naming ``path`` and ``place`` for anything else, and for a
    moment before 1970 or from the year 9000 on.
    """
    moment = _moment(value)
    if moment is None:
        raise JardinierError(where(path, f"{place}: {value!r} is not a timestamp"))
    if not EARLIEST <= moment < LATEST:
        raise JardinierError(
            where(
                path,
                f"{place}: {value!r} is out of range (timestamps run "
                f"from {EARLIEST.year} to {LATEST.year - 1})",
            )
        )
    return moment


def _moment(value: object) -> datetime | None:
    try:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return datetime.fromtimestamp(float(value), UTC)
        if isinstance(value, str) and value.strip():
            text = value.strip()
            if text.replace(".", "", 1).isdigit():
                return datetime.fromtimestamp(float(text), UTC)
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=UTC)
            return parsed.astimezone(UTC)
    except (ValueError, OverflowError, OSError):
        pass
    return None


def required(item: dict, key: str, path: Path, place: str) -> object:
    """``item[key]``, or an error naming the file, the place and the missing key."""
    if not isinstance(item, dict):
        raise JardinierError(
            where(path, f"{place}: expected an object, got {type(item).__name__}")
        )
    if key not in item or item[key] is None:
        raise JardinierError(where(path, f"{place}: missing {key!r}"))
    return item[key]


def listed(item: dict, key: str, path: Path, place: str) -> list[Any]:
    """``item[key]`` as a list (none when absent), or an error naming where it is not one."""
    value = item.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise JardinierError(
            where(path, f"{place}: {key}: expected a list, got {type(value).__name__}")
        )
    return value


def as_text(value: object) -> str:
    """An id as a string (exports write ids as numbers or strings)."""
    return str(value) if value is not None else ""
