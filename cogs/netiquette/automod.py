"""The automod: every message, edit and join checked against the rules, in order.

Fast triggers run in the listener; rules with a toxicity trigger are finished off the event
loop by the toxicity worker, so the fast triggers never wait. A late toxic verdict deletes the
message (if no rule removed it meanwhile) and publishes nothing more: the other cogs learn of
the deletion from the platform, as of any deletion.

A rule that fires removes the message at once (if it deletes); its case is written by the
enforcement queue (:mod:`cogs.netiquette.enforcement`), and only then come the notices, the
timeout, the mod-log line and the ladder.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from bot.bus import Priority
from bot.cog import listener, retried_job
from bot.commands.runner import may_run
from bot.events import (
    CommandInvoked,
    CommunityRef,
    DryRunMatched,
    MemberJoined,
    MessageCreated,
    MessageDeleted,
    MessageEdited,
    MessageScored,
)
from bot.ruleconf import plain_name, render
from cogs.netiquette.actions import Firing
from cogs.netiquette.actions import registry as action_registry
from cogs.netiquette.activity import Posted
from cogs.netiquette.base import NetiquetteBase
from cogs.netiquette.cases import CaseRecord, NewCase, excerpt
from cogs.netiquette.config import NetiquetteConfig
from cogs.netiquette.enforcement import Decision, EnforcementQueue
from cogs.netiquette.engine import Outcome
from cogs.netiquette.sanctions import Lifted, as_notes
from cogs.netiquette.subject import NO_VERDICTS, Subject, Verdicts
from cogs.netiquette.toxicity import ToxicityUnavailableError
from cogs.netiquette.triggers import Evidence
from cogs.netiquette.wording import pick

MAX_BACKGROUND = 1_000
"""Toxicity checks waiting at once; beyond, new messages are not scored (and it is logged)."""
CAUGHT_UP = 0.5
"""An overflow of toxicity checks ends, for the log, once fewer than this share of
:data:`MAX_BACKGROUND` wait: under a load the model cannot keep up with, every freed slot is
taken at once, and the log must not say so each time."""
SCREEN_WAIT = timedelta(seconds=3)
"""How long a member's command waits for the toxicity verdict on what it would post."""


class Judged(NamedTuple):
    """What the fast pass fired, and the slow pass (toxicity) if one is still to come."""

    fired: tuple[Outcome, ...]
    slow: asyncio.Task[list[Outcome]] | None = None


NOTHING_FIRED = Judged(())
"""The judgement of nearly every message."""


