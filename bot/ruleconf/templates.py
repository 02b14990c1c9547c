"""Texts the bot says, written in the rule book with ``{placeholders}`` checked at load time.

A template may only substitute named values: no attribute or index access, no conversions, no
format specs, so a community manager's text can never reach into the objects behind the values.
The one thing a placeholder may carry after a colon is its plural forms
(``{count:one=# member|other=# members}``, see :mod:`bot.ruleconf.plurals`).

A template may also use a chat's own tags (Discord's channel ``<#id>``, role ``<@&id>``, custom
emoji ``<:name:id>``, timestamp ``<t:seconds:R>``): rendering marks each tag the template's author
wrote with an invisible word joiner after its ``<``, so an adapter draws those and escapes the
same tag in a member's name or message (members' words are written without format characters,
see :mod:`bot.ruleconf.plaintext`).
"""

from __future__ import annotations

import functools
import logging
import re
import string
from collections.abc import Iterator, Mapping
from typing import Any

from pydantic import GetCoreSchemaHandler
from pydantic_core import core_schema

from bot.ruleconf.elision import elided, elides
from bot.ruleconf.errors import RuleValueError
from bot.ruleconf.invisible import shown
from bot.ruleconf.numbers import value_text
from bot.ruleconf.plaintext import WORD_JOINER
from bot.ruleconf.plurals import choose_form, parse_forms

log = logging.getLogger(__name__)

_FORMATTER = string.Formatter()
_TAG_OPENING = re.compile(r"<(?=(?:[#@:/]|a:|t:)[^<>\n]*>)")
"""The ``<`` of a tag the author wrote: marked, so only the author's tags are drawn."""


