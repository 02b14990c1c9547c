"""The ``contests`` section of the rule book: contests, voting, challenges, giveaways, texts."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from bot.crontab import check_crontab
from bot.durations import Duration
from bot.ruleconf import Placeholders, TextsByLocale
from bot.ruleconf.errors import RuleValueError

CHALLENGE_ID = re.compile(r"^[a-z0-9_-]{1,32}$")
SHORTEST = timedelta(minutes=1)
"""The least ``min_duration`` may be: a contest or giveaway of seconds ends before it is read."""


def _at_least_a_minute(value: timedelta) -> timedelta:
    if value < SHORTEST:
        raise RuleValueError(
            {
                "en": "min_duration must be at least 1m",
                "fr": "min_duration doit être d'au moins 1m",
            }
        )
    return value


def _not_below(value: timedelta, info: ValidationInfo) -> timedelta:
    least = info.data.get("min_duration")
    if least is not None and value < least:
        raise RuleValueError(
            {
                "en": "max_duration must be at least min_duration",
                "fr": "max_duration ne doit pas être plus courte que min_duration",
            }
        )
    return value


ContestLine = Annotated[str, Placeholders("id", "title", "when")]


class ContestTexts(BaseModel):
    """What the contests cog says, in one locale."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # -- contests, as moderators set them up
    created: Annotated[str, Placeholders("id", "title", "start", "end", "channel")]
    cancelled: Annotated[str, Placeholders("id", "title")]
    cancel_done: Annotated[str, Placeholders("id")]
    list_header: Annotated[str, Placeholders()]
    list_upcoming: ContestLine
    list_open: ContestLine
    list_challenge: Annotated[str, Placeholders("title", "theme", "when")]
    """A recurring challenge's next run, before it opens (its contest has no number yet)."""
    list_empty: Annotated[str, Placeholders()]
    # -- phases
    opened: Annotated[str, Placeholders("id", "title", "description", "end", "emoji", "entries")]
    challenge_opened: Annotated[str, Placeholders("id", "title", "theme", "end", "emoji")]
    reminder: Annotated[str, Placeholders("id", "title", "end", "left", "entries")]
    results_header: Annotated[str, Placeholders("id", "title", "entries", "voters")]
    results_line: Annotated[str, Placeholders("rank", "member", "entry", "votes")]
    results_tie_rule: Annotated[str, Placeholders()]
    results_random: Annotated[str, Placeholders("seed", "hash", "tickets")]
    results_no_entries: Annotated[str, Placeholders("id", "title")]
    results_no_votes: Annotated[str, Placeholders()]
    results_passed_over: Annotated[str, Placeholders("entries")]
    """The entries not ranked because their authors are no longer here (``entries``: each
    written as ``results_passed_entry``, separated by commas)."""
    results_passed_entry: Annotated[str, Placeholders("entry", "member", "votes")]
    results_banned_votes: Annotated[str, Placeholders("votes")]
    """Votes cast by members banned while the contest ran, not counted."""
    results_late: Annotated[str, Placeholders("end")]
    """Under results posted late: the bot was offline when the contest ended."""
    results_gone: Annotated[str, Placeholders()]
    """Entries there were, but every one that could win is by a member who has left."""
    results_forgotten: Annotated[str, Placeholders("id", "title", "end")]
    """``/contest_results`` of a contest whose entries and votes are no longer kept (the
    rule book's ``retention``); its winners follow, as the hall of fame keeps them, each as
    ``results_forgotten_line``."""
    results_forgotten_line: Annotated[str, Placeholders("rank", "member", "votes")]
    missed: Annotated[str, Placeholders("id", "title", "phase", "when")]
    missed_close_posted: Annotated[str, Placeholders("id", "title", "when", "channel")]
    """To the mod-log: the results, due while the bot was offline, were posted late."""
    lost_open: Annotated[str, Placeholders("id", "title", "channel", "when", "end")]
    """To the mod-log, at a start: the opening claimed at ``when`` may not have been posted
    (the process died while posting it); it is not posted again."""
    lost_remind: Annotated[str, Placeholders("id", "title", "channel", "when", "end")]
    """To the mod-log, at a start: the reminder claimed at ``when`` may not have been posted."""
    lost_close: Annotated[str, Placeholders("id", "title", "channel", "when", "end")]
    """To the mod-log, at a start: the results of the close at ``when`` may not have been
    posted; how to post them."""
    lost_cancel: Annotated[str, Placeholders("id", "title", "channel", "when")]
    """To the mod-log, at a start: the cancellation made at ``when`` may not have been posted
    (the process died while posting it); it is not posted again."""
    close_given_up: Annotated[str, Placeholders("id", "title", "end")]
    """To the mod-log: closing the contest failed on every try (the database kept failing); it
    is still open, without results; what brings it to a close."""
    phase_open: Annotated[str, Placeholders()]
    phase_remind: Annotated[str, Placeholders()]
    phase_close: Annotated[str, Placeholders()]
    challenge_missed: Annotated[str, Placeholders("challenge", "when", "next")]
    """To the mod-log: a run missed while the bot was offline, too late to open (``next``: when
    the next run opens)."""
    challenge_opened_late: Annotated[str, Placeholders("challenge", "when", "id", "end")]
    """To the mod-log: a run missed while the bot was offline, opened late."""
    challenge_themes_again: Annotated[str, Placeholders("challenge", "theme", "count")]
    """To the mod-log: a challenge used its last theme and starts its list again."""
    # -- submissions and votes
    entry_posted: Annotated[str, Placeholders("id", "entry", "member", "text", "emoji")]
    submitted: Annotated[str, Placeholders("id", "entry")]
    submitted_replaced: Annotated[str, Placeholders("id", "entry", "votes")]
    submitted_replaced_unvoted: Annotated[str, Placeholders("id", "entry")]
    """The replaced entry had no votes."""
    vote_withdrawn: Annotated[str, Placeholders("id", "title", "entry", "end")]
    """To each voter, privately: the entry they voted for was replaced by its author."""
    voted: Annotated[str, Placeholders("id", "entry")]
    vote_changed: Annotated[str, Placeholders("id", "entry", "previous")]
    # -- refusals (nothing is stored)
    unknown_contest: Annotated[str, Placeholders("id")]
    unknown_entry: Annotated[str, Placeholders("id", "entry")]
    not_open_yet: Annotated[str, Placeholders("id", "start")]
    already_closed: Annotated[str, Placeholders("id", "end")]
    was_cancelled: Annotated[str, Placeholders("id")]
    still_open: Annotated[str, Placeholders("id", "end")]
    self_vote: Annotated[str, Placeholders()]
    already_voted: Annotated[str, Placeholders("entry")]
    too_new: Annotated[str, Placeholders("age", "when")]
    """A member too new to enter a giveaway."""
    too_new_to_vote: Annotated[str, Placeholders("age", "when")]
    too_new_to_vote_here: Annotated[str, Placeholders("age", "id", "end")]
    """A member too new to vote, who will not be old enough before the contest ends."""
    too_new_here: Annotated[str, Placeholders("age", "id", "end")]
    """A member too new to enter a giveaway, who will not be old enough before its draw."""
    giveaway_staff: Annotated[str, Placeholders("id")]
    """The giveaway's creator or a moderator, where ``exclude_moderators`` keeps them out."""
    bad_moment: Annotated[str, Placeholders("value")]
    ambiguous_date: Annotated[str, Placeholders("value", "first", "second")]
    """A date the community's language reads two ways (``05/01/2027`` in English)."""
    in_the_past: Annotated[str, Placeholders("when")]
    zero_duration: Annotated[str, Placeholders()]
    end_before_start: Annotated[str, Placeholders("start", "end")]
    too_long: Annotated[str, Placeholders("most")]
    too_short: Annotated[str, Placeholders("least")]
    too_far: Annotated[str, Placeholders("most")]
    entries_range: Annotated[str, Placeholders("most")]
    text_too_long: Annotated[str, Placeholders("most")]
    # -- giveaways
    giveaway_started: Annotated[str, Placeholders("id", "prize", "winners", "end", "emoji")]
    giveaway_created: Annotated[str, Placeholders("id", "channel", "end")]
    giveaway_rerolled: Annotated[str, Placeholders("id", "channel")]
    giveaway_button: Annotated[str, Placeholders(), Field(min_length=1, max_length=40)]
    giveaway_entered: Annotated[str, Placeholders("id", "prize", "end")]
    giveaway_already_in: Annotated[str, Placeholders("id", "prize", "end")]
    """To a member who presses the button again, privately."""
    giveaway_result: Annotated[
        str, Placeholders("id", "prize", "members", "entrants", "seed", "hash")
    ]
    giveaway_reroll_result: Annotated[
        str, Placeholders("id", "prize", "members", "entrants", "seed", "hash")
    ]
    giveaway_nobody_entered: Annotated[str, Placeholders("id", "prize")]
    giveaway_no_entrants: Annotated[str, Placeholders("id", "prize")]
    """Every entrant has left the community."""
    giveaway_reroll_nobody: Annotated[str, Placeholders("id")]
    """To the moderator: every entrant still here has already won; nothing is posted."""
    giveaway_unknown: Annotated[str, Placeholders("id")]
    giveaway_not_drawn: Annotated[str, Placeholders("id", "end")]
    giveaway_closed: Annotated[str, Placeholders("id")]
    giveaway_winners_range: Annotated[str, Placeholders("most")]
    giveaway_entrants: Annotated[str, Placeholders("id", "count", "hash", "entrants")]
    giveaway_entrants_none: Annotated[str, Placeholders("id", "prize")]
    giveaway_forgotten: Annotated[str, Placeholders("id", "prize", "when")]
    """``/giveaway_entrants`` or ``/giveaway_reroll`` of a giveaway drawn longer ago than the
    rule book's ``retention``: its entrants are no longer kept."""
    """``/giveaway_entrants`` of a giveaway nobody (still here) entered."""
    giveaway_missed: Annotated[str, Placeholders("id", "prize", "when")]
    giveaway_lost: Annotated[str, Placeholders("id", "prize", "channel", "when")]
    """To the mod-log, at a start: the draw made at ``when`` may not have been posted (the
    process died while posting it); its text follows, to post if it is not there."""
    giveaway_given_up: Annotated[str, Placeholders("id", "prize", "end")]
    """To the mod-log: drawing the giveaway failed on every try; nobody has won it yet; what
    brings it to a draw."""
    # -- hall of fame
    hall_header: Annotated[str, Placeholders()]
    hall_line: Annotated[str, Placeholders("when", "title", "member", "rank", "votes")]
    hall_totals: Annotated[str, Placeholders("members")]
    hall_empty: Annotated[str, Placeholders()]


