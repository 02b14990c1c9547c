"""Simple histories: CSV or JSONL rows of ``timestamp``, ``user``, ``text`` and optionally
``reply_to``, ``id`` and ``channel``. CSV column names are read whatever their case.

A row without ``id`` is numbered by its position (1, 2 …), which is what ``reply_to`` refers to.
Timestamps are ISO 8601 (naive is taken as UTC) or Unix seconds. Unknown columns are ignored.
The community is ``replay`` on the ``replay`` platform; the channel is the file's name, unless
a row names its own.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from bot.errors import JardinierError
from bot.events import (
    ChannelRef,
    CommunityRef,
    Event,
    MemberRef,
    MessageCreated,
    MessageRef,
    UserRef,
)
from bot.replay.history import History, as_text, parse_json, parse_time, reading

PLATFORM = "replay"
COLUMNS = ("timestamp", "user", "text")
DELIMITERS = (",", ";", "\t", "|")
COMMUNITY = CommunityRef(PLATFORM, "replay", "Replay")
HEADER_LIMIT = 1 << 20
"""Characters of the first line read to find the header's separator."""


def csv_history(path: Path) -> History:
    """The history of a CSV file with a header row, separated by commas, semicolons (as a
    spreadsheet in French writes them), tabs or bars. A quoted field may hold line breaks.

    The file is read through here (a malformed one raises an error naming its row): once to
    know whether a text has quotes of its own, and again to check each row's fields.
    """
    strict = True
    try:
        for _ in _rows(path, strict=True):
            pass
    except csv.Error:
        # A text with quotes of its own ("Bonjour" dit-il) is read as a spreadsheet reads it.
        strict = False
    for _ in _checked(path, strict=strict):
        pass
    return History(
        path,
        "csv",
        COMMUNITY,
        _channel(path),
        lambda: _events(_checked(path, strict=strict), path),
    )


def _checked(path: Path, *, strict: bool) -> Iterator[tuple[str, Mapping[str, object]]]:
    for place, row in _rows(path, strict=strict):
        if None in row:
            raise JardinierError(f"{path}: {place}: more fields than the header has")
        short = [column for column in COLUMNS if row.get(column) is None]
        if short:
            raise JardinierError(
                f"{path}: {place}: fewer fields than the header has (no {', '.join(short)})"
            )
        yield place, row


def _rows(path: Path, *, strict: bool) -> Iterator[tuple[str, Mapping[str, object]]]:
    """The rows of a CSV file and where each is (``row 2``), one at a time. Raises
    :class:`JardinierError` on a quote never closed, naming its row and line, before the row it
    is in; the strict reader raises :class:`csv.Error` on a quote out of place."""
    delimiter = _delimiter(_header(path))
    with reading(path) as file:
        reader = csv.DictReader(
            file,
            delimiter=delimiter,
            skipinitialspace=True,  # "2024-05-01, alice, hello": the values start after the space
            strict=strict,
        )
        reader.fieldnames = [_column(name) for name in reader.fieldnames or ()]
        missing = [column for column in COLUMNS if column not in reader.fieldnames]
        if missing:
            raise JardinierError(f"{path}: row 1: the header lacks {', '.join(missing)}")
        number = 1
        # The row read last, or left unfinished, and where it starts.
        place, first_line = "row 1", 1
        held: tuple[str, Mapping[str, object]] | None = None
        while True:
            start = reader.line_num + 1
            try:
                record = next(reader)
            except StopIteration:
                break
            except csv.Error as error:
                if strict and "end of data" not in str(error):
                    raise
                # The end of the file inside a quote, or (the forgiving reader) a field grown
                # past the CSV module's limit: most often a quote never closed.
                place, first_line = f"row {number + 1}", start
                if "end of data" not in str(error):
                    _check_quotes(path, place, first_line, delimiter)
                    raise JardinierError(f"{path}: {place}: {error}") from None
                break
            number += 1
            place, first_line = f"row {number}", start
            if held is not None:
                yield held
            held = (place, record)
    # A quote never closed takes the rest of the file into one field (the forgiving reader keeps
    # it as the last row's text); the row alone would not say which line of a long file holds it.
    _check_quotes(path, place, first_line, delimiter)
    if held is not None:
        yield held


