"""``match_regex``: regular expressions, run by re2 (linear time, whatever the pattern).

The patterns of one trigger are combined into one re2 program. A pattern re2 refuses
(backreferences, lookarounds) is an error when the rule book loads, naming the pattern.
Patterns are matched case-insensitively against the normalised text (lower case, evasions
undone) unless ``normalise: false``.
"""

from __future__ import annotations

from functools import cached_property
from typing import Annotated, Any

from pydantic import AfterValidator, Field

from bot.ruleconf.errors import RuleValueError
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

MAX_PATTERNS = 500


def _re2_accepts(pattern: str) -> str:
    try:
        compile_pattern(pattern)
    except PatternError as error:
        said = error.said
        if error.too_large:
            said = {
                "en": f"{said['en']}: make it smaller (fewer or smaller repeats)",
                "fr": f"{said['fr']} : réduisez-le (moins de répétitions, ou de plus petites)",
            }
        raise RuleValueError(said) from None
    return pattern


class MatchRegexConfig(TriggerConfig):
    """Patterns that must not match a message."""

    patterns: Annotated[
        list[Annotated[str, Field(min_length=1, max_length=1000), AfterValidator(_re2_accepts)]],
        Field(min_length=1, max_length=MAX_PATTERNS),
    ]
    normalise: bool | None = None
    """Match against the normalised text (the section's ``normalise``, on by default)."""

    def model_post_init(self, context: Any, /) -> None:
        """Combine the patterns into one program now, so a rule book that is too large fails."""
        _ = self._combined

    @cached_property
    def _combined(self) -> tuple[Any, tuple[int, ...]]:
        # The program, and where each pattern's group starts. A cached property, not a pydantic
        # private attribute: those cost an exception per read.
        starts = []
        group = 1
        for pattern in self.patterns:
            starts.append(group)
            group += 1 + compile_pattern(pattern).groups
        combined = "|".join(f"({pattern})" for pattern in self.patterns)
        try:
            return compile_pattern(combined), tuple(starts)
        except PatternError:
            said = {
                "en": "these patterns together are too large for one program (re2's program is "
                f"over {memory_allowed()}): split the list into several rules",
                "fr": "ces motifs ensemble sont trop grands pour un seul programme (le programme "
                f"de re2 dépasse {memory_allowed('fr')}) : répartissez la liste entre "
                "plusieurs règles",
            }
            raise refused_at("patterns", said, self.patterns) from None

    @property
    def program(self) -> Any:
        """The patterns combined into one re2 program."""
        return self._combined[0]

    def which(self, found: Any) -> str:
        """The pattern that produced ``found``."""
        for pattern, group in zip(self.patterns, self._combined[1], strict=True):
            if found.group(group) is not None:
                return pattern
        return self.patterns[0]


class MatchRegex(Trigger):
    """Fires on the first pattern that matches."""

    name = "match_regex"
    config_model = MatchRegexConfig

    def check(
        self, config: MatchRegexConfig, subject: Subject, evidence: Evidence
    ) -> TriggerResult:
        """Search every reading of the text with the combined program."""
        normalised = (
            evidence.normalise_by_default if config.normalise is None else config.normalise
        )
        readings = subject.normalised if normalised else subject.as_written
        for reading in readings.variants:
            found = config.program.search(reading)
            if found is not None:
                return TriggerResult.hit("pattern_hit", pattern=config.which(found))
        return MISSED if not evidence.explain else TriggerResult.miss("pattern_miss")


TRIGGER = MatchRegex()
