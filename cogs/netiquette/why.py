"""Why a rule fired or did not, written in the community's language when someone reads it.

Triggers and the engine say *why* with a :class:`Why`: the name of a text under
``texts.<locale>.why`` in the rule book and the values it takes. The text is written only when a
case, the mod-log or ``/rules_test`` needs it: a message that breaks no rule costs no text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, NamedTuple, cast

from bot.durations import SpokenDuration
from bot.ruleconf import render
from bot.ruleconf.numbers import LocaleValue, Percent, value_text
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


_WRITTEN_KEPT = 4_096
"""Reasons kept written (see :func:`written`); beyond, the memory starts afresh."""
_written: dict[tuple[int, str, tuple[object, ...]], tuple[WhyTexts, str]] = {}
"""Reasons already written, by the id of their texts (kept with them: the id is not reused
while they are here), the name of their text and their values."""


def written(why: Why, texts: WhyTexts) -> str:
    """``why`` as its text in ``texts`` says it (its name, should the text be missing).

    Written once per texts, reason and values: the same word, count or duration is said again
    at each firing of a rule (a duration through the locale's words, tens of microseconds).
    """
    values = _values_key(why.values)
    if values is None or not isinstance(getattr(texts, why.key, None), str):
        return render_named(texts, why.key, why.values)
    key = (id(texts), why.key, values)
    kept = _written.get(key)
    if kept is not None and kept[0] is texts:
        return kept[1]
    text = render_named(texts, why.key, why.values)
    if len(_written) >= _WRITTEN_KEPT:
        _written.clear()
    _written[key] = (texts, text)
    return text


def _values_key(values: Mapping[str, object]) -> tuple[object, ...] | None:
    """``values`` as a key that only equal values, written the same, share; None when one is
    of a kind not known to (a float by its bits: ``0.0`` and ``-0.0`` are written apart)."""
    key: list[object] = []
    for name, value in values.items():
        kind = type(value)
        if kind is str or kind is int or kind is SpokenDuration:
            key.append((name, kind, value))
        elif kind is float or kind is Percent:
            key.append((name, kind, cast(float, value).hex()))
        else:
            return None
    return tuple(key)


def explain(reasons: Sequence[Reason], texts: WhyTexts) -> str:
    """Every reason, each after the name of the trigger that gave it (``caps: 80% capitals``)."""
    parts = [
        render(texts.reason, trigger=reason.trigger, why=written(reason.why, texts))
        if reason.trigger
        else written(reason.why, texts)
        for reason in reasons
    ]
    return texts.separator.join(parts)
