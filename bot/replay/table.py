"""Simple histories: CSV or JSONL rows of ``timestamp``, ``user``, ``text`` and optionally
``reply_to``, ``id`` and ``channel``. CSV column names are read whatever their case.

A row without ``id`` is numbered by its position (1, 2 …), which is what ``reply_to`` refers to.
Timestamps are ISO 8601 (naive is taken as UTC) or Unix seconds. Unknown columns are ignored.
The community is ``replay`` on the ``replay`` platform; the channel is the file's name, unless
a row names its own.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from pathlib import Path

from bot.errors import JardinierError
from bot.events import ChannelRef, CommunityRef, MemberRef, MessageCreated, MessageRef, UserRef
from bot.replay.history import History, as_text, parse_json, parse_time

PLATFORM = "replay"
COLUMNS = ("timestamp", "user", "text")
DELIMITERS = (",", ";", "\t", "|")
COMMUNITY = CommunityRef(PLATFORM, "replay", "Replay")


def parse_csv(text: str, path: Path) -> History:
    """The messages of a CSV file with a header row, separated by commas, semicolons (as a
    spreadsheet in French writes them), tabs or bars. A quoted field may hold line breaks."""
    try:
        rows = _rows(text, path, strict=True)
    except csv.Error:
        # A text with quotes of its own ("Bonjour" dit-il) is read as a spreadsheet reads it.
        rows = _rows(text, path, strict=False)
    for place, row in rows:
        if None in row:
            raise JardinierError(f"{path}: {place}: more fields than the header has")
        short = [column for column in COLUMNS if row.get(column) is None]
        if short:
            raise JardinierError(
                f"{path}: {place}: fewer fields than the header has (no {', '.join(short)})"
            )
    return _history(rows, path, "csv")


def _rows(text: str, path: Path, *, strict: bool) -> list[tuple[str, Mapping[str, object]]]:
    """The rows of a CSV text and where each is (``row 2``). Raises :class:`JardinierError` on a
    quote never closed, naming its row and line; the strict reader raises :class:`csv.Error` on
    a quote out of place."""
    header = text.split("\n", 1)[0].rstrip("\r")
    delimiter = _delimiter(header)
    reader = csv.DictReader(
        io.StringIO(text, newline=""),
        delimiter=delimiter,
        skipinitialspace=True,  # "2024-05-01, alice, hello": the values start after the space
        strict=strict,
    )
    reader.fieldnames = [_column(name) for name in reader.fieldnames or ()]
    missing = [column for column in COLUMNS if column not in reader.fieldnames]
    if missing:
        raise JardinierError(f"{path}: row 1: the header lacks {', '.join(missing)}")
    rows: list[tuple[str, Mapping[str, object]]] = []
    place, first_line = "row 1", 1  # the row read last, or left unfinished, and where it starts
    while True:
        start = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            if "end of data" not in str(error):
                raise
            place, first_line = f"row {len(rows) + 2}", start
            break
        place, first_line = f"row {len(rows) + 2}", start
        rows.append((place, record))
    # A quote never closed takes the rest of the file into one field (the forgiving reader keeps
    # it as the last row's text); the row alone would not say which line of a long file holds it.
    line = _open_quote_line(text, first_line, delimiter)
    if line is not None:
        raise JardinierError(f"{path}: {place}: a quote is never closed (it opens on line {line})")
    return rows


def _open_quote_line(text: str, first_line: int, delimiter: str) -> int | None:
    """The line of the quote still open at the end of ``text``, read as the CSV reader reads it
    from ``first_line`` (the start of a row) on; ``None`` when every quote closes."""
    state, opened = "start", first_line
    for number, line in enumerate(io.StringIO(text, newline=""), start=1):
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


def parse_jsonl(text: str, path: Path) -> History:
    """The messages of a JSON Lines file (one object per line)."""
    rows: list[tuple[str, Mapping[str, object]]] = []
    # Only a line feed ends a line: a text may hold U+2028, a form feed… (splitlines would cut).
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        row = parse_json(line, path, line=number)
        if not isinstance(row, dict):
            raise JardinierError(f"{path}:{number}: expected an object per line")
        rows.append((f"line {number}", row))
    return _history(rows, path, "jsonl")


def _history(rows: Iterable[tuple[str, Mapping[str, object]]], path: Path, format: str) -> History:
    default = ChannelRef(COMMUNITY, path.stem, f"#{path.stem}")
    # Ids (positions, most often) and replies refer to rows of this file only: two files, even
    # of the same channel, must not answer each other's rows.
    scope = f"{path}#"
    channels = {default.id: default}
    history = History(path, format, COMMUNITY, default)
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
        history.events.append(
            MessageCreated(
                at=at,
                message=MessageRef(channel, scope + message_id),
                author=author,
                text=as_text(row.get("text")),
                reply_to=MessageRef(channel, scope + reply) if reply else None,
            )
        )
    return history
