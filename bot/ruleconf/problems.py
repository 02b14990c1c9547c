"""What the loader says about the commonest mistakes in a rule book, in English and in French.

A community that speaks French reads its rule book's errors in French in its mod-log and in the
answer to ``/rules_reload``; the log and ``jardinier check-rules`` keep English. Each function
returns the message by language (``{"en": …, "fr": …}``); a mistake not worded here is said in
English everywhere.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

from bot.ruleconf.invisible import invisible_hint, shown

Words = dict[str, str]
"""A message by language: ``{"en": "unknown key 'x'", "fr": "clé inconnue 'x'"}``."""

_UNKNOWN = {
    "section": ("no section named", "aucune section ne s'appelle"),
    "key": ("unknown key", "clé inconnue"),
    "cog": ("unknown cog", "cog inconnu"),
}
_KNOWN = {
    "section": ("known sections", "sections possibles"),
    "key": ("known keys", "clés possibles"),
    "cog": ("known cogs", "cogs possibles"),
}


def unknown(kind: str, name: str, known: Iterable[str]) -> Words:
    """``unknown key 'modlog'; did you mean 'mod_log'?`` or, with nothing close, the choices;
    ``kind`` is ``section``, ``key`` or ``cog``."""
    choices = sorted(known)
    english, french = (f"{what} '{shown(name)}'" for what in _UNKNOWN[kind])
    hint = invisible_hint(name)
    if hint:
        # An invisible character (a no-break space before a colon, as French is typed) is
        # shown escaped, and usually the only mistake.
        hint_fr = invisible_hint(name, "fr")
        visible = "".join(c for c in name if c.isprintable()).strip()
        if visible in choices:
            return {
                "en": f"{english}; {hint} to make it '{visible}'",
                "fr": f"{french} ; {hint_fr} pour en faire '{visible}'",
            }
        english += f"; {hint}"
        french += f" ; {hint_fr}"
    close = difflib.get_close_matches(name, choices, n=1)
    if close:
        return {
            "en": f"{english}; did you mean '{close[0]}'?",
            "fr": f"{french} ; vouliez-vous dire '{close[0]}' ?",
        }
    if not choices:
        return {"en": english, "fr": french}
    listed = ", ".join(choices)
    known_en, known_fr = _KNOWN[kind]
    return {"en": f"{english}; {known_en}: {listed}", "fr": f"{french} ; {known_fr} : {listed}"}


MISSING_KEY: Words = {"en": "required key is missing", "fr": "clé obligatoire manquante"}

QUOTE_A_BRACE: Words = {
    "en": "a text starting with { must be quoted: put the whole text in double quotes",
    "fr": "un texte qui commence par { doit être entre guillemets : mettez tout le texte entre "
    "guillemets doubles",
}


def read_as_boolean(written: str) -> Words:
    """Said of a text or a number YAML read as a boolean (``no``, ``on``)."""
    return {
        "en": f"'{written}' is read as a boolean; put it in quotes to use it as text",
        "fr": f"'{written}' est lu comme un booléen ; mettez-le entre guillemets pour en faire "
        "un texte",
    }


def boolean_not(written: str, *, duration: bool) -> Words:
    """Said of a boolean written where a number or a duration goes."""
    what_en, what_fr = ("a duration", "une durée") if duration else ("a number", "un nombre")
    return {
        "en": f"'{written}' is read as a boolean, not {what_en}; write {what_en}",
        "fr": f"'{written}' est lu comme un booléen, pas comme {what_fr} ; écrivez {what_fr}",
    }


def _plural(count: int, one: str, other: str) -> str:
    # French singular for 0 and 1, as CLDR says.
    return f"{count} {one if count < 2 else other}"


ValueWords = tuple[str, str, str]
"""How a mapping, a list and null read in an error: ``(mapping, list, null)``."""
ENGLISH_VALUES: ValueWords = ("a mapping", "a list", "null")
FRENCH_VALUES: ValueWords = ("des clés et leurs valeurs", "une liste", "rien (null)")


def shown_value(value: object, *, container: bool, words: ValueWords = ENGLISH_VALUES) -> str:
    """``value`` as it was written in YAML, shortened, in ``words``; empty for a container
    unless asked."""
    mapping, listed, null = words
    if isinstance(value, dict):
        return mapping if container else ""
    if isinstance(value, list):
        return listed if container else ""
    if value is None:
        return null
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:37] + "...")
    return str(value)


def _expected_fr(ctx: dict[str, Any]) -> str | None:
    """What pydantic expected, for the errors that say it in their context, in French."""
    if "expected" in ctx:
        # "'mon', 'tue' or 'sun'"
        expected = str(ctx["expected"])
        head, _, last = expected.rpartition(" or ")
        return f"{head} ou {last}" if head else expected
    bounds = {
        "ge": "au moins {}",
        "gt": "plus de {}",
        "le": "au plus {}",
        "lt": "moins de {}",
    }
    for name, words in bounds.items():
        if name in ctx:
            return words.format(ctx[name])
    return None


_TYPE_FR = {
    "string_type": "un texte",
    "int_type": "un nombre entier",
    "int_parsing": "un nombre entier",
    "int_from_float": "un nombre entier",
    "float_type": "un nombre",
    "float_parsing": "un nombre",
    "bool_type": "true ou false",
    "bool_parsing": "true ou false",
    "dict_type": "des clés et leurs valeurs (clé: valeur)",
    "model_type": "des clés et leurs valeurs (clé: valeur)",
    "model_attributes_type": "des clés et leurs valeurs (clé: valeur)",
    "list_type": "une liste",
}


def pydantic_french(error: Any) -> str | None:
    """A pydantic error (a wrong type, a number out of range, a text too long…) in French;
    None for the ones not worded here."""
    kind = error["type"]
    ctx = error.get("ctx") or {}
    written = error.get("input")
    if kind in _TYPE_FR:
        shown = shown_value(
            written, container=kind.endswith(("_type", "_parsing")), words=FRENCH_VALUES
        )
        if kind == "int_from_float":
            shown = str(written)
        message = f"il faut {_TYPE_FR[kind]}" + (f", pas {shown}" if shown else "")
        if kind == "string_type" and read_as_placeholders(written):
            message += f" ; {QUOTE_A_BRACE['fr']}"
        return message
    if kind == "literal_error" or kind in (
        "greater_than_equal",
        "greater_than",
        "less_than_equal",
        "less_than",
    ):
        expected = _expected_fr(ctx)
        if expected is None:
            return None
        shown = shown_value(written, container=False, words=FRENCH_VALUES)
        return f"il faut {expected}" + (f", pas {shown}" if shown else "")
    if kind == "string_too_short":
        characters = _plural(ctx["min_length"], "caractère", "caractères")
        return f"le texte doit avoir au moins {characters}"
    if kind == "string_too_long":
        characters = _plural(ctx["max_length"], "caractère", "caractères")
        return f"le texte doit avoir au plus {characters}"
    if kind == "too_short":
        return f"il faut au moins {_plural(ctx['min_length'], 'élément', 'éléments')}"
    if kind == "too_long":
        return f"il faut au plus {_plural(ctx['max_length'], 'élément', 'éléments')}"
    return None


def read_as_placeholders(value: object) -> bool:
    """Whether ``value`` is what YAML makes of an unquoted ``{name}``: a mapping of names to
    nothing."""
    return isinstance(value, dict) and bool(value) and all(v is None for v in value.values())
