"""Reading a JSON document of any size a piece at a time: the members of an object one by one,
the items of an array one by one, each value parsed by the standard :mod:`json` module.

Only the value being read, and the piece of the file around it, is held in memory. A malformed
document raises the error ``json.loads`` would give for the whole text, at the same line and
column, so a truncated export of gigabytes is reported as a small one is.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from bot.errors import JardinierError
from bot.replay.surrogates import json_value

CHUNK = 1 << 16
"""Characters read at a time."""
CUT = 32
"""An error this close to the end of what has been read may be a number or a word (``true``,
``\\u00e9``) cut in two by the read: reading on decides."""
WALKED = 2
"""How deep :meth:`JsonStream.skip` walks: deeper values (a message, a chat) are read whole,
which the C parser does far faster than a walk in Python."""
SPACE = re.compile(r"[ \t\n\r]*")
"""What JSON takes for whitespace (``str.isspace`` would take more)."""


class JsonStream:
    """A cursor over a JSON document read from ``source`` (a text file), for ``path``'s errors."""

    def __init__(self, source: TextIO, path: Path, *, chunk: int | None = None) -> None:
        self._source = source
        self._path = path
        self._chunk = chunk or CHUNK
        self._decoder = json.JSONDecoder()
        self._text = ""
        """What has been read and not yet let go of."""
        self._at = 0
        """The next character to read, in ``_text``."""
        self._ended = False
        """Whether ``_text`` holds the rest of the document."""
        self._lines = 0
        """Line breaks in what was let go of."""
        self._column = 0
        """Characters of the current line in what was let go of."""

    def peek(self) -> str:
        """The next character that is not whitespace ("" at the end), without taking it."""
        while True:
            space = SPACE.match(self._text, self._at)
            if space:
                self._at = space.end()
            if self._at < len(self._text):
                return self._text[self._at]
            if not self._read_on():
                return ""

    def value(self) -> Any:
        """The next value, whole; a malformed one raises the error ``json.loads`` would."""
        self.peek()
        least = self._chunk
        while True:
            try:
                value, end = self._decoder.raw_decode(self._text, self._at)
            except json.JSONDecodeError as error:
                if self._maybe_cut(error):
                    # At the end of the file the next try fails again, and for good.
                    self._read_on(least)
                    least *= 2  # one value larger than a chunk: read it in fewer tries
                    continue
                raise self._error(error.msg, error.pos) from None
            except RecursionError:
                raise self.too_deep() from None
            if not self._ended and end >= len(self._text) - CUT:
                self._read_on(least)  # a number may go on in what is not read yet: 1 may be 1e5
                continue
            start, self._at = self._at, end
            return json_value(value, self._text, start, end)

    def members(self) -> Iterator[str]:
        """The keys of the object that starts here, one by one: after each, the caller reads its
        value (:meth:`value`, :meth:`members`, :meth:`items` or :meth:`skip`)."""
        self._take("{")
        if self.peek() == "}":
            self._at += 1
            return
        while True:
            if self.peek() != '"':
                raise self._error("Expecting property name enclosed in double quotes")
            key = self.value()
            if self.peek() != ":":
                raise self._error("Expecting ':' delimiter")
            self._at += 1
            yield key
            if self.peek() == "}":
                self._at += 1
                return
            self._take(",", "Expecting ',' delimiter")

    def items(self) -> Iterator[None]:
        """Stops before each item of the array that starts here; the caller reads the item."""
        self._take("[")
        if self.peek() == "]":
            self._at += 1
            return
        while True:
            yield
            if self.peek() == "]":
                self._at += 1
                return
            self._take(",", "Expecting ',' delimiter")

    def skip(self) -> None:
        """Read past the next value without keeping it whole: a big object or array is walked
        (its members' members are each read, and let go of), never held."""
        try:
            self._skip(0)
        except RecursionError:
            raise self.too_deep() from None

    def _skip(self, depth: int) -> None:
        start = self.peek()
        if depth >= WALKED or not start or start not in "{[":
            self.value()
        elif start == "{":
            for _ in self.members():
                self._skip(depth + 1)
        else:
            for _ in self.items():
                self._skip(depth + 1)

    def end(self) -> None:
        """Check that nothing but whitespace follows the document."""
        if self.peek():
            raise self._error("Extra data")

    def too_deep(self) -> JardinierError:
        """Thousands of nested brackets: no export is shaped so, and the parser cannot follow."""
        return JardinierError(f"{self._path}: JSON nested too deeply to be a chat export")

    def _take(self, char: str, message: str = "Expecting value") -> None:
        if self.peek() != char:
            raise self._error(message)
        self._at += 1

    def _maybe_cut(self, error: json.JSONDecodeError) -> bool:
        if self._ended:
            return False
        # A string's error names where it starts, which may be far from where the read stopped.
        return error.msg.startswith("Unterminated string") or error.pos >= len(self._text) - CUT

    def _read_on(self, least: int = 0) -> bool:
        """Read at least ``least`` more characters (a chunk); False at the end of the file."""
        if self._ended:
            return False
        self._let_go()
        piece = self._source.read(max(least, self._chunk))
        if not piece:
            self._ended = True
            return False
        self._text += piece
        return True

    def _let_go(self) -> None:
        """Forget what is before the cursor, keeping count of its lines for the errors."""
        done = self._at
        if not done:
            return
        breaks = self._text.count("\n", 0, done)
        if breaks:
            self._lines += breaks
            self._column = done - self._text.rfind("\n", 0, done) - 1
        else:
            self._column += done
        self._text = self._text[done:]
        self._at = 0

    def _error(self, message: str, at: int | None = None) -> JardinierError:
        """The error ``json.loads`` gives for the whole text: ``file:line:column: …``."""
        at = self._at if at is None else at
        breaks = self._text.count("\n", 0, at)
        line = self._lines + breaks + 1
        # Where the line starts, one before its first character: in what was let go of, maybe.
        start = self._text.rfind("\n", 0, at) if breaks else -1 - self._column
        column = at - start
        # What json.loads says of a text that stops short: often an export cut off mid-copy.
        truncated = self._ended and at >= len(self._text.rstrip())
        hint = " (the file looks truncated)" if truncated else ""
        return JardinierError(f"{self._path}:{line}:{column}: not valid JSON: {message}{hint}")
