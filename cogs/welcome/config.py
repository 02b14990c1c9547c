"""The ``welcome`` section of the rule book: greetings, charter gate, introductions, raids."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from bot.durations import Duration, format_duration
from bot.ruleconf import Placeholders, TextsByLocale
from bot.ruleconf.errors import RuleValueError

MAX_TEMPLATES = 50
MAX_PHRASES = 50
DEFAULT_PHRASES = (
    "je m'appelle",
    "je me présente",
    "je suis nouveau",
    "je suis nouvelle",
    "my name is",
    "let me introduce myself",
    "I'm new",
    "I am new",
)
"""Openings that say "this is who I am" on their own: "je suis…" and "I'm…" alone say so no
more than "je suis d'accord" or "I'm not sure"."""


def _one_or_many(value: object) -> object:
    # A single text is a list of one: community managers may write either.
    return [value] if isinstance(value, str) else value


def _at_least(value: timedelta | None, least: timedelta, what: dict[str, str]) -> timedelta | None:
    if value is not None and value < least:
        shortest = format_duration(least)
        raise RuleValueError(
            {
                "en": f"{what['en']} must be at least {shortest}",
                "fr": f"{what['fr']} doit être d'au moins {shortest.replace('d', 'j')}",
            }
        )
    return value


WelcomeTemplate = Annotated[
    str, Placeholders("member", "community", "member_count", "rules_channel", "intro_channel")
]
GoodbyeTemplate = Annotated[str, Placeholders("member", "community", "member_count")]
IntroducedTemplate = Annotated[str, Placeholders("member", "community")]


class WelcomeTexts(BaseModel):
    """What the welcome cog says, in one locale."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    welcome: Annotated[
        list[WelcomeTemplate],
        BeforeValidator(_one_or_many),
        Field(min_length=1, max_length=MAX_TEMPLATES),
    ]
    """Greetings for one newcomer, one picked at random each time."""
    welcome_wave: Annotated[
        str, Placeholders("count", "members", "community", "rules_channel", "intro_channel")
    ]
    """The one greeting posted after a wave of joins, instead of one per newcomer."""
    goodbye: Annotated[
        list[GoodbyeTemplate],
        BeforeValidator(_one_or_many),
        Field(min_length=1, max_length=MAX_TEMPLATES),
    ]
    charter: Annotated[str, Placeholders("community"), Field(min_length=1, max_length=4000)]
    """The community's netiquette charter, shown by /charter and to newcomers at the gate."""
    charter_prompt: Annotated[str, Placeholders("member", "charter")]
    accept_button: Annotated[str, Placeholders(), Field(min_length=1, max_length=40)]
    accepted: Annotated[str, Placeholders("member")]
    gate_reminder: Annotated[str, Placeholders("member", "rules_channel")]
    gate_command_refused: Annotated[str, Placeholders("member", "command")]
    """The answer to a command run by a newcomer who has not accepted the charter yet."""
    gate_removed: Annotated[str, Placeholders("member", "timeout")]
    gate_banned: Annotated[str, Placeholders("member", "failures")]
    gate_not_recorded: Annotated[str, Placeholders("member")]
    """To the mod-log: the database refused to record a newcomer held at the gate."""
    introduced: Annotated[
        list[IntroducedTemplate],
        BeforeValidator(_one_or_many),
        Field(min_length=1, max_length=MAX_TEMPLATES),
    ]
    nudge: Annotated[str, Placeholders("member", "community", "intro_channel")]
    nudge_wave: Annotated[str, Placeholders("count", "members", "community", "intro_channel")]
    """The one nudge for the newcomers of a wave who have not introduced themselves."""
    raid_alert: Annotated[str, Placeholders("count", "within", "quiet")]
    held_back: Annotated[str, Placeholders("count")]
    held_back_at_least: Annotated[str, Placeholders("count")]
    """The count of reports held back when part of it was lost: a job planned by an earlier
    version kept its count in memory."""
    held_back_not_posted: Annotated[str, Placeholders("tries")]
    """To the mod-log: the count of reports held back failed every try; what it would have
    said follows on the next line."""
    wave_not_welcomed: Annotated[str, Placeholders("count", "tries")]
    """To the mod-log: a wave's welcome failed every try (a busy database) and is given up."""
    onboarding_header: Annotated[str, Placeholders("days", "joined")]
    onboarding_stage: Annotated[str, Placeholders("stage", "count", "rate")]
    onboarding_retention: Annotated[str, Placeholders("stage", "count", "eligible", "rate")]
    onboarding_empty: Annotated[str, Placeholders("days")]
    onboarding_days: Annotated[str | None, Placeholders("most")] = None
    """No longer used (``/onboarding``'s range is said by the core's usage errors); kept so that
    a rule book which still sets it loads."""
    stage_charter: Annotated[str, Placeholders()]
    stage_introduced: Annotated[str, Placeholders()]
    stage_first_message: Annotated[str, Placeholders()]
    stage_active_7: Annotated[str, Placeholders()]
    stage_active_30: Annotated[str, Placeholders()]


