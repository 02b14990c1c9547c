"""The automod engine: rules in order, triggers OR'ed (first match wins), and the "why not".

Evaluation is pure apart from cooldowns: it says, for each rule, whether it fires and what it
matched, or why it does not (disabled, not in this channel, member exempt, on cooldown, what
each trigger saw). Slow triggers (toxicity) are left to a second pass, off the event loop:
a rule whose fast triggers did not match but which has a slow one is *deferred*.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime
from typing import TYPE_CHECKING, Literal, NamedTuple

from bot.events import ChannelRef, MessageRef
from cogs.netiquette.config import ChannelFilter, NetiquetteConfig, RuleConfig
from cogs.netiquette.subject import Subject
from cogs.netiquette.triggers import Evidence
from cogs.netiquette.why import Reason, Why, explain

if TYPE_CHECKING:
    from cogs.netiquette.config import WhyTexts

MAX_COOLDOWNS = 50_000
Pass = Literal["fast", "slow", "all"]


class Outcome(NamedTuple):
    """What one rule made of one subject."""

    rule: str
    fired: bool
    reasons: tuple[Reason, ...]
    """What matched (``word “idiot”``), or why the rule did not fire."""
    dry_run: bool = False
    deferred: bool = False
    """Its slow triggers are still to be checked."""
    related: tuple[MessageRef, ...] = ()
    """Earlier messages of the same offence, as the trigger that fired names them."""

    def explained(self, texts: WhyTexts) -> str:
        """The reasons, written in the language of ``texts``."""
        return explain(self.reasons, texts)


def _because(rule: str, key: str, /, **values: object) -> Outcome:
    """A rule that did not fire for a reason of the engine's own."""
    return Outcome(rule, False, (Reason("", Why(key, values)),))


def in_channels(channels: ChannelFilter, channel: ChannelRef | None) -> str | None:
    """Why the rule does not apply in ``channel`` (a ``why`` text), or None if it does."""
    if channel is None:
        return None

    def named(wanted: frozenset[str]) -> bool:
        return channel.id.casefold() in wanted or channel.name.lstrip("#").casefold() in wanted

    if channels.include and not named(channels.included):
        return "not_in_channels"
    if channels.exclude and named(channels.excluded):
        return "channel_excluded"
    return None


_SILENT = Outcome("", False, ())
"""A rule that did not fire, when nobody asked why (every message): no text built."""


