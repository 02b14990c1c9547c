"""Turning the rule book's templates into what the bot says: varied, plain, bounded.

Names are members' own words: they are cleaned of control characters and shortened, and passed
as plain text (the adapters escape markup and disable mentions). Templates are picked at random,
never the same one twice in a row where there is a choice, so the bot does not sound robotic.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from bot.ruleconf import plain_name as ruleconf_plain_name


def plain_name(name: str) -> str:
    """``name`` as the welcome writes it: visible, on one line, at most 64 characters, never a
    link, and ``?`` for a name with nothing visible in it."""
    return ruleconf_plain_name(name) or "?"


def uses(template: str, placeholder: str) -> bool:
    """Whether ``template`` may use ``placeholder``: never false when it does (a value costly to
    work out is then worked out only for the texts that say it)."""
    return "{" + placeholder in template


def listed_names(names: Sequence[str], count: int) -> str:
    """``a, b, c`` — with ``…`` when ``count`` is more than the names given."""
    shown = ", ".join(plain_name(name) for name in names)
    return shown + ", …" if count > len(names) else shown


def channel_label(name: str | None, fallback: str = "") -> str:
    """How a channel from community.yaml is written in a text: ``#intros``."""
    return f"#{name.lstrip('#')}" if name else fallback


class TemplatePicker:
    """Picks one of several templates at random, avoiding the last one picked for a key."""

    def __init__(self, rng: random.Random | None = None) -> None:
        self.random = rng or random.Random()
        self._last: dict[str, str] = {}

    def pick(self, key: str, templates: Sequence[str]) -> str:
        """A template of ``templates``, not the previous one picked for ``key`` if avoidable."""
        choices = [template for template in templates if template != self._last.get(key)]
        chosen = self.random.choice(choices or list(templates))
        self._last[key] = chosen
        return chosen