class Automod(NetiquetteBase):
    """Listeners that apply the rules, and the jobs that lift timed sanctions."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._background: set[asyncio.Task[Any]] = set()
        self.enforcement = EnforcementQueue(self.casebook, self._carry_out, self.log)
        self._toxicity_reported: set[str] = set()
        self._unscored = 0
        """Messages left unscored since the toxicity checks overflowed, until they catch up."""
        self._plain_evidence: dict[bool, Evidence] = {}
        self._lifts_resumed = False

    async def setup(self) -> None:
        """Also judge the text of members' commands before they run."""
        await super().setup()
        self.core.screen_commands(self.screen_command)

    async def rules_applied(self) -> None:
        """Once the cog runs (at start, or the reload that enables it), plan again the lifts
        a process that died lost (see :meth:`Sanctions.resume_lifts`)."""
        await super().rules_applied()
        # Once: within this process a lift's job goes only when its lift is done or under
        # way, and one under way (or a sanction being carried out) is no lift lost.
        if not self._lifts_resumed:
            await self.sanctions.resume_lifts()
            self._lifts_resumed = True

    # -- listeners ------------------------------------------------------------------------------

    @listener(MessageCreated, priority=Priority.MODERATION)
    async def check_message(self, event: MessageCreated) -> None:
        """Check a new message against the rules."""
        author = event.author
        if author.user.is_bot:
            return
        message = event.message
        subject = Subject(
            "message",
            author,
            event.at,
            message.channel,
            message,
            event.text,
            event.mentions,
            event.hidden_links,
        )
        subject.recent = self.activity.posted(
            author.user.id, Posted(event.at, message, subject.skeleton, event.group)
        )
        config = self.settings(message.channel.community)
        if not config.rules:
            return
        if config.uses_trigger("new_account"):  # the member's record is read first
            await self._judge(subject, config)
            return
        # Nearly every message: judged without a coroutine of its own (see _judge).
        moderator = self.core.is_moderator(author)
        outcomes = self.engine.fast(config, subject, self._plain(config), moderator)
        if outcomes:
            await self._act_on(subject, outcomes, moderator)

    @listener(MessageEdited, priority=Priority.MODERATION)
    async def check_edit(self, event: MessageEdited) -> None:
        """Check an edited message again."""
        if event.author.user.is_bot:
            return
        subject = Subject(
            "edit",
            event.author,
            event.at,
            channel=event.message.channel,
            message=event.message,
            text=event.text,
            mentions=event.mentions,
            hidden_links=event.hidden_links,
        )
        await self.judge(subject)

    @listener(MemberJoined, priority=Priority.MODERATION)
    async def check_join(self, event: MemberJoined) -> None:
        """Check a join (raids, new accounts); a bot an administrator added is neither."""
        if event.member.user.is_bot:
            return
        self.activity.joined(event.community, event.at)
        await self.judge(Subject("join", event.member, event.at))

    @listener(MessageDeleted, priority=Priority.OBSERVATION)
    async def forget_deleted(self, event: MessageDeleted) -> None:
        """A deleted message is no longer there to purge."""
        self.activity.removed(event.message)

    # -- judging --------------------------------------------------------------------------------

    async def evidence(
        self,
        subject: Subject,
        *,
        probe: bool = False,
        verdicts: Verdicts | None = None,
        explain: bool = True,
    ) -> Evidence:
        """What the triggers may consult about ``subject``; with ``explain``, the triggers that
        do not match say why."""
        config = self.settings(subject.community)
        since: datetime | None = None
        if subject.kind != "join" and config.uses_trigger("new_account"):
            record = await self.core.members.get(subject.community, subject.member.user.id)
            if record is not None:
                # Not first_seen: a member the bot never saw join was there before it watched
                # (every regular, the day the bot arrives, or in a replayed history).
                since = record.joined_at
        if since is None and verdicts is None and not probe and not explain:
            return self._plain(config)
        return Evidence(
            activity=self.activity,
            verdicts=verdicts or Verdicts(),
            normalise_by_default=config.normalise,
            member_since=since,
            probe=probe,
            explain=explain,
        )

    def _plain(self, config: NetiquetteConfig) -> Evidence:
        """What every message is judged with: nothing of its own, made once."""
        shared = self._plain_evidence.get(config.normalise)
        if shared is None or shared.activity is not self.activity:
            shared = self._plain_evidence[config.normalise] = Evidence(
                activity=self.activity,
                verdicts=NO_VERDICTS,
                normalise_by_default=config.normalise,
                explain=False,
            )
        return shared

    async def judge(self, subject: Subject) -> Judged:
        """Run the fast pass; hand the deferred rules to the toxicity worker. Returns the rules
        that fired, and the slow pass still running, if any."""
        config = self.settings(subject.community)
        if not config.rules:
            return NOTHING_FIRED
        return await self._judge(subject, config)

    async def _judge(self, subject: Subject, config: NetiquetteConfig) -> Judged:
        # check_message writes out these steps again for a message when no rule needs the
        # member's record, without this coroutine: a change here goes there too.
        moderator = self.core.is_moderator(subject.member)
        if subject.kind != "join" and config.uses_trigger("new_account"):
            evidence = await self.evidence(subject, explain=False)
        else:
            evidence = self._plain(config)
        outcomes = self.engine.fast(config, subject, evidence, moderator)
        if not outcomes:  # nearly every message
            return NOTHING_FIRED
        return await self._act_on(subject, outcomes, moderator)

    async def _act_on(self, subject: Subject, outcomes: list[Outcome], moderator: bool) -> Judged:
        """Fire the rules of the fast pass that fired; hand those it deferred to the toxicity
        worker."""
        fired = tuple(outcome for outcome in outcomes if outcome.fired)
        for outcome in fired:
            await self.fire(outcome, subject)
        # A rule waiting for its model comes before any rule that fired and stopped the rest
        # (the fast pass stops there): that rule does not spare the message its verdict.
        deferred = {outcome.rule for outcome in outcomes if outcome.deferred}
        slow = None
        if deferred:
            slow = self._in_background(self._slow_pass(subject, deferred, moderator))
        return Judged(fired, slow)

    async def screen_command(self, event: CommandInvoked) -> str | None:
        """Judge what a member typed in a command as a message they wrote (the core asks, before
        running it). A rule that would remove a message refuses the command: its text is not
        to be posted by the bot (a suggestion, a contest entry), and a group that shows the
        command (Telegram) loses it. A command that will run waits for the toxicity verdict, at
        most :data:`SCREEN_WAIT`; past that it runs, and the verdict comes as for a message.

        A command nobody sees (a slash command) that will not run (unknown, or a moderator's)
        shows its text to no one: it is left alone.
        """
        if event.private or not event.typed.strip() or event.member.user.is_bot:
            return None
        if not self.core.cog_enabled(self.name, event.community):
            return None
        spec = self.core.commands.get(event.name)
        runs = spec is not None and may_run(self.core, spec, event.member)
        if event.message is None and not runs:
            return None
        subject = Subject(
            "message",
            event.member,
            event.at,
            channel=event.channel,
            message=event.message,
            text=event.typed,
            mentions=event.mentions,
        )
        judged = await self.judge(subject)
        fired = list(judged.fired)
        if judged.slow is not None and runs:
            # What the command would post waits for its verdict, a little: past that, it runs
            # and the verdict comes later, as for any message.
            with contextlib.suppress(TimeoutError):
                fired += await asyncio.wait_for(
                    asyncio.shield(judged.slow), SCREEN_WAIT.total_seconds()
                )
        config = self.settings(event.community)
        for outcome in fired:
            rule = config.rules[outcome.rule]
            if not outcome.dry_run and any(
                name == "delete" for name, _ in rule.actions_in_order()
            ):
                texts = self.texts(event.community)
                return render(
                    texts.command_refused,
                    rule=outcome.rule,
                    matched=outcome.explained(texts.why),
                )
        return None

    def _in_background(self, coroutine: Any) -> asyncio.Task[Any] | None:
        if len(self._background) >= MAX_BACKGROUND:
            coroutine.close()
            # Once per overload, not once per message: a flood must not flood the log too.
            if not self._unscored:
                self.log.warning(
                    "%d toxicity checks are waiting; new messages are not scored while they do",
                    MAX_BACKGROUND,
                )
            self._unscored += 1
            return None
        if self._unscored and len(self._background) < MAX_BACKGROUND * CAUGHT_UP:
            self.log.warning(
                "toxicity checks caught up (%d waiting); %d messages were not scored",
                len(self._background),
                self._unscored,
            )
            self._unscored = 0
        task = asyncio.get_running_loop().create_task(coroutine)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return task

    async def settled(self) -> None:
        """Wait until every background toxicity check is done and what it fired is carried
        out, however long the database refuses the cases (tests, the bench)."""
        await self._checked()
        await self.enforcement.drained()

    async def _checked(self) -> None:
        """Wait until every background toxicity check is done (what they fire is queued)."""
        while self._background:
            await asyncio.gather(*list(self._background), return_exceptions=True)

    async def toxicity_verdicts(self, subject: Subject) -> Verdicts:
        """The toxicity scores of ``subject`` (or why there are none)."""
        try:
            scores = await self.worker(subject.community).score(subject.text)
        except ToxicityUnavailableError as error:
            await self._report_toxicity_off(subject.community, str(error))
            return Verdicts(toxicity_error=str(error))
        return Verdicts(toxicity=scores)

    async def _report_toxicity_off(self, community: CommunityRef, reason: str) -> None:
        if community.key in self._toxicity_reported:
            return
        self._toxicity_reported.add(community.key)
        await self.core.modlog(
            community, render(self.texts(community).toxicity_off, reason=reason)
        )

    async def _slow_pass(
        self, subject: Subject, rules: set[str], moderator: bool
    ) -> list[Outcome]:
        """Score the text, then check the deferred ``rules``; returns those that fired."""
        fired: list[Outcome] = []
        try:
            verdicts = await self.toxicity_verdicts(subject)
            if subject.kind == "message" and subject.message and verdicts.toxicity is not None:
                await self.publish(
                    MessageScored(
                        at=subject.at,
                        message=subject.message,
                        author=subject.member,
                        scores=verdicts.toxicity,
                    )
                )
            if subject.message is not None and self.core.bus.is_removed(subject.message):
                return fired
            config = self.settings(subject.community)
            evidence = await self.evidence(subject, verdicts=verdicts, explain=False)
            outcomes = self.engine.evaluate(
                config,
                subject,
                evidence,
                moderator=moderator,
                stage="slow",
                rules=rules,
                explain=False,
            )
            for outcome in outcomes:
                if outcome.fired:
                    fired.append(outcome)
                    await self.fire(outcome, subject)
        except Exception:
            self.log.exception("the toxicity check of a message failed")
        return fired

    # -- firing ---------------------------------------------------------------------------------

    async def fire(self, outcome: Outcome, subject: Subject) -> None:
        """Apply a rule that fired: act on the message now, queue the case and what follows.

        The message is deleted at once (later listeners skip it). The case, the notices, the
        mod-log line and the strike ladder follow in the enforcement queue, which writes the
        cases of a burst in one transaction and announces each only once it is committed.
        """
        decision = await self._decide(outcome, subject)
        if decision is not None:
            self.enforcement.put(decision)

    async def caught_up(self, *, slow: bool = False) -> None:
        """Wait until every queued firing is carried out (replay, tests, shutdown), and with
        ``slow`` every toxicity check and what it fired. Cases the database refuses for a
        while are tried once more at once; still refused, they stay queued (the log says so),
        and this returns: a replay against a database another process holds goes on."""
        with self.enforcement.hurried():
            if slow:
                await self._checked()
            await self.enforcement.caught_up()

    async def _decide(self, outcome: Outcome, subject: Subject) -> Decision | None:
        community = subject.community
        config = self.settings(community)
        rule = config.rules[outcome.rule]
        locale = self.locale(community)
        actions = [
            (name, settings)
            for name, settings in rule.actions_in_order()
            if subject.message is not None or not action_registry()[name].needs_message
        ]
        names = ", ".join(name for name, _ in actions) or "log"
        texts = self.texts(community)
        matched = outcome.explained(texts.why)
        if outcome.dry_run:
            line = render(
                texts.modlog_dry_run,
                rule=outcome.rule,
                member=plain_name(subject.member.name),
                actions=texts.action_names.text(names),
                matched=matched,
                excerpt=excerpt(subject.text, 120),
            )
            # Who and what they wrote go to the mod-log only: the log keeps them only where
            # there is no mod-log to post them in (as for every mod-log notice).
            self.log.info("dry run in %s: rule %s would %s", community.key, outcome.rule, names)
            await self.core.modlog(community, line)
            await self.publish(
                DryRunMatched(
                    at=subject.at,
                    member=subject.member,
                    rule=outcome.rule,
                    action=names,
                    matched=matched,
                    message=subject.message,
                )
            )
            return None
        reasons = [action_registry()[name].reason(settings, locale) for name, settings in actions]
        timed = [
            settings.duration
            for name, settings in actions
            if name in ("timeout", "ban") and settings.duration is not None
        ]
        now = self.core.clock.now()
        decision = Decision(
            outcome=outcome,
            subject=subject,
            case=NewCase(
                member=subject.member,
                action=names,
                at=now,
                rule=outcome.rule,
                reason=next((r for r in reasons if r), outcome.rule),
                matched=matched,
                excerpt=subject.text,
                points=sum(action_registry()[name].points(s) for name, s in actions),
                expires_at=now + max(timed) if timed else None,
            ),
            actions=actions,
            locale=locale,
            charter=pick(rule.charter, locale) or "",
        )
        for name, settings in actions:
            action = action_registry()[name]
            if action.immediate:
                note = await action.run_now(settings, subject, self.sanctions, outcome)
                decision.done[name] = note
        return decision

    async def _carry_out(self, decision: Decision, case: CaseRecord) -> None:
        """The actions that announce, the mod-log line and the ladder, once the case is saved."""
        subject, outcome = decision.subject, decision.outcome
        firing = Firing(
            rule=outcome.rule,
            subject=subject,
            matched=case.matched,
            locale=decision.locale,
            charter=decision.charter,
            case=case,
            deleted=decision.done.get("delete", "not run") is None,
        )
        notes = [note for note in decision.done.values() if note]
        for name, settings in decision.actions:
            if name in decision.done:
                continue
            note = await action_registry()[name].run(settings, firing, self.sanctions)
            if note:
                notes.append(note)
        community = subject.community
        await self.core.modlog(
            community,
            render(
                self.texts(community).modlog_rule,
                case=case.id,
                rule=outcome.rule,
                member=plain_name(subject.member.name),
                actions=self.texts(community).action_names.text(case.action),
                matched=case.matched,
                excerpt=excerpt(subject.text, 120),
                notes=as_notes(notes),
            ),
        )
        await self.sanctions.escalate(subject.member, case)

    # -- timed sanctions ------------------------------------------------------------------------

    @retried_job
    async def lift_timeout(self, **arguments: Any) -> None:
        """A timeout ends (scheduler job)."""
        await self._lift(arguments, "timeout")

    @retried_job
    async def lift_ban(self, **arguments: Any) -> None:
        """A temporary ban ends (scheduler job)."""
        await self._lift(arguments, "ban")

    async def _lift(self, arguments: dict[str, Any], kind: Lifted) -> None:
        await self.sanctions.lift_due(arguments, kind)

    async def on_job_missed(
        self, handler: str, job_id: str, kwargs: dict[str, Any], late_by: timedelta
    ) -> None:
        """A lift that fell due while the bot was down is still owed: do it now."""
        await super().on_job_missed(handler, job_id, kwargs, late_by)
        if handler == "lift_timeout":
            await self._lift(kwargs, "timeout")
        elif handler == "lift_ban":
            await self._lift(kwargs, "ban")

    async def on_job_given_up(self, handler: str, job_id: str, kwargs: dict[str, Any]) -> None:
        """A lift that kept failing on an error is left to the moderators: the mod-log says so."""
        if handler == "lift_timeout":
            await self.sanctions.lift_given_up(kwargs, "timeout")
        elif handler == "lift_ban":
            await self.sanctions.lift_given_up(kwargs, "ban")

    async def teardown(self) -> None:
        """Carry out the queued firings (those the database refuses get a few more tries),
        cancel the toxicity checks, then stop the workers."""
        self.enforcement.stop()
        await self.caught_up()
        if self._unscored:
            self.log.warning(
                "stopping with %d toxicity checks waiting; %d messages were not scored",
                len(self._background),
                self._unscored,
            )
            self._unscored = 0
        for task in list(self._background):
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)
        await super().teardown()
