"""The ``reputation`` section of the rule book: the names watched, the tone words, the alert, the
weekly summary, the write path and the texts."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from bot.crontab import check_crontab
from bot.durations import Duration, format_duration
from bot.ruleconf import Locale, Placeholders, TextsByLocale
from bot.ruleconf.errors import RuleValueError
from bot.ruleconf.invisible import shown
from bot.wholewords import words
from bot.writeconfig import WriteConfig

MOST_WITHIN = timedelta(days=7)
"""The longest alert window: its negative mentions are held in memory, excerpts included."""
MOST_COOLDOWN = timedelta(days=30)


def _has_words(phrase: str) -> str:
    """A name or a tone word must hold a letter or a digit: it is matched word by word."""
    if not words(phrase):
        raise RuleValueError(
            {
                "en": f"'{shown(phrase[:40])}' holds no letter or digit: write a word or a phrase,"
                " or remove the entry",
                "fr": f"'{shown(phrase[:40])}' ne contient ni lettre ni chiffre\u00a0: écrivez un"
                " mot ou une expression, ou retirez la ligne",
            }
        )
    return phrase


Phrase = Annotated[str, Field(max_length=80), AfterValidator(_has_words)]
"""A word or a phrase, matched whole, ignoring case and accents (``Jardin Bio``)."""
Phrases = Annotated[list[Phrase], Field(max_length=200)]


def _between(value: timedelta, least: timedelta, most: timedelta, key: str) -> timedelta:
    if not least <= value <= most:
        low, high = format_duration(least), format_duration(most)
        raise RuleValueError(
            {
                "en": f"{key} must be between {low} and {high}",
                "fr": f"{key} doit être entre {low} et {high}",
            }
        )
    return value


class ToneWords(BaseModel):
    """The words of one language that make a mention positive or negative."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    positive: Phrases = []
    """Praise: ``merci``, ``bravo``, ``great``, ``love``."""
    negative: Phrases = []
    """Complaints: ``arnaque``, ``scam``, ``refund``, ``broken``, ``nul``."""


class AlertConfig(BaseModel):
    """One alert when negative mentions reach ``negative`` within ``within``, then quiet for
    ``cooldown``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = True
    negative: int = Field(default=5, ge=1, le=1000)
    within: Duration = timedelta(hours=1)
    cooldown: Duration = timedelta(hours=6)

    @field_validator("within")
    @classmethod
    def _window(cls, value: timedelta) -> timedelta:
        return _between(value, timedelta(minutes=1), MOST_WITHIN, "within")

    @field_validator("cooldown")
    @classmethod
    def _quiet(cls, value: timedelta) -> timedelta:
        return _between(value, timedelta(0), MOST_COOLDOWN, "cooldown")


class SummaryConfig(BaseModel):
    """The summary posted on a schedule, in the community's time zone."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    schedule: str | None = "0 9 * * mon"
    """Five cron fields (``0 9 * * mon``: Mondays at 09:00); empty or null: no summary."""
    days: int = Field(default=7, ge=1, le=31)
    """Complete days (up to yesterday) the summary covers."""

    @field_validator("schedule")
    @classmethod
    def _cron(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        check_crontab(value)
        return value


class ReputationTexts(BaseModel):
    """What the reputation cog says, in one locale."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    no_names: Annotated[str, Placeholders()]
    """/reputation when no name is watched: how to set them."""
    title: Annotated[str, Placeholders("community", "start", "end", "days")]
    mentions: Annotated[str, Placeholders("count", "change", "days")]
    mentions_alone: Annotated[str, Placeholders("count")]
    """The mentions with no period before to compare with: it was not counted."""
    tone: Annotated[
        str,
        Placeholders(
            "positive",
            "negative",
            "neutral",
            "positive_change",
            "negative_change",
            "neutral_change",
        ),
    ]
    tone_none: Annotated[str, Placeholders()]
    per_day: Annotated[str, Placeholders()]
    day_line: Annotated[str, Placeholders("day", "count", "positive", "negative")]
    counted_since: Annotated[str, Placeholders("since")]
    """Under the days of a period that began before the first day counted (``since``): the
    days before are left out, and there is nothing to compare with."""
    compared_none: Annotated[str, Placeholders("since")]
    """Under the days of a period whose period before ended before the first day counted."""
    compared_since: Annotated[str, Placeholders("since")]
    """Under the days of a period whose period before began before the first day counted:
    the change is against its days since."""
    source: Annotated[str, Placeholders()]
    """The last line: where the tone comes from."""
    alert: Annotated[str, Placeholders("count", "within")]
    alert_line: Annotated[str, Placeholders("member", "text")]
    summary_unposted: Annotated[str, Placeholders("channel")]
    summary_missed: Annotated[str, Placeholders("when")]


class ReputationConfig(BaseModel):
    """The names watched, where not to look, where to report, the tone words, the alert, the
    summary, the write path and the texts."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    names: Phrases = []
    """The organisation's names and products; none: nothing is counted."""
    ignore_channels: Annotated[
        list[Annotated[str, Field(min_length=1, max_length=100)]], Field(max_length=200)
    ] = []
    """Channels (names or ids, case ignored) whose messages are not counted."""
    channel: str | None = "leadership"
    """Where alerts and the summary go (a name or id), as the suggestions' digest; alerts go
    to the mod-log too. None: alerts in the mod-log only, no summary."""
    tone_words: dict[Locale, ToneWords] = {}
    """Praise and complaint words by language; every language's words count everywhere."""
    hostile_above: float = Field(default=0.5, ge=0, le=1)
    """A mention the toxicity model scores over this (highest label) is negative."""
    alert: AlertConfig = AlertConfig()
    summary: SummaryConfig = SummaryConfig()
    write: WriteConfig = WriteConfig()
    texts: TextsByLocale[ReputationTexts]
