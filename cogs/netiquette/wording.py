"""Texts a community manager writes once or per locale, and the small formatting the cog does."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from bot.ruleconf import Locale, Placeholders

RULE_TEXT_PLACEHOLDERS = ("member", "rule", "charter", "community", "reason")


def _one_locale_or_many(value: Any) -> Any:
    return {"*": value} if isinstance(value, str) else value


RuleText = Annotated[str, Placeholders(*RULE_TEXT_PLACEHOLDERS), Field(max_length=2000)]
Localised = Annotated[
    dict[Locale | Annotated[str, Field(pattern=r"^\*$")], RuleText],
    BeforeValidator(_one_locale_or_many),
    Field(min_length=1),
]
"""A text written once (``"Restons courtois"``) or per locale (``{en: …, fr: …}``)."""


def pick(text: dict[str, str] | None, locale: str) -> str | None:
    """The text for ``locale``: its own, its language's, the one for all, else English."""
    if not text:
        return None
    language = locale.split("-", 1)[0]
    for key in (locale, language, "*", "en"):
        if key in text:
            return text[key]
    return next(iter(text.values()))
