"""What the replay notes while the history plays: what it played (counted, by day), what each
member last did, and the netiquette's cases (and its rules on trial) as the bus announces them.

The history itself is not kept: what the report needs of it is counted as it goes by.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime

from bot.events import (
    CommunityRef,
    DryRunMatched,
    Event,
    MemberJoined,
    MessageCreated,
    ModerationRecorded,
    ReactionAdded,
)

EXAMPLES_PER_RULE = 3
LADDER = "strikes"
"""The rule name the netiquette gives the cases its escalation ladder records."""


@dataclass(frozen=True)
class Example:
    """A message (or a join) a rule acted on."""

    at: datetime
    member: str
    channel: str
    text: str
    matched: str = ""
    """What the rule found in it (``match_words: word “idiot”``)."""


@dataclass
class RuleFindings:
    """How often a netiquette rule fired, what it did, and a few of the messages.

    A rule on trial (``dry_run``) did nothing: ``actions`` is what it would have done.
    """

    rule: str
    dry_run: bool = False
    count: int = 0
    actions: Counter[str] = field(default_factory=Counter)
    examples: list[Example] = field(default_factory=list)


@dataclass
class MemberCases:
    """The cases a member would have collected."""

    community: CommunityRef
    user_id: str
    name: str
    cases: int = 0
    warnings: int = 0
    escalations: list[str] = field(default_factory=list)


class ProblemLog(logging.Handler):
    """Counts the warnings and errors logged while the history plays: a rule that could not be
    checked (no toxicity model) makes the report incomplete, and the report must say so."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.problems: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        """Count the record's first line (its traceback, if any, stays in the log)."""
        try:
            first_line = record.getMessage().partition("\n")[0]
        except Exception:  # a record whose arguments do not fit its message
            first_line = str(record.msg)
        self.problems[first_line] += 1

    @contextmanager
    def listening(self) -> Iterator[ProblemLog]:
        """Collect from every logger for the duration of the block."""
        root = logging.getLogger()
        root.addHandler(self)
        try:
            yield self
        finally:
            root.removeHandler(self)


@dataclass
class Played:
    """What the replay played, counted as it goes by: it plays in time order, so of each day
    only the count of its members is kept once the day is over."""

    messages: int = 0
    joins: int = 0
    reactions: int = 0
    first: datetime | None = None
    last: datetime | None = None
    authors: set[tuple[CommunityRef, str]] = field(default_factory=set)
    """Who wrote a message, by community and user id."""
    joined: dict[tuple[CommunityRef, str], str] = field(default_factory=dict)
    """Who joined, by community and user id: their name."""
    messages_by_day: Counter[str] = field(default_factory=Counter)
    joins_by_day: Counter[str] = field(default_factory=Counter)
    authors_by_day: Counter[str] = field(default_factory=Counter)
    """How many members wrote, by day."""
    _day: str = ""
    _authors_today: set[tuple[CommunityRef, str]] = field(default_factory=set)

    def count(self, event: Event) -> None:
        """Count one event played (each later than or as late as the one before)."""
        if self.first is None:
            self.first = event.at
        self.last = event.at
        day = event.at.date().isoformat()
        if day != self._day:
            self._day = day
            self._authors_today = set()
        if isinstance(event, MessageCreated):
            author = (event.community, event.author.user.id)
            self.messages += 1
            self.authors.add(author)
            self.messages_by_day[day] += 1
            if author not in self._authors_today:
                self._authors_today.add(author)
                self.authors_by_day[day] += 1
        elif isinstance(event, MemberJoined):
            self.joins += 1
            self.joined[(event.community, event.member.user.id)] = event.member.name
            self.joins_by_day[day] += 1
        elif isinstance(event, ReactionAdded):
            self.reactions += 1


class Observations:
    """Notes taken during the replay, for the report."""

    def __init__(self) -> None:
        self.played = Played()
        self.cause: Event | None = None
        self.rules: dict[tuple[str, bool], RuleFindings] = {}
        """By rule name and whether it was on trial."""
        self.members: dict[tuple[CommunityRef, str], MemberCases] = {}
        self.acted_on: Counter[str] = Counter()
        """Messages and joins an enforced rule acted on, by day (``2024-03-04``)."""
        self._last: dict[tuple[CommunityRef, str], Example] = {}

    def current_cause(self) -> Event | None:
        """The event being handled now (None while scheduled jobs run)."""
        return self.cause

    def seen(self, event: Event) -> None:
        """Count the event, and remember what a member just did, so a case can name the message
        it is about."""
        self.played.count(event)
        if isinstance(event, MessageCreated):
            key = (event.community, event.author.user.id)
            self._last[key] = Example(
                event.at, event.author.name, event.message.channel.name, event.text
            )
        elif isinstance(event, MemberJoined):
            key = (event.community, event.member.user.id)
            self._last[key] = Example(event.at, event.member.name, "", "(joined)")

    async def moderation_recorded(self, event: Event) -> None:
        """A netiquette case: count it against its rule, its member, and keep an example."""
        assert isinstance(event, ModerationRecorded)
        key = (event.community, event.member.user.id)
        cases = self.members.get(key)
        if cases is None:
            cases = self.members[key] = MemberCases(
                event.community, event.member.user.id, event.member.name
            )
        cases.cases += 1
        actions = [action.strip() for action in event.action.split(",")]
        if "warn" in actions:
            cases.warnings += 1
        if event.rule is None:
            return  # a moderator's command: not something the replay can foresee
        if event.rule == LADDER and event.moderator is None:
            cases.escalations.append(event.action)
            return
        self.acted_on[event.at.date().isoformat()] += 1
        self._found(event.rule, False, event.action, event.matched, key)

    async def dry_run_matched(self, event: Event) -> None:
        """A rule on trial matched: count what it would have done, keep an example."""
        assert isinstance(event, DryRunMatched)
        key = (event.community, event.member.user.id)
        self._found(event.rule, True, event.action, event.matched, key)

    def _found(
        self, rule: str, dry_run: bool, action: str, matched: str, key: tuple[CommunityRef, str]
    ) -> None:
        findings = self.rules.get((rule, dry_run))
        if findings is None:
            findings = self.rules[(rule, dry_run)] = RuleFindings(rule, dry_run)
        findings.count += 1
        findings.actions[action] += 1
        last = self._last.get(key)
        if last is not None:
            keep_example(findings.examples, replace(last, matched=matched))


def keep_example(examples: list[Example], new: Example) -> None:
    """Keep :data:`EXAMPLES_PER_RULE` examples, as varied as the history allows.

    The first ones are kept, but a new finding (another word) takes the place of an example that
    repeats an earlier one's: a false positive shows among a thousand true ones.
    """
    if len(examples) < EXAMPLES_PER_RULE:
        examples.append(new)
        return
    if any(example.matched == new.matched for example in examples):
        return
    found: set[str] = set()
    for index, example in enumerate(examples):
        if example.matched in found:
            examples[index] = new
            examples.sort(key=lambda kept: kept.at)
            return
        found.add(example.matched)