class VotingConfig(BaseModel):
    """Who may vote, and how."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    emoji: str = Field(default="👍", min_length=1, max_length=16)
    """A reaction with this emoji on an entry's message is a vote for it."""
    min_member_age: Duration = timedelta(days=1)
    """Members who joined less than this long ago cannot vote (fresh accounts, raids)."""


class ContestDefaults(BaseModel):
    """Limits and defaults of contests created by moderators."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    channel: str | None = Field(default=None, min_length=1, max_length=100)
    """Where contests are announced (by name) unless /contest_create says; none: where created."""
    entries_per_member: int = Field(default=1, ge=1, le=20)
    max_entries_per_member: int = Field(default=5, ge=1, le=20)
    winners: int = Field(default=3, ge=1, le=10)
    """How many places the results announce (the podium)."""
    remind_before: Duration | None = timedelta(hours=1)
    """One reminder this long before the end (none: no reminder)."""
    min_duration: Duration = timedelta(minutes=10)
    """The shortest contest: members need time to submit and to vote."""
    max_duration: Duration = timedelta(days=90)
    max_ahead: Duration = timedelta(days=365)
    """The furthest ahead a contest may start."""
    max_text: int = Field(default=1000, ge=10, le=4000)
    """The longest submission, in characters."""

    _min_duration = field_validator("min_duration")(_at_least_a_minute)
    _max_duration = field_validator("max_duration")(_not_below)


class ChallengeConfig(BaseModel):
    """A recurring challenge: each run is a contest the scheduler creates."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = True
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=1000)
    schedule: str
    """When each run opens, as cron fields ``minute hour day month weekday`` in the community's
    time zone, weekdays by name: ``0 9 * * mon`` is every Monday at 09:00."""
    themes: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(
        min_length=1, max_length=500
    )
    """Taken in turn, one per run, starting over after the last."""
    open_for: Duration = timedelta(days=6)
    """How long submissions (and votes) stay open."""
    channel: str | None = Field(default=None, min_length=1, max_length=100)
    """Where it is announced; none: ``contests.channel``, else the community's welcome channel."""
    winners: int = Field(default=1, ge=1, le=10)
    choose_by: Literal["votes", "random"] = "votes"
    """``votes``: the most voted entries win; ``random``: a seeded, reproducible draw."""
    entries_per_member: int = Field(default=1, ge=1, le=20)

    @field_validator("schedule")
    @classmethod
    def _valid_schedule(cls, value: str) -> str:
        check_crontab(value)
        return value

    @field_validator("open_for")
    @classmethod
    def _positive(cls, value: timedelta) -> timedelta:
        if value < timedelta(minutes=1):
            raise RuleValueError(
                {
                    "en": "open_for must be at least 1m",
                    "fr": "open_for doit être d'au moins 1m",
                }
            )
        return value


