"""Compiling patterns with re2, the linear-time engine: no pattern can stall the bot."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import re2

MAX_PROGRAM_MEMORY = 64 << 20

try:
    # The library's own compiled program, asked directly whether a text matches: its search()
    # maps every offset back to characters and builds a match, which a miss does not need.
    _UNANCHORED: Any = re2._re2.RE2.Anchor.UNANCHORED
except AttributeError:  # another version of the library: its public search() serves
    _UNANCHORED = None


class PatternError(ValueError):
    """re2 refused a pattern; the message names it and says why."""


class Program:
    """A pattern compiled with re2. Most messages match none of the rules' patterns: a search
    that finds nothing costs one call into re2, and only a match builds the library's match
    object."""

    __slots__ = ("_direct", "compiled")

    def __init__(self, compiled: Any) -> None:
        self.compiled = compiled
        self._direct = getattr(compiled, "_regexp", None) if _UNANCHORED is not None else None

    @property
    def groups(self) -> int:
        """How many capturing groups the pattern has."""
        return int(self.compiled.groups)

    def search(self, text: str) -> Any:
        """The first match in ``text`` (the library's match object), or None."""
        direct = self._direct
        if direct is not None:
            try:
                encoded = text.encode("utf-8")
            except UnicodeEncodeError:
                return self.compiled.search(text)
            if direct.Match(_UNANCHORED, encoded, 0, len(encoded))[0][0] < 0:
                return None
        return self.compiled.search(text)

    def finditer(self, text: str) -> Iterator[Any]:
        """Every match in ``text``, in order."""
        return iter(self.compiled.finditer(text))


def compile_pattern(pattern: str, *, case_sensitive: bool = False) -> Program:
    """Compile ``pattern`` with re2, or raise :class:`PatternError` saying why it was refused."""
    options = re2.Options()
    options.log_errors = False
    options.case_sensitive = case_sensitive
    options.max_mem = MAX_PROGRAM_MEMORY
    try:
        return Program(re2.compile(pattern, options))
    except re2.error as error:
        reason = error.args[0] if error.args else str(error)
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        raise PatternError(
            f"pattern {pattern[:80]!r} is refused by re2 ({reason}); backreferences and "
            "lookarounds are not supported: rewrite it without them"
        ) from None
