"""Why a rule fired or did not, written in the community's language when someone reads it.

Triggers and the engine say *why* with a :class:`Why`: the name of a text under
``texts.<locale>.why`` in the rule book and the values it takes. The text is written only when a
case, the mod-log or ``/rules_test`` needs it: a message that breaks no rule costs no text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, NamedTuple

from bot.ruleconf import render
from bot.ruleconf.numbers import LocaleValue, value_text
from bot.ruleconf.templates import render_named

if TYPE_CHECKING:
    from cogs.netiquette.config import WhyTexts

_NO_VALUES: Mapping[str, object] = MappingProxyType({})


class Scores(LocaleValue, tuple[tuple[str, float], ...]):
    """Labels and their scores, written ``toxicity 0.12, insult 0.05`` (``0,12`` in French)."""

    def in_locale(self, locale: str | None) -> str:
        """Each label and its score, with the locale's decimal separator."""
        return ", ".join(f"{label} {value_text(score, locale)}" for label, score in self)


class Why(NamedTuple):
    """One reason: the name of a ``why`` text and the values of its placeholders."""

    key: str
    values: Mapping[str, object] = _NO_VALUES


class Reason(NamedTuple):
    """A reason and who gave it: a trigger's name, or ``""`` for the engine (cooldown, channel)."""

    trigger: str
    why: Why


def written(why: Why, texts: WhyTexts) -> str:
    """``why`` as its text in ``texts`` says it (its name, should the text be missing)."""
    return render_named(texts, why.key, why.values)


def explain(reasons: Sequence[Reason], texts: WhyTexts) -> str:
    """Every reason, each after the name of the trigger that gave it (``caps: 80% capitals``)."""
    parts = [
        render(texts.reason, trigger=reason.trigger, why=written(reason.why, texts))
        if reason.trigger
        else written(reason.why, texts)
        for reason in reasons
    ]
    return texts.separator.join(parts)