def _check_quotes(path: Path, place: str, first_line: int, delimiter: str) -> None:
    line = _open_quote_line(path, first_line, delimiter)
    if line is not None:
        raise JardinierError(f"{path}: {place}: a quote is never closed (it opens on line {line})")


def _open_quote_line(path: Path, first_line: int, delimiter: str) -> int | None:
    """The line of the quote still open at the end of the file, read as the CSV reader reads it
    from ``first_line`` (the start of a row) on; ``None`` when every quote closes."""
    state, opened = "start", first_line
    with reading(path) as file:
        for number, line in enumerate(file, start=1):
            if number < first_line:
                continue
            for char in line:
                if state == "quoted":
                    if char == '"':
                        state = "closing"
                elif state == "closing" and char == '"':
                    state = "quoted"  # a doubled quote stands for one
                elif char == delimiter or char in "\r\n":
                    state = "start"
                elif state == "start" and char == '"':
                    state, opened = "quoted", number
                elif state != "start" or char != " ":
                    state = "field"  # past the start of a field a quote is a character like any
    return opened if state == "quoted" else None


def _header(path: Path) -> str:
    """The file's first line, as far as its first line feed."""
    with reading(path) as file:
        return file.readline(HEADER_LIMIT).removesuffix("\n")


def _column(name: str) -> str:
    """A header's column name as the rows are read: ``Timestamp `` is ``timestamp``."""
    return name.strip().casefold()


def _delimiter(header: str) -> str:
    """The separator under which the header names every required column (else a comma)."""
    for delimiter in DELIMITERS:
        names = {
            _column(name) for row in csv.reader([header], delimiter=delimiter) for name in row
        }
        if names.issuperset(COLUMNS):
            return delimiter
    return ","


def jsonl_history(path: Path) -> History:
    """The history of a JSON Lines file (one object per line). The file is read through here:
    a line that is not a JSON object raises an error naming it."""
    for _ in _lines(path):
        pass
    return History(path, "jsonl", COMMUNITY, _channel(path), lambda: _events(_lines(path), path))


def _lines(path: Path) -> Iterator[tuple[str, Mapping[str, object]]]:
    # Only a line break ends a line: a text may hold U+2028, a form feed… (splitlines would cut).
    with reading(path) as file:
        for number, line in enumerate(file, start=1):
            text = line.removesuffix("\n")
            if not text.strip():
                continue
            row = parse_json(text, path, line=number)
            if not isinstance(row, dict):
                raise JardinierError(f"{path}:{number}: expected an object per line")
            yield f"line {number}", row


def _channel(path: Path) -> ChannelRef:
    """The channel of a file whose rows name none: the file's name."""
    return ChannelRef(COMMUNITY, path.stem, f"#{path.stem}")


def _events(rows: Iterable[tuple[str, Mapping[str, object]]], path: Path) -> Iterator[Event]:
    default = _channel(path)
    # Ids (positions, most often) and replies refer to rows of this file only: two files, even
    # of the same channel, must not answer each other's rows.
    scope = f"{path}#"
    channels = {default.id: default}
    for position, (place, row) in enumerate(rows, start=1):
        for column in COLUMNS:
            if row.get(column) in (None, "") and column != "text":
                raise JardinierError(f"{path}: {place}: missing {column!r}")
        at = parse_time(row["timestamp"], path, f"{place}: timestamp")
        name = as_text(row.get("channel")) or default.id
        channel = channels.setdefault(name, ChannelRef(COMMUNITY, name, f"#{name}"))
        user = as_text(row["user"])
        author = MemberRef(COMMUNITY, UserRef(PLATFORM, user, user))
        message_id = as_text(row.get("id")).strip() or str(position)
        reply = as_text(row.get("reply_to")).strip()
        yield MessageCreated(
            at=at,
            message=MessageRef(channel, scope + message_id),
            author=author,
            text=as_text(row.get("text")),
            reply_to=MessageRef(channel, scope + reply) if reply else None,
        )