class GiveawayConfig(BaseModel):
    """Giveaways: entry by button or reaction, a reproducible draw."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    emoji: str = Field(default="🎉", min_length=1, max_length=16)
    max_winners: int = Field(default=20, ge=1, le=100)
    min_duration: Duration = timedelta(minutes=1)
    max_duration: Duration = timedelta(days=30)
    min_member_age: Duration = timedelta(0)
    """Members who joined less than this long ago cannot enter (0: anyone)."""
    exclude_moderators: bool = True
    """The giveaway's creator and the community's moderators cannot enter it."""

    _min_duration = field_validator("min_duration")(_at_least_a_minute)
    _max_duration = field_validator("max_duration")(_not_below)


class ContestsConfig(BaseModel):
    """Contests, challenges and giveaways, and the texts."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    contests: ContestDefaults = ContestDefaults()
    voting: VotingConfig = VotingConfig()
    challenges: dict[str, ChallengeConfig] = Field(default_factory=dict, max_length=50)
    giveaways: GiveawayConfig = GiveawayConfig()
    texts: TextsByLocale[ContestTexts]

    @field_validator("challenges")
    @classmethod
    def _challenge_ids(cls, value: dict[str, ChallengeConfig]) -> dict[str, ChallengeConfig]:
        for key in value:
            if not CHALLENGE_ID.fullmatch(key):
                raise RuleValueError(
                    {
                        "en": f"{key[:40]!r} is not a challenge id; use lowercase letters, digits,"
                        " - and _",
                        "fr": f"{key[:40]!r} n'est pas un identifiant de défi ; utilisez des"
                        " minuscules, des chiffres, - et _",
                    }
                )
        return value
