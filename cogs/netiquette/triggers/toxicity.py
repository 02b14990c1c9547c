"""``toxicity``: the Detoxify model's scores, label by label, against thresholds.

Checked off the event loop, after the fast triggers (see :mod:`cogs.netiquette.toxicity`):
the verdict may arrive after the other cogs saw the message.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from cogs.netiquette.subject import Subject
from cogs.netiquette.triggers.base import Evidence, Trigger, TriggerConfig, TriggerResult
from cogs.netiquette.why import Scores

Label = Literal[
    "toxicity",
    "severe_toxicity",
    "obscene",
    "threat",
    "insult",
    "identity_attack",
    "sexual_explicit",
]
Threshold = Annotated[float, Field(gt=0, le=1)]


class ToxicityConfig(TriggerConfig):
    """Scores from which a message is too toxic, per label."""

    labels: Annotated[dict[Label, Threshold], Field(min_length=1)] = Field(
        default_factory=lambda: {"toxicity": 0.8}  # type: ignore[arg-type]
    )
    min_length: int = Field(default=3, ge=1, le=1000)
    """Shorter messages are not sent to the model."""


class Toxicity(Trigger):
    """Fires when a label's score reaches its threshold."""

    name = "toxicity"
    config_model = ToxicityConfig
    slow = True

    def check(self, config: ToxicityConfig, subject: Subject, evidence: Evidence) -> TriggerResult:
        """Compare the scores the model gave with the thresholds."""
        if len(subject.text.strip()) < config.min_length:
            return TriggerResult.miss("toxicity_short")
        scores = evidence.verdicts.toxicity
        if scores is None:
            reason = evidence.verdicts.toxicity_error
            if reason is None:
                return TriggerResult.miss("toxicity_no_score")
            return TriggerResult.miss("toxicity_unchecked", reason=reason)
        best: tuple[float, str] | None = None
        for label, threshold in config.labels.items():
            score = scores.get(label)
            if score is not None and score >= threshold and (best is None or score > best[0]):
                best = (score, label)
        if best is not None:
            return TriggerResult.hit("toxicity_hit", label=best[1], score=best[0])
        shown = Scores((label, scores[label]) for label in config.labels if label in scores)
        if not shown:
            return TriggerResult.miss("toxicity_no_label")
        return TriggerResult.miss("toxicity_miss", scores=shown)


TRIGGER = Toxicity()
