"""``caps``: messages written mostly in capitals (shouting)."""

from __future__ import annotations

from pydantic import Field

from cogs.netiquette.subject import Subject
from cogs.netiquette.triggers.base import Evidence, Trigger, TriggerConfig, TriggerResult


class CapsConfig(TriggerConfig):
    """How much shouting is too much."""

    ratio: float = Field(default=0.7, gt=0, le=1)
    """Share of the letters that are capitals, from which the trigger fires."""
    min_length: int = Field(default=10, ge=1, le=10_000)
    """Messages with fewer letters than this never fire (``OK``, ``LOL``)."""


class Caps(Trigger):
    """Fires when at least ``ratio`` of the letters are capitals."""

    name = "caps"
    config_model = CapsConfig

    def check(self, config: CapsConfig, subject: Subject, evidence: Evidence) -> TriggerResult:
        """Count capitals among the letters."""
        letters = upper = 0
        for character in subject.text:
            if character.isalpha():
                letters += 1
                if character.isupper():
                    upper += 1
        if letters < config.min_length:
            return TriggerResult.miss(f"{letters} letters, fewer than {config.min_length}")
        share = upper / letters
        detail = f"{share:.0%} capitals"
        if share >= config.ratio:
            return TriggerResult.hit(detail)
        return TriggerResult.miss(f"{detail}, under {config.ratio:.0%}")


TRIGGER = Caps()
