"""Plural forms in the rule book's texts: ``{count:one=# member|other=# members}``.

A placeholder may list one form per plural category of CLDR (``zero``, ``one``, ``two``, ``few``,
``many``, ``other``; ``other`` is required); ``#`` in a form stands for the number. The category
comes from the language's own rules, through Babel: in French 0 and 1 take ``one``, in English
only 1; Russian tells ``one``, ``few`` and ``many`` apart. A category a text does not give falls
back to ``other``, and so does a value that is not a number.

Texts learn their locale when their section is validated (:func:`bind_locales`): they are
:class:`LocalText`, strings that know the locale they were written for.
"""

from __future__ import annotations

import decimal
import functools
import numbers
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel

from bot.ruleconf.cldr import cldr_locale
from bot.ruleconf.errors import RuleValueError
from bot.ruleconf.numbers import displayed, value_text

CATEGORIES = ("zero", "one", "two", "few", "many", "other")
EXAMPLE = "{count:one=# member|other=# members}"
EXAMPLE_FR = "{count:one=# membre|other=# membres}"

Section = TypeVar("Section")


class LocalText(str):
    """A text written for one locale (``en``, ``fr-CA``): plural forms follow its rules."""

    locale: str

    def __new__(cls, text: str, locale: str) -> LocalText:
        value = super().__new__(cls, text)
        value.locale = locale
        return value

    def __reduce__(self) -> tuple[type[LocalText], tuple[str, str]]:
        return (LocalText, (str(self), self.locale))


@functools.lru_cache(maxsize=1024)
def parse_forms(spec: str) -> Mapping[str, str]:
    """The forms of ``spec`` (``one=# member|other=# members``) by category.

    Raises ValueError, saying what to write, for a form without a known category, a category
    given twice, braces inside a form, or no ``other`` form.
    """
    forms: dict[str, str] = {}
    for written in spec.split("|"):
        category, equals, text = written.partition("=")
        category = category.strip()
        if not equals or category not in CATEGORIES:
            raise RuleValueError(
                {
                    "en": f"plural form {written.strip()[:40]!r} does not start with a "
                    f"category; write {EXAMPLE} (categories: {', '.join(CATEGORIES)})",
                    "fr": f"la forme du pluriel {written.strip()[:40]!r} ne commence pas par une "
                    f"catégorie ; écrivez {EXAMPLE_FR} (catégories : {', '.join(CATEGORIES)})",
                }
            )
        if category in forms:
            raise RuleValueError(
                {
                    "en": f"plural category {category!r} is given twice",
                    "fr": f"la catégorie du pluriel {category!r} est donnée deux fois",
                }
            )
        if "{" in text or "}" in text:
            raise RuleValueError(
                {
                    "en": f"plural form {written.strip()[:40]!r} holds a brace; write # for the "
                    "number",
                    "fr": f"la forme du pluriel {written.strip()[:40]!r} contient une "
                    f"accolade ; écrivez # pour le nombre",
                }
            )
        forms[category] = text
    if "other" not in forms:
        raise RuleValueError(
            {
                "en": f"plural forms need an 'other' form; write {EXAMPLE}",
                "fr": f"les formes du pluriel ont toujours une forme 'other' ; écrivez "
                f"{EXAMPLE_FR}",
            }
        )
    return forms


def plural_category(value: object, locale: str | None) -> str:
    """The CLDR category of ``value`` in ``locale`` (``other`` for what is not a number).

    A number already written out (``"12.5"``, ``"3"``) counts as that number.
    """
    if isinstance(value, str):
        try:
            value = decimal.Decimal(value)
        except decimal.InvalidOperation:
            return "other"
        if not value.is_finite():
            return "other"
    elif type(value) is int:
        return _whole_category(value, locale)
    elif isinstance(value, bool) or not isinstance(value, numbers.Real):
        return "other"
    elif type(value) is float:
        value = displayed(value)
    rule: Callable[[Any], str] = cldr_locale(locale).plural_form
    return rule(value)


@functools.lru_cache(maxsize=4096)
def _whole_category(value: int, locale: str | None) -> str:
    """The category of a whole number, once per number and locale: counts repeat."""
    rule: Callable[[Any], str] = cldr_locale(locale).plural_form
    return rule(value)


def choose_form(spec: str, value: object, locale: str | None) -> str:
    """The form of ``spec`` for ``value``, with ``#`` replaced by it (written as in ``locale``)."""
    forms = parse_forms(spec)
    form = forms.get(plural_category(value, locale), forms["other"])
    return form.replace("#", value_text(value, locale))


def bind_locales(texts: dict[str, Section]) -> dict[str, Section]:
    """Each locale's texts, with every string made a :class:`LocalText` of that locale."""
    return {locale: _bound(model, locale) for locale, model in texts.items()}


def _bound(value: Any, locale: str) -> Any:
    if type(value) is str:
        return LocalText(value, locale)
    if isinstance(value, list):
        return [_bound(item, locale) for item in value]
    if isinstance(value, tuple):
        return tuple(_bound(item, locale) for item in value)
    if isinstance(value, dict):
        return {key: _bound(item, locale) for key, item in value.items()}
    if isinstance(value, BaseModel):
        return value.model_copy(
            update={
                name: _bound(getattr(value, name), locale) for name in type(value).model_fields
            }
        )
    return value
