"""The ``reports`` section of the rule book: schedule, satisfaction thresholds, the texts."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.crontab import Weekday
from bot.emojis import emoji_key
from bot.ruleconf import Placeholders, TextsByLocale
from bot.ruleconf.errors import RuleValueError
from bot.writeconfig import WriteConfig


class ScheduleConfig(BaseModel):
    """The scheduled activity report, in the community's time zone."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = True
    channel: str | None = "leadership"
    day_of_week: Weekday = "mon"
    hour: int = Field(default=9, ge=0, le=23)
    minute: int = Field(default=5, ge=0, le=59)
    days: int = Field(default=7, ge=1, le=366)
    """Complete days (up to yesterday) the scheduled report covers."""


Emojis = Annotated[
    list[Annotated[str, Field(min_length=1, max_length=100)]], Field(max_length=500)
]
"""A list of reactions: emoji, ``:name:`` of a Discord custom emoji, ``custom:<id>`` of a
Telegram one (see :mod:`cogs.reports.moods`). A star (⭐, a Telegram paid reaction too) is positive
unless listed as negative."""


class SatisfactionConfig(BaseModel):
    """How scored messages count: the highest label score under / over these thresholds; and,
    without scores, which reactions are positive and which negative (any other is neither)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    civil_below: float = Field(default=0.2, ge=0, le=1)
    hostile_above: float = Field(default=0.5, ge=0, le=1)
    positive_reactions: Emojis = ["👍", "❤", "🥰", "😍", "😊", "😄", "😁", "🎉", "🙏", "👏"]
    negative_reactions: Emojis = ["👎", "😡", "😠", "🤬", "🤮", "🤢", "💩", "🖕"]

    @model_validator(mode="after")
    def _ordered(self) -> SatisfactionConfig:
        if self.civil_below > self.hostile_above:
            raise RuleValueError(
                {
                    "en": "civil_below must not be above hostile_above",
                    "fr": "civil_below ne doit pas dépasser hostile_above",
                }
            )
        return self

    @model_validator(mode="after")
    def _one_mood_each(self) -> SatisfactionConfig:
        negative = {emoji_key(emoji) for emoji in self.negative_reactions}
        both = [emoji for emoji in self.positive_reactions if emoji_key(emoji) in negative]
        if both:
            listed = ", ".join(both)
            raise RuleValueError(
                {
                    "en": f"{listed} is both in positive_reactions and in negative_reactions:"
                    " keep it in one of them",
                    "fr": f"{listed} est à la fois dans positive_reactions et dans"
                    " negative_reactions\u00a0: ne le gardez que dans l'une des deux",
                }
            )
        return self


class ReportTexts(BaseModel):
    """What the reports cog says, in one locale."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: Annotated[str, Placeholders("community", "start", "end", "days")]
    title_day: Annotated[str, Placeholders("community", "day")]
    """The title of a report of one day."""
    title_since: Annotated[
        str, Placeholders("community", "start", "end", "days", "since", "counted")
    ]
    """The title of a report whose period began before the bot first saw the community: only
    the ``counted`` days from ``since`` on hold figures."""
    messages: Annotated[str, Placeholders("count", "change", "per_day")]
    per_day_under: Annotated[str, Placeholders("least")]
    active: Annotated[str, Placeholders("count", "change")]
    newcomers: Annotated[str, Placeholders("count", "change", "introduced", "posted", "stayed")]
    retention: Annotated[str, Placeholders("rate", "kept", "previous")]
    retention_none: Annotated[str, Placeholders()]
    retention_before_start: Annotated[str, Placeholders()]
    """The period before came before the bot did: nobody seen active then, nothing to keep."""
    no_change: Annotated[str, Placeholders()]
    """In place of a change against a period before that began before the bot came."""
    channels: Annotated[str, Placeholders("channels")]
    moderation: Annotated[str, Placeholders("count", "rules")]
    manual: Annotated[str, Placeholders()]
    ladder: Annotated[str, Placeholders()]
    """The netiquette's strike ladder, where the moderation breakdown names a rule."""
    pardoned: Annotated[str, Placeholders("count")]
    """Sanctions of the period pardoned since, after those by rule (they count no more)."""
    contests: Annotated[str, Placeholders("count")]
    satisfaction_toxicity: Annotated[
        str, Placeholders("rate", "change", "civil", "hostile", "scored", "below", "above")
    ]
    satisfaction_fallback: Annotated[
        str,
        Placeholders(
            "rate", "change", "positive", "negative", "liked", "thanks", "disliked", "sanctions"
        ),
    ]
    """Without toxicity scores: positive signals (``liked`` positive reactions, ``thanks``)
    against negative ones (``disliked`` negative reactions, ``sanctions``)."""
    satisfaction_none: Annotated[str, Placeholders()]
    none: Annotated[str, Placeholders()]
    """No channel (the top channels)."""
    no_actions: Annotated[str, Placeholders()]
    """No moderation action: a word of its own, as languages agree it with the noun."""
    chart_title: Annotated[str, Placeholders("community")]
    chart_messages: Annotated[str, Placeholders()]
    chart_active: Annotated[str, Placeholders()]
    chart_satisfaction: Annotated[str, Placeholders()]
    counted_since: Annotated[str, Placeholders("since")]
    """The last line of a report whose period began before the bot first saw the community."""
    compared_none: Annotated[str, Placeholders("since")]
    """The last line of a report whose period before ended before the bot first saw the
    community: no change is given."""
    compared_since: Annotated[str, Placeholders("since")]
    """The last line of a report whose period before began before the bot first saw the
    community: the change is against its days since."""
    before_start: Annotated[str, Placeholders("start", "end", "since")]
    """Posted instead of a scheduled report whose whole period came before the bot did."""
    before_start_day: Annotated[str, Placeholders("day", "since")]
    """The same, of a report of one day."""
    export_ready: Annotated[str, Placeholders("days", "start", "end")]
    export_ready_day: Annotated[str, Placeholders("day")]
    missed: Annotated[str, Placeholders("when")]
    not_posted: Annotated[str, Placeholders("channel")]


class ReportsConfig(BaseModel):
    """Schedule, satisfaction, thanks words (fallback indicator), the write path, the texts."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    schedule: ScheduleConfig = ScheduleConfig()
    max_days: int = Field(default=366, ge=1, le=3660)
    top_channels: int = Field(default=5, ge=1, le=25)
    satisfaction: SatisfactionConfig = SatisfactionConfig()
    thanks_words: Annotated[
        list[Annotated[str, Field(min_length=1, max_length=60)]], Field(max_length=200)
    ] = ["merci", "merci beaucoup", "thanks", "thank you", "thx", "ty"]
    """Words and phrases that thank, whole (as the contributors section's, and by default the
    same): a positive signal of the fallback satisfaction indicator."""
    write: WriteConfig = WriteConfig()
    texts: TextsByLocale[ReportTexts]

    @model_validator(mode="after")
    def _scheduled_within_the_limit(self) -> ReportsConfig:
        if self.schedule.days > self.max_days:
            days, most = self.schedule.days, self.max_days
            raise RuleValueError(
                {
                    "en": f"schedule.days ({days}) is more than max_days ({most}):"
                    " the scheduled report could never be made; lower it or raise max_days",
                    "fr": f"schedule.days ({days}) dépasse max_days ({most}) :"
                    " le rapport planifié ne pourrait jamais être fait ; baissez-le ou augmentez"
                    " max_days",
                }
            )
        return self
