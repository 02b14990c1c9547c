"""``match_words``: listed words, whole words by default, in the normalised text.

All the words of one trigger are compiled into a single re2 program (linear time), when the rule
book loads: a list too large for one program is refused there, at its key. Each letter
of a listed word may repeat (``idiiiiot``), and a word matches its plural (``idiots``); whole-word
matching keeps ``assistance`` clear of ``ass``. A listed phrase's spaces match any separators or
none (``ta gueule`` catches ``tagueule`` and ``t a  g u e u l e``). ``substring: true`` matches
inside words too.
"""

from __future__ import annotations

from functools import cached_property
from typing import Annotated, Any

from pydantic import Field, field_validator

from bot.ruleconf.errors import RuleValueError
from cogs.netiquette.normalise import (
    APOSTROPHES,
    BOUNDARY_AFTER,
    BOUNDARY_BEFORE,
    folded_word,
    word_pattern,
)
from cogs.netiquette.regexes import (
    PatternError,
    compile_pattern,
    memory_allowed,
    refused_at,
)
from cogs.netiquette.subject import Subject
from cogs.netiquette.triggers.base import (
    MISSED,
    Evidence,
    Trigger,
    TriggerConfig,
    TriggerResult,
)

MAX_WORDS = 2_000
PLURAL = "(?:e*s+|x+)?"
SEPARATORS = r"[^\pL\pN]*"
"""What a space in a listed phrase becomes in its pattern (see ``word_pattern``)."""
"""A listed word matches its plural too: ``idiot`` catches ``idiots``, ``crétin`` ``crétins``,
``bitch`` ``bitches``, ``boyau`` ``boyaux`` (letters may repeat, as in the word itself)."""


class MatchWordsConfig(TriggerConfig):
    """Words (or phrases) that must not be posted."""

    words: Annotated[
        list[Annotated[str, Field(min_length=1, max_length=100)]],
        Field(min_length=1, max_length=MAX_WORDS),
    ]
    substring: bool = False
    """Match inside words too (``ass`` in ``classic``): rarely what you want."""
    normalise: bool | None = None
    """Undo evasions first (the section's ``normalise``, on by default)."""
    unless: Annotated[
        list[Annotated[str, Field(min_length=1, max_length=100)]],
        Field(default_factory=list, max_length=MAX_WORDS),
    ]
    """Expressions a listed word is harmless in: a match they overlap does not count
    (``gueule de bois``, a hangover, excuses ``ta gueule`` in ``ta gueule de bois``)."""

    @field_validator("words", "unless")
    @classmethod
    def _words_have_letters(cls, words: list[str]) -> list[str]:
        for word in words:
            if not folded_word(word):
                raise RuleValueError(
                    {
                        "en": f"{word!r} has no letter left once normalised; remove it",
                        "fr": f"{word!r} n'a plus aucune lettre une fois normalisé ; retirez-le",
                    }
                )
        return words

    def model_post_init(self, context: Any, /) -> None:
        """Build now every program the checks will use: a list too large for re2 is refused when
        the rule book loads, not on each message, where its failure would stop every rule."""
        readings = (True, False) if self.normalise is None else (self.normalise,)
        for key, build in (("words", self.program), ("unless", self.excuses)):
            for normalised in readings:
                try:
                    build(normalised)
                except PatternError as error:
                    raise refused_at(key, _refusal(key, error), getattr(self, key)) from None

    @cached_property
    def _programs(self) -> dict[object, Any]:
        # A cached property, not a pydantic private attribute: those cost an exception per read.
        return {}

    @cached_property
    def squeezing_changes_nothing(self) -> bool:
        """Whether the readings with repeats squeezed can be skipped: every pattern already
        takes each letter, apostrophe and separator run, repeated; only another sign written
        in a listed word (``c++``) is matched once, as written."""
        return all(
            character.isalnum() or character.isspace() or character in APOSTROPHES
            for word in self.words
            for character in folded_word(word)
        )

    def program(self, normalised: bool) -> Any:
        """The compiled re2 program for a reading (built when the config is validated)."""
        program = self._programs.get(normalised)
        if program is None:
            alternatives = "|".join(
                f"({word_pattern(word, normalised=normalised)})" for word in self.words
            )
            pattern = (
                f"(?:{alternatives})"
                if self.substring
                else f"{BOUNDARY_BEFORE}(?:{alternatives}){PLURAL}{BOUNDARY_AFTER}"
            )
            program = self._programs[normalised] = compile_pattern(pattern)
        return program

    def excuses(self, normalised: bool) -> Any:
        """The compiled program of the ``unless`` expressions for a reading (built when the
        config is validated), or None."""
        if not self.unless:
            return None
        key = ("unless", normalised)
        program = self._programs.get(key)
        if program is None:
            # Each word of an expression may be plural ("idiots savants"), not only its last.
            alternatives = "|".join(
                word_pattern(word, normalised=normalised).replace(SEPARATORS, PLURAL + SEPARATORS)
                for word in self.unless
            )
            pattern = f"{BOUNDARY_BEFORE}((?:{alternatives}){PLURAL}){BOUNDARY_AFTER}"
            program = self._programs[key] = compile_pattern(pattern)
        return program


def _refusal(key: str, error: PatternError) -> dict[str, str]:
    if not error.too_large:
        return error.said
    over = f"re2's program is over {memory_allowed()}"
    over_fr = f"le programme de re2 dépasse {memory_allowed('fr')}"
    if key == "words":
        return {
            "en": f"too many or too long words for one rule ({over}): split them into several "
            "rules",
            "fr": f"trop de mots, ou des mots trop longs, pour une seule règle ({over_fr}) : "
            "répartissez-les entre plusieurs règles",
        }
    return {
        "en": f"too many or too long expressions ({over}): keep fewer, shorter ones",
        "fr": f"trop d'expressions, ou des expressions trop longues ({over_fr}) : gardez-en "
        "moins, et plus courtes",
    }


class MatchWords(Trigger):
    """Fires on the first listed word found."""

    name = "match_words"
    config_model = MatchWordsConfig

    def check(
        self, config: MatchWordsConfig, subject: Subject, evidence: Evidence
    ) -> TriggerResult:
        """Search every reading of the text for one of the words."""
        normalised = (
            evidence.normalise_by_default if config.normalise is None else config.normalise
        )
        readings = subject.normalised if normalised else subject.as_written
        program = config.program(normalised)
        # A match in a squeezed reading is a match in the reading it was squeezed from.
        for reading in (
            readings.spellings if config.squeezing_changes_nothing else readings.variants
        ):
            found = program.search(reading)
            if found is not None and config.unless:
                found = _unexcused(program, config, normalised, reading)
            if found is not None:
                index = next(
                    i for i in range(1, len(config.words) + 1) if found.group(i) is not None
                )
                return TriggerResult.hit("word_hit", word=config.words[index - 1])
        return MISSED if not evidence.explain else TriggerResult.miss("word_miss")


def _unexcused(program: Any, config: MatchWordsConfig, normalised: bool, reading: str) -> Any:
    """The first match of ``program`` in ``reading`` that no ``unless`` expression overlaps, or
    None. Only a message that matched comes here: the common case costs nothing more. Spans are
    the words' own, without the separators around them (``ta gueule gueule de bois``)."""
    spans = [excuse.span(1) for excuse in config.excuses(normalised).finditer(reading)]
    groups = range(1, len(config.words) + 1)
    for found in program.finditer(reading):
        start, end = next(found.span(i) for i in groups if found.group(i) is not None)
        if not any(start < until and since < end for since, until in spans):
            return found
    return None


TRIGGER = MatchWords()
