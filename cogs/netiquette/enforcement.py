"""The enforcement queue: rules that fired, carried out in order once their case is written.

A rule that fires removes the message at once (if it deletes); its case is written here, and
only then come the notices, the timeout, the mod-log line and the ladder. The cases of a burst
are written in one transaction. If the database refuses them for a while (locked, busy, away),
they wait in the queue, in order, and are written again until it takes them: what follows each
waits with it, and is done once. A case the database refuses for good (its community's row
deleted) is dropped alone, logged.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from bot.dbrefusals import log_bug, may_pass, reason, refused_for_good

if TYPE_CHECKING:
    import logging
    from collections.abc import Awaitable, Callable, Iterator

    from cogs.netiquette.cases import CaseBook, CaseRecord, NewCase
    from cogs.netiquette.engine import Outcome
    from cogs.netiquette.subject import Subject

ENFORCE_BATCH = 100
"""Cases written in one transaction at most, when rules fire in a burst."""
ENFORCE_GATHER = timedelta(milliseconds=20)
"""How long the first firing of a burst waits for the others, so that they are written in one
transaction: a busy community's firings each cost a share of one commit, not a commit each.
The message is already deleted by then; only the case, the notices and the mod-log line wait."""
ENFORCE_RETRY = timedelta(seconds=1)
"""How long the queue waits before writing again cases the database refused for a while; the
pause doubles at each refusal, up to :data:`ENFORCE_RETRY_MAX`."""
ENFORCE_RETRY_MAX = timedelta(seconds=30)
ENFORCE_REMIND = timedelta(minutes=5)
"""While the database keeps refusing the cases, the log says so again this often."""
ENFORCE_TRIES_AT_STOP = 3
"""Tries left to cases the database refuses as the bot stops; then they are lost, logged."""
MAX_PENDING_DECISIONS = 5_000
"""Firings waiting for their case at most (the database refusing them for long); beyond, a new
firing's message is still removed (if the rule deletes), but its case is not recorded (logged)."""


@dataclass
class Decision:
    """A rule that fired, as decided in the event's path; the enforcement queue carries it out."""

    outcome: Outcome
    subject: Subject
    case: NewCase
    actions: list[tuple[str, Any]]
    locale: str
    charter: str
    done: dict[str, str | None] = field(default_factory=dict)
    """Actions already run as the rule fired (delete), with their note."""


