"""Compiling patterns with re2, the linear-time engine: no pattern can stall the bot."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import re2
from pydantic import ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

MAX_PROGRAM_MEMORY = 64 << 20
SHOWN_LENGTH = 80
"""How much of a refused pattern its error shows."""

# re2's reasons for refusing a backreference (\1, or as other engines write it \g1, \k<name>,
# (?P=name), of which re2 names only "(?P") or a lookaround.
_BACKREFERENCES = tuple(f"invalid escape sequence: \\{escape}" for escape in "123456789gk")
_LOOKAROUNDS = tuple(
    f"invalid perl operator: {opening}" for opening in ("(?=", "(?!", "(?<=", "(?<!")
)

try:
    # The library's own compiled program, asked directly whether a text matches: its search()
    # maps every offset back to characters and builds a match, which a miss does not need.
    _UNANCHORED: Any = re2._re2.RE2.Anchor.UNANCHORED
except AttributeError:  # another version of the library: its public search() serves
    _UNANCHORED = None


class PatternError(ValueError):
    """re2 refused a pattern; the message names it and says why. ``too_large``: the pattern is
    valid, but its program would be over :data:`MAX_PROGRAM_MEMORY`."""

    def __init__(self, message: str, *, too_large: bool = False) -> None:
        super().__init__(message)
        self.too_large = too_large


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
        too_large = reason.startswith("pattern too large")
        raise PatternError(
            f"pattern {_shown(pattern)} is refused by re2 ({reason}){_advice(reason, pattern)}",
            too_large=too_large,
        ) from None


def _shown(pattern: str) -> str:
    """``pattern`` quoted as it was written (backslashes single), cut if long."""
    cut = pattern if len(pattern) <= SHOWN_LENGTH else pattern[:SHOWN_LENGTH] + "…"
    return "'" + "".join(c if c.isprintable() else repr(c)[1:-1] for c in cut) + "'"


def _advice(reason: str, pattern: str) -> str:
    """What to do about re2's ``reason``, when it has a known cause."""
    if reason.startswith("pattern too large"):
        # What to do depends on what the pattern is: one of a list, or a list combined.
        return f"; its program would be over {memory_allowed()}"
    if reason.startswith(_BACKREFERENCES) or (reason.endswith("(?P") and "(?P=" in pattern):
        return "; backreferences are not supported: rewrite it without them"
    if reason.startswith(_LOOKAROUNDS):
        return "; lookarounds are not supported: rewrite it without them"
    return ""


def memory_allowed() -> str:
    """The memory one program may take, as errors say it (``64 MB``)."""
    return f"{MAX_PROGRAM_MEMORY >> 20} MB"


def refused_at(key: str, message: str, value: object) -> ValidationError:
    """A validation error at the field ``key``, for a model's validator to raise: pydantic
    reports it at that key, where a ValueError would point at the whole model."""
    # pydantic takes a ValidationError raised while validating a model as errors of its own,
    # their places prefixed with the model's. The message goes through the context: the
    # template would read braces in a pattern as placeholders.
    error = PydanticCustomError("re2_refused", "{message}", {"message": message})
    return ValidationError.from_exception_data(
        "re2", [InitErrorDetails(type=error, loc=(key,), input=value)]
    )
