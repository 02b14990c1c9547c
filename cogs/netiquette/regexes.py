"""Compiling patterns with re2, the linear-time engine: no pattern can stall the bot."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from typing import Any

import re2
from pydantic import ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

from bot.ruleconf.errors import RuleValueError

MAX_PROGRAM_MEMORY = 64 << 20
SHOWN_LENGTH = 80
"""How much of a refused pattern its error shows."""

# re2's reasons for refusing a backreference (\1, or as other engines write it \g1, \k<name>,
# (?P=name), of which re2 names only "(?P") or a lookaround.
_BACKREFERENCES = tuple(f"invalid escape sequence: \\{escape}" for escape in "123456789gk")
_LOOKAROUNDS = tuple(
    f"invalid perl operator: {opening}" for opening in ("(?=", "(?!", "(?<=", "(?<!")
)
_REASONS_FR = {
    "invalid escape sequence": "séquence d'échappement invalide",
    "invalid character class": "classe de caractères invalide",
    "invalid character class range": "intervalle de classe de caractères invalide",
    "missing ]": "crochet fermant manquant",
    "missing )": "parenthèse fermante manquante",
    "unexpected )": "parenthèse fermante en trop",
    "trailing \\": "barre oblique inverse à la fin du motif",
    "no argument for repetition operator": "opérateur de répétition sans rien à répéter",
    "invalid repetition size": "nombre de répétitions invalide",
    "bad repetition operator": "opérateur de répétition incorrect",
    "invalid perl operator": "opérateur Perl invalide",
    "invalid UTF-8": "UTF-8 invalide",
    "invalid named capture group": "nom de groupe de capture invalide",
    "pattern too large - compile failed": "programme trop grand",
}
"""re2's reasons (the part before ``: ``, the text it refused) in French."""

try:
    # The library's own compiled program, asked directly whether a text matches: its search()
    # maps every offset back to characters and builds a match, which a miss does not need.
    _UNANCHORED: Any = re2._re2.RE2.Anchor.UNANCHORED
except AttributeError:  # another version of the library: its public search() serves
    _UNANCHORED = None


class PatternError(ValueError):
    """re2 refused a pattern; the message names it and says why, ``said`` the same in English
    and French. ``too_large``: the pattern is valid, but its program would be over
    :data:`MAX_PROGRAM_MEMORY`."""

    def __init__(self, said: Mapping[str, str], *, too_large: bool = False) -> None:
        super().__init__(said["en"])
        self.said = dict(said)
        self.too_large = too_large


class Program:
    """A pattern compiled with re2. Most messages match none of the rules' patterns: a search
    that finds nothing costs one call into re2, to the pattern compiled without its groups
    (whose spans the library would otherwise list on every call), and only a match builds the
    library's match object."""

    __slots__ = ("_direct", "compiled")

    def __init__(self, compiled: Any, screen: Any = None) -> None:
        self.compiled = compiled
        if screen is None:
            screen = compiled
        self._direct = getattr(screen, "_regexp", None) if _UNANCHORED is not None else None

    @property
    def groups(self) -> int:
        """How many capturing groups the pattern has."""
        return int(self.compiled.groups)

    def search(self, text: str) -> Any:
        """The first match in ``text`` (the library's match object), or None."""
        direct = self._direct
        if direct is not None:
            try:
                encoded = text.encode("utf-8")
            except UnicodeEncodeError:
                return self.compiled.search(text)
            if direct.Match(_UNANCHORED, encoded, 0, len(encoded))[0][0] < 0:
                return None
        return self.compiled.search(text)

    def finditer(self, text: str) -> Iterator[Any]:
        """Every match in ``text``, in order."""
        return iter(self.compiled.finditer(text))