class EnforcementQueue:
    """Firings waiting for their case: written in bursts, then carried out one at a time, in
    order (the ladder sees the cases before)."""

    def __init__(
        self,
        casebook: CaseBook,
        carry_out: Callable[[Decision, CaseRecord], Awaitable[None]],
        log: logging.Logger,
    ) -> None:
        """``carry_out`` does what follows a case once it is written."""
        self._casebook = casebook
        self._carry_out = carry_out
        self._log = log
        self._pending: list[Decision] = []
        self._worker: asyncio.Task[None] | None = None
        self._hurry = asyncio.Event()
        """Set while someone waits for the queued firings: the queue stops gathering."""
        self._waiting = 0
        self._held_back = asyncio.Event()
        """Set while the queue waits for the database to take its cases again."""
        self._retry_now = asyncio.Event()
        """Set to cut that wait short (someone waits for the queue, or the bot stops)."""
        self._stopping = False
        self._tries_at_stop = 0
        self._refusals = 0
        """Refusals in a row of the database, while it refuses the cases for a while."""
        self._refused_since = 0.0
        self._reminded_at = 0.0
        self._overflowed = 0
        """Firings whose case was dropped since the queue was full."""

    def put(self, decision: Decision) -> None:
        """Queue ``decision``; with :data:`MAX_PENDING_DECISIONS` waiting, dropped, logged."""
        if len(self._pending) >= MAX_PENDING_DECISIONS:
            self._queue_overflow(decision)
            return
        self._pending.append(decision)
        if self._worker is None or self._worker.done():
            self._worker = asyncio.get_running_loop().create_task(self._enforce())

    @contextlib.contextmanager
    def hurried(self) -> Iterator[None]:
        """While in this block, the queue writes what it holds without gathering a burst."""
        self._waiting += 1
        self._hurry.set()
        try:
            yield
        finally:
            self._waiting -= 1
            if not self._waiting:
                self._hurry.clear()

    async def drained(self) -> None:
        """Wait until every queued firing is carried out, however long the database refuses
        their cases (tests, the bench; a replay must not hang on it: :meth:`caught_up`)."""
        while (worker := self._worker) is not None and not worker.done():
            await asyncio.wait([worker])
            worker.result()  # what went wrong reaches the caller, as in caught_up

    async def caught_up(self) -> None:
        """Wait until every queued firing is carried out. Cases the database refuses for a
        while are tried once more at once; still refused, they stay queued, and this returns.
        As the bot stops, it waits for their last tries."""
        with self.hurried():
            tried = False
            while self._worker is not None and not self._worker.done():
                if self._stopping:  # its last tries are bounded
                    await asyncio.shield(self._worker)
                    continue
                if self._held_back.is_set():
                    if tried:
                        break
                    tried = True
                    self._held_back.clear()
                    self._retry_now.set()
                held_back = asyncio.ensure_future(self._held_back.wait())
                try:
                    await asyncio.wait(
                        [self._worker, held_back], return_when=asyncio.FIRST_COMPLETED
                    )
                finally:
                    held_back.cancel()
                if self._worker.done():
                    self._worker.result()  # what went wrong reaches the caller, as before

    def stop(self) -> None:
        """The bot stops: cases the database refuses get a few more tries at once, then are
        dropped, logged."""
        self._stopping = True
        self._retry_now.set()

    async def _enforce(self) -> None:
        if len(self._pending) < ENFORCE_BATCH and not self._hurry.is_set():
            # Gather a burst's firings, unless someone waits for them (a replay does, after
            # each event: a real pause there would cost every firing 20 ms for nothing).
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(ENFORCE_GATHER.total_seconds()):
                    await self._hurry.wait()
        while self._pending:
            batch = self._pending[:ENFORCE_BATCH]
            del self._pending[: len(batch)]
            left = await self._record_burst(batch)
            if left:
                # Ahead of the firings queued since: the ladder sees the cases in order.
                self._pending[:0] = left
                await self._wait_for_database()

    async def _record_burst(self, batch: list[Decision]) -> list[Decision]:
        """Write the cases of ``batch`` in one transaction and carry each firing out; returns
        the firings left for later, the database refusing their cases for now."""
        try:
            cases = await self._casebook.record_many(
                [(decision.subject.community, decision.case) for decision in batch]
            )
        except Exception as error:
            if may_pass(error):
                self._cases_refused_for_now(error, len(batch))
                return batch
            return await self._record_one_by_one(batch)
        self._cases_taken_again()
        for decision, case in zip(batch, cases, strict=True):
            await self._carry_out_logged(decision, case)
        return []

    async def _record_one_by_one(self, batch: list[Decision]) -> list[Decision]:
        """The burst's cases failed other than for a while: write them one by one, so that
        only those the database refuses on their own, or a bug fails on, are lost; returns those
        left for later."""
        left: list[Decision] = []
        broken: list[Decision] = []
        bug: Exception | None = None
        for index, decision in enumerate(batch):
            try:
                [case] = await self._casebook.record_many(
                    [(decision.subject.community, decision.case)]
                )
            except Exception as error:
                if may_pass(error):
                    self._cases_refused_for_now(error, len(batch) - index)
                    left = batch[index:]
                    break
                if refused_for_good(error):
                    self._case_lost(decision, error)
                else:  # a bug in the bot: logged once for the burst, with its traceback
                    broken.append(decision)
                    bug = error if bug is None else bug
                continue
            self._cases_taken_again()
            await self._carry_out_logged(decision, case)
        if bug is not None:
            # As for a case refused: a removal already done stays, nothing else is done.
            rules = ", ".join(sorted({decision.outcome.rule for decision in broken}))
            log_bug(self._log, f"{len(broken)} moderation cases (rules {rules})", bug)
        return left

    async def _carry_out_logged(self, decision: Decision, case: CaseRecord) -> None:
        try:
            await self._carry_out(decision, case)
        except Exception:
            self._log.exception("rule %s could not be carried out", decision.outcome.rule)

    def _case_lost(self, decision: Decision, error: BaseException) -> None:
        member = decision.subject.member
        self._log.error(
            "moderation case lost, the database refuses it (%s): rule %s, member %s of %s; "
            "a removal already done stays, nothing else is done",
            reason(error),
            decision.outcome.rule,
            member.user.id,
            member.community.key,
        )

    def _cases_refused_for_now(self, error: BaseException, count: int) -> None:
        now = asyncio.get_running_loop().time()
        self._refusals += 1
        waiting = count + len(self._pending)
        if self._refusals == 1:
            self._refused_since = self._reminded_at = now
            self._log.warning(
                "%d moderation cases not recorded, the database refuses them for now (%s): "
                "kept, and written again once it takes them; their notices, timeouts and mod-log "
                "lines wait for them",
                waiting,
                reason(error),
            )
        elif now - self._reminded_at >= ENFORCE_REMIND.total_seconds():
            self._reminded_at = now
            self._log.warning(
                "%d moderation cases still not recorded after %.0f s, the database refuses "
                "them (%s)",
                waiting,
                now - self._refused_since,
                reason(error),
            )

    def _cases_taken_again(self) -> None:
        if self._refusals:
            self._log.warning(
                "the database takes the moderation cases again, after %.0f s",
                asyncio.get_running_loop().time() - self._refused_since,
            )
            self._refusals = 0
        if self._overflowed:
            self._log.error(
                "%d firings found the moderation queue full while the database refused: their "
                "removals were done, but no case recorded and nothing else done",
                self._overflowed,
            )
            self._overflowed = 0

    def _queue_overflow(self, decision: Decision) -> None:
        if not self._overflowed:
            member = decision.subject.member
            self._log.error(
                "%d firings wait for the database: the case of rule %s for member %s of %s is "
                "not recorded, nor those after it while the queue is full",
                len(self._pending),
                decision.outcome.rule,
                member.user.id,
                member.community.key,
            )
        self._overflowed += 1

    async def _wait_for_database(self) -> None:
        """Pause before writing again the cases the database refused; as the bot stops, give
        them a few more tries, then drop them, logged."""
        if self._stopping:
            self._tries_at_stop += 1
            if self._tries_at_stop < ENFORCE_TRIES_AT_STOP:
                await asyncio.sleep(ENFORCE_RETRY.total_seconds())
                return
            lost = self._pending
            self._pending = []
            self._log.error(
                "stopping: %d moderation cases lost, the database still refuses them (removals "
                "already done stay, nothing else is done): %s",
                len(lost),
                ", ".join(
                    f"rule {d.outcome.rule} for member {d.subject.member.user.id} of "
                    f"{d.subject.member.community.key}"
                    for d in lost
                ),
            )
            if self._overflowed:
                self._log.error(
                    "stopping: %d more firings found the moderation queue full; their cases "
                    "were not recorded either",
                    self._overflowed,
                )
            self._refusals = self._overflowed = 0
            return
        pause = min(
            ENFORCE_RETRY.total_seconds() * 2 ** (self._refusals - 1),
            ENFORCE_RETRY_MAX.total_seconds(),
        )
        self._retry_now.clear()
        self._held_back.set()
        try:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(pause):
                    await self._retry_now.wait()
        finally:
            self._held_back.clear()
