"""A platform refusal as a community reads it, written with the shipped rule book's texts."""

from __future__ import annotations

from bot.platform import PlatformError
from bot.refusals import refusal_text
from tests.support.rulebook import shipped_texts


def written(error: PlatformError, locale: str = "en") -> str:
    """What the mod-log says of ``error`` in ``locale``."""
    return refusal_text(error, shipped_texts(locale))
