"""Compiling patterns with re2, the linear-time engine: no pattern can stall the bot."""

from __future__ import annotations

from typing import Any

import re2

MAX_PROGRAM_MEMORY = 64 << 20


class PatternError(ValueError):
    """re2 refused a pattern; the message names it and says why."""


def compile_pattern(pattern: str, *, case_sensitive: bool = False) -> Any:
    """Compile ``pattern`` with re2, or raise :class:`PatternError` saying why it was refused."""
    options = re2.Options()
    options.log_errors = False
    options.case_sensitive = case_sensitive
    options.max_mem = MAX_PROGRAM_MEMORY
    try:
        return re2.compile(pattern, options)
    except re2.error as error:
        reason = error.args[0] if error.args else str(error)
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        raise PatternError(
            f"pattern {pattern[:80]!r} is refused by re2 ({reason}); backreferences and "
            "lookarounds are not supported: rewrite it without them"
        ) from None