class GateConfig(BaseModel):
    """The optional charter gate: newcomers press "I accept" before they may post."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = False
    role: str | None = Field(default=None, min_length=1, max_length=100)
    """Where the platform has roles (Discord), the role granted on acceptance. Without one, or
    where there are no roles (Telegram), newcomers are restricted on join instead."""
    timeout: Duration | None = timedelta(minutes=5)
    """Restricted newcomers who have not accepted by then are removed (``null``: never)."""
    ban_after_failures: int = Field(default=2, ge=0, le=100)
    """The removal that makes it this many for the same person is a ban instead (0: never)."""

    @field_validator("timeout")
    @classmethod
    def _long_enough(cls, value: timedelta | None) -> timedelta | None:
        return _at_least(
            value,
            timedelta(seconds=30),
            {"en": "the gate timeout", "fr": "le délai pour accepter la charte"},
        )


class IntroductionsConfig(BaseModel):
    """Newcomers are invited to introduce themselves, and nudged once if they have not."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = True
    phrases: list[Annotated[str, Field(min_length=2, max_length=40)]] = Field(
        default=list(DEFAULT_PHRASES), max_length=MAX_PHRASES
    )
    """A newcomer's message opening with one of these counts as an introduction anywhere."""
    min_words: int = Field(default=3, ge=0, le=100)
    """In the introductions channel, a shorter first message ("lol", "welcome!") is not an
    introduction; nor is a reply to someone else's message."""
    acknowledge: Literal["reply", "react"] = "reply"
    reaction: str = Field(default="👋", min_length=1, max_length=16)
    nudge_after: Duration | None = timedelta(days=1)
    """One reminder this long after joining if the newcomer has not introduced themselves."""
    nudge_by_dm: bool = False
    """Nudge by direct message (falling back to the introductions channel)."""

    @field_validator("nudge_after")
    @classmethod
    def _long_enough(cls, value: timedelta | None) -> timedelta | None:
        return _at_least(value, timedelta(minutes=1), {"en": "nudge_after", "fr": "nudge_after"})


class RaidConfig(BaseModel):
    """Raid safety: more than ``joins`` joins within ``within`` make a wave."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    joins: int = Field(default=5, ge=1, le=1000)
    within: Duration = timedelta(minutes=1)
    quiet: Duration = timedelta(minutes=2)
    """The wave is over after this long without a join; the aggregated welcome is posted then."""

    @field_validator("within", "quiet")
    @classmethod
    def _positive(cls, value: timedelta) -> timedelta:
        if value <= timedelta(0):
            raise RuleValueError(
                {
                    "en": "write a positive duration, e.g. 1m",
                    "fr": "écrivez une durée positive, par ex. 1m",
                }
            )
        return value


class WelcomeConfig(BaseModel):
    """How newcomers are greeted and onboarded, and the texts."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    in_channel: bool = True
    """Post the welcome in the ``channels.welcome`` channel of community.yaml."""
    by_dm: bool = False
    """Send the welcome as a direct message too."""
    goodbye: bool = False
    """Say goodbye in the welcome channel when someone leaves."""
    gate: GateConfig = GateConfig()
    introductions: IntroductionsConfig = IntroductionsConfig()
    raid: RaidConfig = RaidConfig()
    texts: TextsByLocale[WelcomeTexts]