def compile_pattern(pattern: str, *, case_sensitive: bool = False) -> Program:
    """Compile ``pattern`` with re2, or raise :class:`PatternError` saying why it was refused."""
    options = re2.Options()
    options.log_errors = False
    options.case_sensitive = case_sensitive
    options.max_mem = MAX_PROGRAM_MEMORY
    try:
        compiled = re2.compile(pattern, options)
    except re2.error as error:
        reason = error.args[0] if error.args else str(error)
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        advice = _advice(reason, pattern)
        raise PatternError(
            {
                "en": f"pattern {_shown(pattern)} is refused by re2 ({reason}){advice['en']}",
                "fr": f"le motif {_shown(pattern)} est refusé par re2 ({_reason_french(reason)})"
                + advice["fr"],
            },
            too_large=reason.startswith("pattern too large"),
        ) from None
    screen = None
    if compiled.groups:
        # The same pattern, its parentheses only grouping: it matches the same texts.
        options.never_capture = True
        with contextlib.suppress(re2.error):
            screen = re2.compile(pattern, options)
    return Program(compiled, screen)


def _written(text: str) -> str:
    """``text`` as it was written (backslashes single), its invisible characters escaped."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _shown(pattern: str) -> str:
    """``pattern`` quoted as it was written, cut if long."""
    cut = pattern if len(pattern) <= SHOWN_LENGTH else pattern[:SHOWN_LENGTH] + "…"
    return f"'{_written(cut)}'"


def _reason_french(reason: str) -> str:
    """re2's ``reason`` in French, the text it refused quoted as code: ``missing ): (abc``
    becomes ``parenthèse fermante manquante : `(abc```."""
    # re2 writes "<what>: <where>"; its own colon would read as a typographic mistake in
    # French, so only the part it quotes from the pattern is kept as re2 wrote it.
    what, _, where = reason.partition(": ")
    french = _REASONS_FR.get(what)
    if french is None:
        return f"re2 signale : `{_written(reason)}`"
    return f"{french} : `{_written(where)}`" if where else french


def _advice(reason: str, pattern: str) -> dict[str, str]:
    """What to do about re2's ``reason``, when it has a known cause, in English and French."""
    if reason.startswith("pattern too large"):
        # What to do depends on what the pattern is: one of a list, or a list combined.
        return {
            "en": f"; its program would be over {memory_allowed()}",
            "fr": f" ; son programme dépasserait {memory_allowed('fr')}",
        }
    if reason.startswith(_BACKREFERENCES) or (reason.endswith("(?P") and "(?P=" in pattern):
        return {
            "en": "; backreferences are not supported: rewrite it without them",
            "fr": " ; les références arrière ne sont pas prises en charge : "
            "réécrivez-le sans elles",
        }
    if reason.startswith(_LOOKAROUNDS):
        return {
            "en": "; lookarounds are not supported: rewrite it without them",
            "fr": " ; les assertions avant ou arrière (lookarounds) ne sont pas prises en "
            "charge : réécrivez-le sans elles",
        }
    return {"en": "", "fr": ""}


def memory_allowed(language: str = "en") -> str:
    """The memory one program may take, as errors say it: ``64 MB``, in French ``64 Mo``."""
    if language == "fr":
        return f"{MAX_PROGRAM_MEMORY >> 20} Mo"
    return f"{MAX_PROGRAM_MEMORY >> 20} MB"


def refused_at(key: str, said: Mapping[str, str], value: object) -> ValidationError:
    """A validation error at the field ``key``, saying ``said`` (English and French), for a
    model's validator to raise: pydantic reports it at that key, where a ValueError would point
    at the whole model."""
    # pydantic takes a ValidationError raised while validating a model as errors of its own,
    # their places prefixed with the model's. The message goes through the context: the
    # template would read braces in a pattern as placeholders. The loader finds the French in
    # the context's error, as it does in a validator's RuleValueError.
    error = PydanticCustomError(
        "re2_refused", "{message}", {"message": said["en"], "error": RuleValueError(said)}
    )
    return ValidationError.from_exception_data(
        "re2", [InitErrorDetails(type=error, loc=(key,), input=value)]
    )