class Placeholders:
    """The placeholders a text may use: ``Annotated[str, Placeholders("command", "usage")]``.

    As pydantic metadata it validates the text at load time: ``"/{command}: {usage}"`` passes,
    ``"{cmd}"`` fails with "unknown placeholder {cmd}; allowed: {command}, {usage}".
    """

    def __init__(self, *names: str) -> None:
        self.names = names

    def __repr__(self) -> str:
        return f"Placeholders{self.names!r}"

    def __get_pydantic_core_schema__(
        self, source: type[Any], handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(self._check, handler(source))

    def _check(self, text: str) -> str:
        check_template(text, self.names)
        return text


def check_template(text: str, allowed: tuple[str, ...]) -> None:
    """Raise ValueError (a :class:`~bot.ruleconf.errors.RuleValueError`, in English and in
    French), saying what to write instead, unless ``text`` only uses ``allowed``."""
    choices = ", ".join(f"{{{name}}}" for name in allowed) if allowed else "none"
    allowed_fr = f"permises : {choices}" if allowed else "ce texte n'en prend aucune"
    for field, spec, conversion in _fields(text):
        written = shown(_written(field, spec, conversion))
        if field == "" or field.isdigit():
            if allowed:
                raise RuleValueError(
                    {
                        "en": f"placeholder {written} has no name; use one of: {choices}",
                        "fr": f"la variable {written} n'a pas de nom ; utilisez l'une de : "
                        f"{choices}",
                    }
                )
            raise RuleValueError(
                {
                    "en": f"placeholder {written} is not allowed; this text takes no placeholders",
                    "fr": f"la variable {written} n'est pas permise ; ce texte ne prend aucune "
                    "variable",
                }
            )
        if not field.isidentifier() and ("." in field or "[" in field):
            raise RuleValueError(
                {
                    "en": f"placeholder {written} uses attribute or index access; "
                    f"write a plain placeholder: {choices}",
                    "fr": f"la variable {written} lit un attribut ou un index ; écrivez une "
                    f"variable simple : {choices}",
                }
            )
        if not field.isidentifier() or field not in allowed:
            unknown = written if not field.isidentifier() else f"{{{field}}}"
            raise RuleValueError(
                {
                    "en": f"unknown placeholder {unknown}; allowed: {choices}",
                    "fr": f"variable inconnue {unknown} ; {allowed_fr}",
                }
            )
        if conversion:
            raise RuleValueError(
                {
                    "en": f"placeholder {written} uses a conversion; write {{{field}}}",
                    "fr": f"la variable {written} utilise une conversion ; écrivez {{{field}}}",
                }
            )
        if spec and "=" not in spec:
            raise RuleValueError(
                {
                    "en": f"placeholder {written} uses a format spec; write {{{field}}}, or "
                    f"plural forms such as {{{field}:one=# item|other=# items}}",
                    "fr": f"la variable {written} utilise un format ; écrivez {{{field}}}, ou "
                    f"des formes du pluriel comme {{{field}:one=# élément|other=# éléments}}",
                }
            )
        if spec:
            try:
                parse_forms(spec)
            except ValueError as error:
                french = dict(error.said).get("fr") if isinstance(error, RuleValueError) else None
                raise RuleValueError(
                    {
                        "en": f"placeholder {{{field}:…}}: {error}",
                        "fr": f"variable {{{field}:…}} : {french or error}",
                    }
                ) from None


def render(template: str, **values: object) -> str:
    """Fill ``template``'s placeholders with ``values``, written with ``str()`` but for floats.

    Plural forms and floats (``0,4`` in French, see :mod:`bot.ruleconf.numbers`) follow the
    template's locale (a :class:`~bot.ruleconf.plurals.LocalText` of the rule book), English
    for a plain string; so does elision (« d'Alice », see :mod:`bot.ruleconf.elision`). Only
    ``{name}`` placeholders and plural forms are filled; anything else raises ValueError, and a
    placeholder without a value raises KeyError.
    """
    locale = getattr(template, "locale", None)
    eliding = elides(locale)
    parts: list[str] = []
    for literal, field, spec, conversion in _parse(template):
        if field is None:
            parts.append(literal)
            continue
        if not field.isidentifier() or conversion:
            raise ValueError(f"{_written(field, spec, conversion)} is not a plain placeholder")
        if field not in values:
            raise KeyError(f"the text uses {{{field}}} but no value was given for it")
        if spec:
            text = choose_form(spec, values[field], locale)
        else:
            text = value_text(values[field], locale)
        parts.append(elided(literal, text) if eliding else literal)
        parts.append(text)
    return "".join(parts)


def render_named(texts: object, key: str, values: Mapping[str, object]) -> str:
    """The text called ``key`` among ``texts`` (a texts model), filled with ``values``.

    For texts chosen by name in code (a reason, an error): a name without its text is logged and
    written as it is, so what reports it (a case, an answer) is never lost.
    """
    template = getattr(texts, key, None)
    if not isinstance(template, str):
        log.error("no text %r in %s; its name is written instead", key, type(texts).__name__)
        return key
    return render(template, **values)


def _parse(text: str) -> tuple[tuple[str, str | None, str, str], ...]:
    # str() first: the same words in another locale parse the same, and share the entry.
    return _parsed(str(text))


@functools.lru_cache(maxsize=4096)
def _parsed(text: str) -> tuple[tuple[str, str | None, str, str], ...]:
    """``text`` cut into literals (their tags marked as the author's) and placeholders, once
    per text: the rule book's texts are few, and some are written for every rule that fires."""
    try:
        parsed = list(_FORMATTER.parse(text))
    except ValueError as exc:
        raise RuleValueError(
            {
                "en": f"{exc}; write {{{{ and }}}} for a literal brace",
                "fr": "une accolade n'a pas sa paire (une variable s'écrit {nom}) ; écrivez "
                "{{ et }} pour une accolade dans le texte",
            }
        ) from None
    return tuple(
        (_TAG_OPENING.sub("<" + WORD_JOINER, literal), field, spec or "", conversion or "")
        for literal, field, spec, conversion in parsed
    )


def _fields(text: str) -> Iterator[tuple[str, str, str]]:
    for _literal, field, spec, conversion in _parse(text):
        if field is not None:
            yield field, spec, conversion


def _written(field: str, spec: str, conversion: str) -> str:
    return (
        "{" + field + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
    )
