"""Babel's CLDR data for a text's locale code, with the fallbacks the rule book promises.

Babel is imported on first use only: most texts need neither plural rules nor number formats,
and ``jardinier --help`` must stay quick.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from babel import Locale

FALLBACK_LOCALE = "en"
"""The rules used for a text that knows no locale, or whose language Babel does not know."""


@functools.lru_cache(maxsize=64)
def cldr_locale(code: str | None) -> Locale:
    """Babel's locale for ``code`` (``fr-CA``), else its language (``fr``), else English."""
    from babel import Locale, UnknownLocaleError

    for candidate in (code, code.split("-")[0] if code else None, FALLBACK_LOCALE):
        if not candidate:
            continue
        try:
            return Locale.parse(candidate, sep="-")
        except (UnknownLocaleError, ValueError):
            continue
    raise LookupError(f"Babel knows no locale {FALLBACK_LOCALE}")  # pragma: no cover