class Engine:
    """Checks subjects against the rules; remembers each rule's cooldown per member."""

    def __init__(self) -> None:
        self._cooldowns: OrderedDict[tuple[str, str, str], datetime] = OrderedDict()

    def evaluate(
        self,
        config: NetiquetteConfig,
        subject: Subject,
        evidence: Evidence,
        *,
        moderator: bool,
        stage: Pass = "all",
        rules: set[str] | None = None,
        explain: bool = True,
    ) -> list[Outcome]:
        """Every rule's outcome, in order, up to the first that fires without allowing more.

        ``stage`` is ``fast`` (slow triggers deferred), ``slow`` (only the slow triggers of the
        ``rules`` deferred earlier) or ``all`` (everything, for ``/rules_test``). Without
        ``explain``, only the rules that fired or were deferred are listed (every message).
        """
        if stage == "fast" and not explain and rules is None:
            return self.fast(config, subject, evidence, moderator)
        outcomes: list[Outcome] = []
        stopped_by: str | None = None
        for name, rule in config.rules.items():
            if rules is not None and name not in rules:
                continue
            if stopped_by is not None:
                if explain:
                    outcomes.append(_because(name, "not_checked", rule=stopped_by))
                continue
            outcome = self._rule(
                name, rule, subject, evidence, moderator=moderator, stage=stage, explain=explain
            )
            if explain or outcome.fired or outcome.deferred:
                outcomes.append(outcome)
            if outcome.fired:
                self._cool_down(name, rule, subject, evidence)
                # A rule on trial must not change what the enforced rules after it do.
                if not rule.allow_further_rules and not outcome.dry_run:
                    stopped_by = name
        return outcomes

    def fast(
        self, config: NetiquetteConfig, subject: Subject, evidence: Evidence, moderator: bool
    ) -> list[Outcome]:
        """:meth:`evaluate` for every message: the fast pass, listing only the rules that fired
        or wait for their slow triggers, through the plan the rule book worked out once per
        load (the enabled rules that look at this kind of subject, their fast checks).

        A message that breaks no rule (nearly every one) only goes through the screen: each
        fast check once, in order. The first that matches hands over to the rules themselves,
        from its rule on: they weigh exemptions and cooldowns, and say what fired. Triggers
        are pure, so asking the one that matched again changes nothing.
        """
        screen = None if moderator else config.screen(subject.kind)
        if screen is None:
            return self._from_rule(config, subject, evidence, moderator, 0)
        for check, settings, index in screen:
            if check(settings, subject, evidence).matched:
                return self._from_rule(config, subject, evidence, moderator, index)
        return []

    def _from_rule(
        self,
        config: NetiquetteConfig,
        subject: Subject,
        evidence: Evidence,
        moderator: bool,
        first: int,
    ) -> list[Outcome]:
        outcomes: list[Outcome] = []
        cooldowns = self._cooldowns
        probe = evidence.probe
        community_key = subject.community.key
        for (
            name,
            rule,
            exempt_moderators,
            placed,
            cooldown,
            per_member,
            checks,
            deferred,
            dry_run,
            stops,
        ) in config.plan(subject.kind)[first:]:
            if moderator and exempt_moderators:
                continue
            if placed and self._out_of_place(rule, subject):
                continue
            if cooldown is not None and not probe:
                who = subject.member.user.id if per_member else "*"
                last = cooldowns.get((community_key, name, who))
                if last is not None and subject.at - last < cooldown:
                    continue
            fired: Outcome | None = None
            for trigger_name, trigger, settings in checks:
                result = trigger.check(settings, subject, evidence)
                if result.matched:
                    fired = Outcome(
                        name,
                        True,
                        (Reason(trigger_name, result.why),),
                        dry_run=dry_run,
                        related=result.related,
                    )
                    break
            if fired is None:
                if deferred is not None:
                    outcomes.append(
                        Outcome(
                            name,
                            False,
                            (Reason(deferred, Why("pending")),),
                            dry_run=dry_run,
                            deferred=True,
                        )
                    )
                continue
            outcomes.append(fired)
            self._cool_down(name, rule, subject, evidence)
            if stops:
                break
        return outcomes

    @staticmethod
    def _out_of_place(rule: RuleConfig, subject: Subject) -> bool:
        """Whether the rule's channels or exempt roles keep it from ``subject``."""
        if (rule.channels.include or rule.channels.exclude) and in_channels(
            rule.channels, subject.channel
        ) is not None:
            return True
        return bool(rule.exempt) and not rule.exempt.isdisjoint(subject.member.roles)

    def _cool_down(
        self, name: str, rule: RuleConfig, subject: Subject, evidence: Evidence
    ) -> None:
        """A rule fired: its cooldown starts now."""
        if evidence.probe:
            return
        key = self._cooldown_key(name, rule, subject)
        self._cooldowns[key] = subject.at
        self._cooldowns.move_to_end(key)
        while len(self._cooldowns) > MAX_COOLDOWNS:
            self._cooldowns.popitem(last=False)

    @staticmethod
    def _cooldown_key(name: str, rule: RuleConfig, subject: Subject) -> tuple[str, str, str]:
        who = "*" if rule.cooldown_per == "community" else subject.member.user.id
        return (subject.community.key, name, who)

    def _rule(
        self,
        name: str,
        rule: RuleConfig,
        subject: Subject,
        evidence: Evidence,
        *,
        moderator: bool,
        stage: Pass,
        explain: bool = True,
    ) -> Outcome:
        if not rule.enabled:
            return _because(name, "disabled")
        if subject.kind not in rule.kinds:
            return _because(name, f"ignores_{subject.kind}")
        if rule.channels.include or rule.channels.exclude:
            where = in_channels(rule.channels, subject.channel)
            if where is not None:
                return _because(name, where)
        if rule.exempt_moderators and moderator:
            return _because(name, "moderators_exempt")
        if rule.exempt and not rule.exempt.isdisjoint(subject.member.roles):
            return _because(
                name, "role_exempt", role=sorted(rule.exempt & subject.member.roles)[0]
            )
        if rule.cooldown is not None and not evidence.probe:
            last = self._cooldowns.get(self._cooldown_key(name, rule, subject))
            if last is not None and subject.at - last < rule.cooldown:
                return _because(name, f"cooldown_{rule.cooldown_per}")
        misses: list[Reason] = []
        deferred: str | None = None
        for kind, trigger, settings in rule.checks:
            if subject.kind not in trigger.kinds:
                continue
            if trigger.slow and stage == "fast":
                deferred = kind
                continue
            if not trigger.slow and stage == "slow":
                continue
            result = trigger.check(settings, subject, evidence)
            if result.matched:
                return Outcome(
                    name,
                    True,
                    (Reason(kind, result.why),),
                    dry_run=rule.dry_run,
                    related=result.related,
                )
            if explain:
                misses.append(Reason(kind, result.why))
        if not explain and deferred is None:
            return _SILENT
        if not misses and deferred is not None:
            misses.append(Reason(deferred, Why("pending")))
        return Outcome(
            name, False, tuple(misses), dry_run=rule.dry_run, deferred=deferred is not None
        )
