"""Why a rule fired or did not, written in the community's language when someone reads it.

Triggers and the engine say *why* with a :class:`Why`: the name of a text under
``texts.<locale>.why`` in the rule book and the values it takes. The text is written only when a
case, the mod-log or ``/rules_test`` needs it: a message that breaks no rule costs no text.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, NamedTuple

from bot.ruleconf import percent_text, render
from bot.ruleconf.numbers import value_text

if TYPE_CHECKING:
    from cogs.netiquette.config import WhyTexts

log = logging.getLogger(__name__)

_NO_VALUES: Mapping[str, object] = MappingProxyType({})


class LocaleValue:
    """A value whose text depends on the locale it is written in."""

    def in_locale(self, locale: str | None) -> str:
        """The value as a text of ``locale`` writes it."""
        raise NotImplementedError


class Percent(LocaleValue, float):
    """A share (``0.7``) that texts write as a percentage of their locale (``70%``, ``70 %``)."""

    def in_locale(self, locale: str | None) -> str:
        """``70%`` in English, ``70 %`` in French."""
        return percent_text(self, locale)


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
    """``why`` as its text in ``texts`` says it."""
    template = getattr(texts, why.key, None)
    if not isinstance(template, str):
        # A reason never stops a case from being recorded: its name stands in for the text.
        log.error("no why text %r; the reason is written by its name", why.key)
        return why.key
    locale = getattr(template, "locale", None)
    values = {
        name: value.in_locale(locale) if isinstance(value, LocaleValue) else value
        for name, value in why.values.items()
    }
    return render(template, **values)


def explain(reasons: Sequence[Reason], texts: WhyTexts) -> str:
    """Every reason, each after the name of the trigger that gave it (``caps: 80% capitals``)."""
    parts = [
        render(texts.reason, trigger=reason.trigger, why=written(reason.why, texts))
        if reason.trigger
        else written(reason.why, texts)
        for reason in reasons
    ]
    return texts.separator.join(parts)
