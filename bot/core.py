"""The core: one rule book, one database, one scheduler, the cogs, the platforms side by side."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from asyncio import current_task
from collections import OrderedDict
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Coroutine,
    Iterator,
    Mapping,
    Sequence,
)
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from bot import __version__
from bot.actions import Actions
from bot.builtin import CoreCog, reload_failed_text, reloaded_warnings_text
from bot.bus import EventBus
from bot.clock import Clock, SystemClock
from bot.cog import Cog
from bot.cogloader import available_cogs, section_models
from bot.commands.budget import CommandBudget
from bot.commands.registry import CommandRegistry
from bot.commands.runner import answer_command, run_command
from bot.commands.spec import build_spec, declared_commands
from bot.connections import Connections
from bot.db import Database, is_memory, sync_url
from bot.durations import format_duration
from bot.errors import JardinierError
from bot.events import (
    ChannelRef,
    CommandInvoked,
    CommunityRef,
    CommunitySeen,
    Event,
    MemberJoined,
    MemberRef,
    MessageDeleted,
    MessageRef,
    Power,
    UserRef,
)
from bot.heartbeat import Heartbeat, heartbeat_file
from bot.memberdata import Erasing
from bot.members import MemberDirectory
from bot.periodic import PeriodicFlush
from bot.platform import PASSING_REFUSALS, EventSink, Platform, PlatformError
from bot.refusals import refusal_text
from bot.resources import shipped_rules_directory
from bot.retention import RetentionSweep
from bot.ruleconf import CommunityConfig, CoreTexts, RuleBookError, RuleStore, render
from bot.ruleconf.book import OVERRIDES_DIRECTORY
from bot.ruleconf.errors import concerning
from bot.rulewatch import RuleWatcher
from bot.scheduler import Scheduler
from bot.warnedonce import AGAIN_AFTER, WarnedOnce

log = logging.getLogger(__name__)

CommandScreen = Callable[[CommandInvoked], Awaitable[str | None]]
"""Judges a command before it runs; returns the answer that refuses it, or None."""
MemberHold = Callable[[MemberRef], Awaitable[bool]]
"""Says whether a member is held back at the door (a charter they have not accepted yet)."""
RuleErrorsTold = frozenset[tuple[str, str, str]]
"""Rule book errors a mod-log read, each by its file, key path and message."""
RuleWarningSubjects = frozenset[tuple[str, str]]
"""Rule book warnings, each by what it is about (its file and key path, see ``subject``)."""

SHUTDOWN_GRACE = timedelta(seconds=5)
"""How long SIGTERM waits for queued work (docker stop kills after 10 s)."""
CONNECT_WAIT = timedelta(minutes=2)
"""How long the scheduled jobs wait for every platform to connect at start-up."""
DELETIONS_REMEMBERED = 10_000
"""Deleted messages remembered, so that the cogs hear of each deletion once: Discord reports
the bot's own deletions too, a moment after the bot told of them."""


class Jardinier:
    """The bot: wires rules, state, schedule, cogs and platforms, and routes every event."""

    def __init__(
        self,
        *,
        rules_dir: Path,
        database_url: str,
        platforms: Sequence[Platform] = (),
        clock: Clock | None = None,
        watch_rules: bool = False,
        heartbeat: Path | None = None,
    ) -> None:
        self.clock = clock or SystemClock()
        self.heartbeat = heartbeat or heartbeat_file()
        """The file :meth:`run` touches while the bot lives (default ``JARDINIER_HEARTBEAT_FILE``,
        none when unset), which ``python -m bot.heartbeat`` checks."""
        self.rules = RuleStore(rules_dir, section_models(), shipped=shipped_rules_directory())
        self._warn_about_rules()
        self.watch_rules = watch_rules
        """While :meth:`run` serves, reload the rule book when its files change."""
        self._reloading = asyncio.Lock()
        self._rule_errors_told: dict[str, tuple[CommunityRef, RuleErrorsTold]] = {}
        """The rule book errors each mod-log read last (by community key), until it loads."""
        # Those of the book loaded at start are only logged: every restart would post them
        # again in every mod-log (and no community is met yet).
        self._rule_warnings_known = self._rule_warning_subjects()
        """The warnings of the running book: a reload tells the mod-logs of the others."""
        self._modlog_warned = WarnedOnce(self.clock)
        """Why each community's mod-log could not be written to, as logged last."""
        self.db = Database(database_url)
        store = None if is_memory(self.db.url) else sync_url(self.db.url)
        self.scheduler = Scheduler(self.clock, store_url=store)
        self.bus = EventBus(self.serving_cogs)
        self.commands = CommandRegistry()
        self.command_budget = CommandBudget()
        """How many commands each member ran lately (:mod:`bot.commands.budget`)."""
        self.platforms: dict[str, Platform] = {platform.name: platform for platform in platforms}
        self.connections = Connections(self.platforms)
        """How each platform's connection stands (written in the heartbeat file)."""
        self.actions = Actions(
            self.platforms,
            self.texts,
            report=self.modlog,
            deleted=self._deleted_by_bot,
            clock=self.clock,
        )
        self.members = MemberDirectory(self.db, self.clock)
        self.erasing = Erasing()
        """The members /forget_member is erasing: a join of theirs waits until it is done."""
        # Also written by events as they come; the timer bounds the crash window of a quiet bot.
        self._members_flush = PeriodicFlush(
            "members", lambda: self.members.flush_after, self.members.flush, log
        )
        self.retention = RetentionSweep(self)
        """Forgets members' details older than the rule book's ``retention``, once a day."""
        self.cogs: dict[str, Cog] = {}
        self._command_screens: list[CommandScreen] = []
        self._member_holds: list[MemberHold] = []
        self._seen: dict[str, CommunityRef] = {}
        self._deletions: OrderedDict[MessageRef, None] = OrderedDict()
        """The messages whose deletion the cogs heard of, latest last."""
        self._started = False
        self._shutting_down: asyncio.Task[None] | None = None
        """The one :meth:`shut_down` under way: a second request waits for it."""
        # The tasks handling an event or running a job now (Discord handles each event in its
        # own task): stopping waits for them before it closes the scheduler and the database.
        self._in_hand: dict[asyncio.Task[Any], int] = {}

    def add_platform(self, platform: Platform) -> None:
        """Serve ``platform`` too (before :meth:`start`)."""
        if self._started:
            raise RuntimeError("add platforms before the bot starts")
        self.platforms[platform.name] = platform

    # -- life cycle ---------------------------------------------------------------------------

    async def start(self, *, jobs_on_time: bool = True) -> None:
        """Upgrade the schema, load the cogs, catch up on jobs, publish the commands.

        Without ``jobs_on_time`` the jobs wait for :meth:`run_jobs_once_connected`.
        """
        self._shutting_down = None
        await self.db.upgrade()
        await self._load_cog(CoreCog(self), rank=-1)
        await self.sync_cogs()
        await self.scheduler.start(self, on_time=jobs_on_time)
        self._members_flush.start()
        self.retention.start()
        self._started = True
        await self._rules_applied()
        await self.publish_commands()

    async def publish_commands(self) -> None:
        """Publish the commands of every loaded cog on every platform."""
        specs = list(self.commands)
        for platform in self.platforms.values():
            try:
                await platform.sync_commands(specs)
            except PlatformError as error:
                log.warning(
                    "could not publish the commands on %s: %s",
                    platform.name,
                    refusal_text(error, self.texts()),
                )

    async def stop(self) -> None:
        """Stop the scheduler, the cogs and the database (platforms stop themselves)."""
        # Events and jobs in hand, then queued work, while the scheduler still takes jobs (a
        # temporary ban's lifting): a job planned after the scheduler stopped would be lost.
        try:
            async with asyncio.timeout(SHUTDOWN_GRACE.total_seconds()):
                await self._in_hand_finished()
        except TimeoutError:
            log.warning(
                "events still being handled after %s; stopping anyway",
                format_duration(SHUTDOWN_GRACE),
            )
        try:
            await self.caught_up()
        except Exception:
            log.exception("queued work could not be finished before stopping")
        await self.retention.stop()  # before the cogs it asks stop
        await self.scheduler.shutdown()
        for cog in reversed(list(self.cogs.values())):
            try:
                await cog.teardown()
            except Exception:
                log.exception("cog %s failed to stop cleanly", cog.name)
        await self._members_flush.stop()  # writes what is buffered
        await self.members.flush_last()  # again for a few seconds if the database refused
        await self.db.close()
        self._started = False

    async def run(self) -> None:
        """Run every platform side by side until all end, or SIGINT/SIGTERM.

        A platform that fails for good (a refused token) is logged and the others serve on;
        when every platform has failed, this raises (a :class:`JardinierError` saying why when
        they all said why). SIGHUP reloads the rule book; so does a change to its files when
        ``watch_rules`` is set.
        """
        loop = asyncio.get_running_loop()
        background = _Background(loop)
        # Made before starting, which can take seconds (migrations, cogs, publishing commands): it
        # remembers the files the book was read from, and reloads a save made meanwhile.
        watcher = (
            RuleWatcher(self.rules.directory, self.reload_rules) if self.watch_rules else None
        )
        # Beating from the start: long migrations run in a thread while the loop still answers.
        async with self._beating():
            with _signal_handlers(loop) as signals:
                reload_asked = self._hear_signals_while_starting(signals, background)
                await self.start(jobs_on_time=False)
                try:
                    await self._serve(signals, background, watcher, reload_asked=reload_asked)
                finally:
                    await self._wind_down(signals, watcher)

    @contextlib.asynccontextmanager
    async def _beating(self) -> AsyncIterator[None]:
        """Touch the heartbeat file (if any) while the block runs."""
        if self.heartbeat is None:
            yield
            return
        heartbeat = Heartbeat(self.heartbeat, links=self.connections.links)
        # A platform failing or connecting is written at once, not at the next beat.
        self.connections.changed = heartbeat.beat
        heartbeat.start()
        try:
            yield
        finally:
            self.connections.changed = None
            await heartbeat.stop()

    def _hear_signals_while_starting(
        self, signals: _SignalHandlers, background: _Background
    ) -> list[bool]:
        """Hear SIGTERM (until the very end) and SIGHUP (while starting); returns the list a
        SIGHUP heard while starting appends to: the reload it asked for, once started."""
        # Heard from before start-up: a `docker stop` while migrating or publishing the commands
        # must stop the bot cleanly once it has started, not be lost (PID 1 ignores a signal it
        # has no handler for) nor kill it halfway. Heard until the very end: without a handler,
        # a second SIGTERM would kill the bot in the middle of its last flushes.
        # A reload asked for while starting (a deploy script's SIGHUP) waits for the start: the
        # rule book is being read, and SIGHUP's default would kill the bot.
        reload_asked: list[bool] = []

        def on_sigterm() -> None:
            if self._shutting_down is not None:
                log.info("SIGTERM: already stopping")
                return
            log.info("SIGTERM: stopping")
            background.run(self.shut_down())

        def on_early_sighup() -> None:
            log.info("SIGHUP: the rule book is reloaded once the bot has started")
            reload_asked.append(True)

        signals.on(signal.SIGTERM, on_sigterm)
        signals.on(signal.SIGHUP, on_early_sighup)
        return reload_asked

    async def _serve(
        self,
        signals: _SignalHandlers,
        background: _Background,
        watcher: RuleWatcher | None,
        *,
        reload_asked: Sequence[bool],
    ) -> None:
        """Once started: the on-time jobs, the reloads, and every platform until all end."""
        loop = asyncio.get_running_loop()
        jobs = loop.create_task(self.run_jobs_once_connected(), name="scheduler:on-time")
        running = loop.create_task(self._say_running(), name="running")
        if watcher is not None:
            watcher.start()
        signals.on(signal.SIGHUP, lambda: background.run(self.reload_rules()))
        if reload_asked:
            background.run(self.reload_rules())
        try:
            await self._run_platforms()
        finally:
            # The console's input ends without a shut-down (a pipe ends within a second of the
            # start): the catch-up of what fell due while it was down (a weekly report drawing
            # its chart) is let finish, within the grace, or each run would cut it short and it
            # would never be posted. Not on a real clock: SIGTERM's shut-down has already waited
            # for it, and platforms that failed cannot post it. Held work shows the catch-up is
            # running: one still waiting for a connection is not waited for.
            if self.scheduler.manual and jobs in self._in_hand:
                await asyncio.wait({jobs}, timeout=SHUTDOWN_GRACE.total_seconds())
                if not jobs.done():
                    log.warning(
                        "the jobs that fell due while the bot was down still run after %s; "
                        "stopping anyway",
                        format_duration(SHUTDOWN_GRACE),
                    )
            for task in (jobs, running):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    async def _run_platforms(self) -> None:
        """Run every platform side by side until all end; one failing for good leaves the
        others serving, and only when every one has failed does this raise."""
        # Not a TaskGroup: its first failure would cancel the others, and a community on
        # Discord would lose its bot because the Telegram token was mistyped.
        # On a manual clock (the console) time moves only between lines: each line's work is
        # finished before the next, so a `!wait` never overtakes a sanction being applied.
        sink = self.handle_and_catch_up if self.scheduler.manual else self.handle
        loop = asyncio.get_running_loop()
        running = {
            loop.create_task(
                self._run_platform(platform, sink), name=f"platform:{platform.name}"
            ): platform.name
            for platform in self.platforms.values()
        }
        failures: list[BaseException] = []
        try:
            while running:
                done, _ = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    name = running.pop(task)
                    error = None if task.cancelled() else task.exception()
                    if error is None:
                        self.connections.stopped(name)
                        continue
                    self.connections.failed(name, error)
                    failures.append(error)
                    if running:
                        self._say_platform_failed(name, error, sorted(running.values()))
        finally:
            for task in running:
                task.cancel()
            if running:
                await asyncio.wait(running)
        if failures and len(failures) == len(self.platforms):
            # A platform that cannot start (a refused token, a port in use) says why in a
            # JardinierError: surface that sentence, not a traceback.
            if all(isinstance(error, JardinierError) for error in failures):
                raise JardinierError("\n".join(str(error) for error in failures)) from None
            raise BaseExceptionGroup("every platform failed", failures)

    async def _run_platform(self, platform: Platform, sink: EventSink) -> None:
        """Run ``platform``, following its connection in :attr:`connections`."""
        self.connections.connecting(platform.name)

        async def connected() -> None:
            await platform.ready()
            self.connections.connected(platform.name)

        watch = asyncio.create_task(connected(), name=f"platform:{platform.name}:ready")
        try:
            await platform.start(sink)
        finally:
            watch.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await watch

    def _say_platform_failed(
        self, name: str, error: BaseException, serving: Sequence[str]
    ) -> None:
        """Log, once, that ``name`` failed for good while ``serving`` serve on."""
        # Its mod-log is out of reach (the platform is down): the log and the heartbeat file,
        # which fails the health check, are where an operator sees it.
        if isinstance(error, JardinierError):
            log.error(
                "%s stopped for good: %s. The bot serves on %s.", name, error, ", ".join(serving)
            )
        else:
            log.error(
                "%s stopped for good. The bot serves on %s.",
                name,
                ", ".join(serving),
                exc_info=error,
            )

    async def _wind_down(self, signals: _SignalHandlers, watcher: RuleWatcher | None) -> None:
        """Once the platforms have ended: the watch, the queued work, the stop."""
        # Still heard, as SIGTERM is: without a handler a SIGHUP (a closed terminal, a
        # reload script) would kill the bot in the middle of its last flushes.
        signals.on(signal.SIGHUP, lambda: log.info("SIGHUP: stopping, the rules are not reloaded"))
        if watcher is not None:
            await watcher.stop()
        # After Ctrl-C as after SIGTERM (whose shut-down this waits for): queued work.
        await self.shut_down()
        await self.stop()

    async def _say_running(self) -> None:
        """Log that the bot runs, once every platform is connected (or has failed, saying why
        itself): at the default level a healthy bot logs nothing else, and ``docker logs``
        would not show it started. The console, whose terminal shows it runs, says it only at
        INFO."""
        if self.platforms:
            await self.connections.settled()
        names = self.connections.connected_names() if self.platforms else []
        if self.platforms and not names:
            return  # every platform failed: the bot is not running
        serving = ", ".join(names) or "no platform"
        failed = self.connections.failed_names()
        if failed:
            serving += f" ({', '.join(failed)} failed)"
        cogs = [name for name in self.cogs if name != CoreCog.name]
        overrides = len(self.rules.current.override_keys)
        log.log(
            logging.INFO if names == ["console"] else logging.WARNING,
            "Jardinier %s running on %s: cogs %s; rules from %s (%d community %s)",
            __version__,
            serving,
            ", ".join(cogs) or "none",
            self.rules.directory,
            overrides,
            "file" if overrides == 1 else "files",
        )

    async def run_jobs_once_connected(self) -> None:
        """Run the scheduled jobs once every platform is connected (at most
        :data:`CONNECT_WAIT`): a ban that ended while the bot was down is lifted through a
        connection that knows the server, not refused by one still logging in."""
        waiting = {platform.name: platform.ready() for platform in self.platforms.values()}
        try:
            async with asyncio.timeout(CONNECT_WAIT.total_seconds()):
                await asyncio.gather(*waiting.values())
        except TimeoutError:
            log.warning(
                "not connected to every platform after %s: the scheduled jobs run anyway",
                format_duration(CONNECT_WAIT),
            )
        except Exception:
            log.exception("a platform failed while connecting: the scheduled jobs run anyway")
        try:
            await self.scheduler.run_on_time()
        except Exception:
            log.exception("the jobs that fell due while the bot was down could not all run")

    async def shut_down(self) -> None:
        """SIGTERM: finish the queued work while the platforms still answer, then disconnect.

        The enforcement queue's notices and mod-log lines would otherwise meet a closed
        connection. The wait is bounded: a platform that makes the bot wait (a rate limit) must
        not outlast the grace a service manager gives before it kills the process. It happens
        once: a second call (a second SIGTERM, the end of :meth:`run`) waits for the first.
        """
        if self._shutting_down is None:
            self._shutting_down = asyncio.create_task(self._shut_down(), name="shut-down")
        # Shielded: a caller cancelled (Ctrl-C) leaves the shut-down running for the others.
        await asyncio.shield(self._shutting_down)

    async def _shut_down(self) -> None:
        # No new job starts (those falling due now run at the next start); the ones running,
        # and the events in hand, finish while the platforms still answer.
        self.scheduler.pause()
        try:
            async with asyncio.timeout(SHUTDOWN_GRACE.total_seconds()):
                await self._in_hand_finished()
                await self.caught_up()
        except TimeoutError:
            log.warning(
                "queued work still running after %s; stopping anyway",
                format_duration(SHUTDOWN_GRACE),
            )
        except Exception:
            log.exception("queued work could not be finished before stopping")
        await self.stop_platforms()

    async def stop_platforms(self) -> None:
        """Ask every platform to disconnect; :meth:`run` returns once they have."""
        for platform in self.platforms.values():
            try:
                await platform.stop()
            except Exception:
                log.exception("platform %s failed to stop cleanly", platform.name)

    # -- cogs -----------------------------------------------------------------------------------

    def wanted_cogs(self) -> list[str]:
        """Cogs enabled by the default rule book or any community's override, in book order
        (:meth:`RuleBook.cogs_to_load`, which ``jardinier commands`` reads too)."""
        return self.rules.current.cogs_to_load()

    async def sync_cogs(self) -> list[str]:
        """Load every cog the rule book enables that is not loaded yet; return their names."""
        catalogue = available_cogs()
        loaded = []
        for rank, name in enumerate(self.wanted_cogs()):
            if name not in self.cogs:
                await self._load_cog(catalogue[name](self), rank=rank)
                loaded.append(name)
        return loaded

    async def _load_cog(self, cog: Cog, *, rank: int) -> None:
        for method in declared_commands(cog):
            self.commands.add(build_spec(method, cog=cog.name))
        for event_type, priority, include_removed, callback in cog.listeners():
            self.bus.subscribe(
                cog.name,
                event_type,
                callback,
                priority=priority,
                cog_rank=rank,
                include_removed=include_removed,
            )
        await cog.setup()
        self.cogs[cog.name] = cog
        log.info("cog %s loaded", cog.name)

    def serving_cogs(self, community: CommunityRef) -> frozenset[str]:
        """The cogs that serve ``community`` (the core always does)."""
        return self.rules.current.enabled_cogs(community)

    def cog_enabled(self, cog: str, community: CommunityRef) -> bool:
        """Whether ``cog`` serves ``community`` (the core always does)."""
        return cog in self.rules.current.enabled_cogs(community)

    # -- rules ----------------------------------------------------------------------------------

    def community_config(self, community: CommunityRef | None = None) -> CommunityConfig:
        """The ``community`` section of the rule book for ``community``."""
        return self.rules.current.community(community)

    def texts(self, community: CommunityRef | None = None) -> CoreTexts:
        """The core's texts in the community's locale."""
        config = self.community_config(community)
        return config.texts[config.locale]

    async def reload_rules(self, *, tell_modlogs: bool = True) -> RuleBookError | None:
        """Validate the rule book again and swap it in; on error keep the old one and report.

        The errors are logged and, with ``tell_modlogs``, posted in each mod-log, those of its
        own community's files: once, the same errors again are not repeated (every save of a
        broken file reloads). Without it (``/rules_reload``) they are the asker's alone. Once
        the book loads, each mod-log that was told of errors hears that it is reloaded, and
        each mod-log hears of the warnings about its community's files where one is new (the
        running book did not have it), whoever asked: that book is in force for everyone.
        """
        async with self._reloading:  # a SIGHUP during a file-change reload waits its turn
            return await self._reload_rules(tell_modlogs=tell_modlogs)

    async def _reload_rules(self, *, tell_modlogs: bool) -> RuleBookError | None:
        try:
            # Reading and validating files blocks: keep the event loop serving meanwhile.
            await asyncio.to_thread(self.rules.reload)
        except RuleBookError as error:
            log.error(  # noqa: TRY400 - the errors are the message; no traceback helps
                "rule book not reloaded, the running rules stay:\n%s", error
            )
            if tell_modlogs:
                await self._tell_rule_errors(error)
            return error
        self._warn_about_rules()
        self._modlog_warned.clear()  # a mod-log the reload did not fix is said to be wrong again
        self.actions.warn_again()  # so is a refusal
        if await self.sync_cogs():
            await self.scheduler.cogs_loaded()  # the jobs that waited for them
            await self.publish_commands()
        await self._rules_applied()
        log.info("rule book reloaded from %s", self.rules.current.directory)
        await self._tell_rules_reloaded()
        await self._tell_rule_warnings()
        return None

    async def _tell_rule_errors(self, error: RuleBookError) -> None:
        """Post in each mod-log the errors of its own community's files, not another's, unless
        it was told of these very errors already."""
        for community in self.members.communities:
            # Known by where and what, not by line: a line added above an error moves it.
            told = frozenset(
                (str(e.file), e.key_path, e.message) for e in error.concerning(community.key)
            )
            if community.key in self._rule_errors_told and (
                self._rule_errors_told[community.key][1] == told
            ):
                continue
            self._rule_errors_told[community.key] = (community, told)
            config = self.community_config(community)
            failed = reload_failed_text(
                config.texts[config.locale],
                error,
                community,
                locale=config.locale,
                folder=self.rules.directory,
            )
            await self.modlog(community, f"⚠️ {failed}")

    async def _tell_rules_reloaded(self) -> None:
        """Tell the mod-logs that read of the book's errors that it loaded again."""
        told, self._rule_errors_told = self._rule_errors_told, {}
        for community, _errors in told.values():
            await self.modlog(community, f"✅ {render(self.texts(community).rules_reloaded_log)}")

    async def _tell_rule_warnings(self) -> None:
        """Post in each mod-log the warnings of the book just loaded about its own community's
        files, all of them, where one is new: the book before it did not have it. The same
        warnings are not repeated at every save; a warning fixed, then back, is new again."""
        known, self._rule_warnings_known = self._rule_warnings_known, self._rule_warning_subjects()
        warnings = self.rules.current.warnings
        folder = self.rules.directory
        for community in self.members.communities:
            concerned = concerning(warnings, community.key, folder / OVERRIDES_DIRECTORY)
            if all(warning.subject in known for warning in concerned):
                continue
            # The new ones first: the text shows the first few, and what changed must be seen.
            concerned.sort(key=lambda warning: warning.subject in known)
            config = self.community_config(community)
            told = reloaded_warnings_text(
                config.texts[config.locale], concerned, locale=config.locale, folder=folder
            )
            await self.modlog(community, f"⚠️ {told}")

    def _rule_warning_subjects(self) -> RuleWarningSubjects:
        return frozenset(warning.subject for warning in self.rules.current.warnings)

    def may_reload_rules(self, member: MemberRef) -> bool:
        """Whether ``member`` may reload the rule book, which serves every community at once.

        A moderator of a community the book is written for (it has its own file in
        ``communities/``), a person the book lists by id (``moderators.users``), or a console
        moderator (the console is the terminal of whoever runs the bot) may; a moderator by the
        platform's say alone may not: any Telegram group's owner is one, and any Discord server
        can make a role called Moderators.
        """
        community = member.community
        if community.platform == "console":
            return self.is_moderator(member)
        if member.user.id in self.community_config(community).moderators.user_set:
            return True
        return community.key in self.rules.current.override_keys and self.is_moderator(member)

    def _warn_about_rules(self) -> None:
        for warning in self.rules.current.warnings:
            log.warning("rule book: %s", warning)

    async def _rules_applied(self) -> None:
        # After the scheduler has caught up: cogs may now see and adjust their stored jobs.
        for cog in list(self.cogs.values()):
            try:
                await cog.rules_applied()
            except Exception:
                log.exception("cog %s failed to apply the rule book", cog.name)

    # -- people ---------------------------------------------------------------------------------

    def is_moderator(self, member: MemberRef) -> bool:
        """Moderator: the platform says so, or the rule book lists them or one of their roles.

        A moderator of the whole community: what the platform grants in one channel only
        (Discord's Manage Messages there) makes no one a moderator, only gives a power there
        (see :meth:`holds`)."""
        if member.platform_moderator:
            return True
        config = self.rules.current.community(member.community)
        moderators = config.moderators
        if member.user.id in moderators.user_set:
            return True
        if member.roles and not moderators.role_set.isdisjoint(member.roles):
            return True
        return (
            member.community.platform == "console" and member.user.id in config.console.moderators
        )

    def holds(self, member: MemberRef, power: Power) -> bool:
        """Whether the platform lets ``member`` do what ``power`` allows, where they are now.

        The bot acts with its own rights: a moderator's command that bans needs a moderator the
        platform would let ban. Where the platform says nothing of powers (the console, a
        replay), every moderator holds them all.
        """
        if member.powers is None:
            return self.is_moderator(member)
        return power in member.powers

    async def resolve_member(
        self, community: CommunityRef, text: str, mentions: Sequence[UserRef] = ()
    ) -> MemberRef | None:
        """The member a person meant by ``text`` (a mention or a name)."""
        wanted = text.lstrip("@").casefold()
        for user in mentions:
            if wanted in (user.id.casefold(), user.name.casefold()):
                return MemberRef(community, user)
        platform = self.platforms.get(community.platform)
        found = None if platform is None else await platform.resolve_member(community, text)
        if found is None:
            known = await self.members.get(community, text.lstrip("@"))
            if known is not None:
                user = UserRef(community.platform, known.user_id, known.name, known.is_bot)
                found = MemberRef(community, user)
        return found

    async def resolve_channel(self, community: CommunityRef, text: str) -> ChannelRef | None:
        """The channel a person meant by ``text``."""
        platform = self.platforms.get(community.platform)
        return None if platform is None else await platform.resolve_channel(community, text)

    async def modlog(
        self,
        community: CommunityRef,
        text: str,
        *,
        logged: str | None = None,
        retry_passing: bool = False,
    ) -> None:
        """Post ``text`` in the community's mod-log channel; log it at INFO where there is none
        or it cannot be written to, and only at DEBUG once posted.

        ``logged`` is what the log says instead of ``text``: the same notice naming members by
        id only, where the log must not keep their names (an erasure's notice).
        ``retry_passing`` raises the refusals that say nothing of the post itself (a rate limit,
        the platform unreachable: :data:`~bot.platform.PASSING_REFUSALS`), for a caller that
        tries again later (a retried job); where the platform answered late, the line may then
        be posted twice, which a count owed to the moderators can bear better than its loss."""
        shown = text if logged is None else logged
        name = self.community_config(community).channels.mod_log
        if not name:
            log.info("mod-log %s: %s", community.key, shown)
            return
        channel = await self.resolve_channel(community, name)
        if channel is None:
            self._modlog_trouble(
                community,
                f"mod-log channel {name!r} not found in {community.key}: its moderation notices "
                "are not posted anywhere, only logged at INFO; create the channel, or set "
                "channels.mod_log (a name, an id, or null for none)",
            )
            log.info("mod-log %s: %s", community.key, shown)
            return
        platform = self.platforms[community.platform]
        try:
            await platform.send(channel, text)
        except PlatformError as error:
            if retry_passing and error.key in PASSING_REFUSALS:
                raise
            reason = refusal_text(error, self.texts(community))
            self._modlog_trouble(
                community,
                f"could not write to the mod-log of {community.key}: {reason}; its moderation "
                "notices are only logged at INFO",
            )
            log.info("mod-log %s: %s", community.key, shown)
            return
        # Posted: the mod-log keeps it. Logs are shipped and kept out of reach of
        # /forget_member, so the names and excerpts it holds stay out of them at INFO.
        log.debug("mod-log %s: %s", community.key, shown)
        self._modlog_warned.resolved(community.key)

    def _modlog_trouble(self, community: CommunityRef, trouble: str) -> None:
        """Log why a community's mod-log notices go unposted, once: a Telegram group with the
        shipped ``mod_log: mod-log`` would otherwise log it with every moderation notice."""
        if self._modlog_warned.due(community.key, trouble):
            log.warning(
                "%s (said again after a rule book reload, or after %s)",
                trouble,
                format_duration(AGAIN_AFTER),
            )

    # -- events and jobs ------------------------------------------------------------------------

    @property
    def communities_seen(self) -> list[CommunityRef]:
        """The communities an event came from since the bot started."""
        return list(self._seen.values())

    async def handle(self, event: Event) -> None:
        """The sink every platform feeds: record the member, run commands, publish to cogs."""
        # _held() and the handling written out in one coroutine: a context manager, a second
        # coroutine and Counter's Python-level methods each cost a fraction of a microsecond
        # on every event. The task's count is a plain dict's.
        task = current_task()
        in_hand = self._in_hand
        if task is not None:  # from a task: stopping waits for it
            in_hand[task] = in_hand.get(task, 0) + 1
        try:
            if isinstance(event, MessageDeleted) and not self._first_deletion(event.message):
                return  # told already: the bot's own deletion, which Discord reports too
            if self.erasing.members and isinstance(event, MemberJoined):
                # Back while erased: recorded once the erasure is done, which would delete it.
                await self.erasing.over(event.community, event.member.user.id)
            try:
                await self.members.observe(event)
            except SQLAlchemyError as error:
                # A locked or unreachable database must not silence the bot: the event flows.
                log.warning("could not record the member of %s: %s", type(event).__name__, error)
            try:
                community = event.community
                if community.key not in self._seen:
                    self._seen[community.key] = community
                    await self.bus.publish(CommunitySeen(at=event.at, seen=community))
                if isinstance(event, CommandInvoked):
                    refusal = await self._screened(event)
                    if refusal is None:
                        await run_command(self, event)
                    else:
                        await answer_command(self, event, refusal)
                await self.bus.publish(event)
            except Exception:
                # One bad event must never stop the bot.
                log.exception("failed to handle %s", type(event).__name__)
        finally:
            if task is not None:
                left = in_hand[task] - 1
                if left:
                    in_hand[task] = left
                else:
                    del in_hand[task]

    @contextlib.contextmanager
    def _held(self) -> Iterator[None]:
        """Count the current task as having work in hand while the block runs."""
        task = current_task()
        if task is None:
            yield
            return
        in_hand = self._in_hand
        in_hand[task] = in_hand.get(task, 0) + 1
        try:
            yield
        finally:
            left = in_hand[task] - 1
            if left:
                in_hand[task] = left
            else:
                del in_hand[task]

    async def _in_hand_finished(self) -> None:
        """Wait until the events and jobs other tasks are handling are done."""
        me = asyncio.current_task()
        while others := [task for task in self._in_hand if task is not me and not task.done()]:
            await asyncio.wait(others)

    def _first_deletion(self, message: MessageRef) -> bool:
        """Whether this is the first time the deletion of ``message`` is heard of (remembered)."""
        deletions = self._deletions
        if message in deletions:
            return False
        deletions[message] = None
        if len(deletions) > DELETIONS_REMEMBERED:
            deletions.popitem(last=False)
        return True

    async def _deleted_by_bot(self, messages: Sequence[MessageRef]) -> None:
        """The bot deleted ``messages``: the cogs hear of it as of any other deletion (a purge
        takes its points back), on every platform, Telegram included, which reports none."""
        at = self.clock.now()
        for message in messages:
            await self.handle(MessageDeleted(at=at, message=message))

    def screen_commands(self, screen: CommandScreen) -> None:
        """Have ``screen`` judge every command before it runs: the text of a refusal it returns
        answers the member instead (the netiquette: a command's text is something they wrote)."""
        self._command_screens.append(screen)

    async def _screened(self, event: CommandInvoked) -> str | None:
        for screen in self._command_screens:
            try:
                refusal = await screen(event)
            except Exception:
                log.exception("a command screen failed; /%s runs unscreened", event.name[:32])
                continue
            if refusal is not None:
                return refusal
        return None

    def hold_back_members(self, hold: MemberHold) -> None:
        """Have ``hold`` say which members are held back at the door (the welcome cog's charter
        gate): see :meth:`held_back`."""
        self._member_holds.append(hold)

    async def held_back(self, member: MemberRef) -> bool:
        """Whether a cog holds ``member`` back at the door (a newcomer who has not accepted the
        charter): what they do is not to count yet, a reaction say. A cog asks this rather than
        the cog that holds them (cogs never import each other); False when none does."""
        for hold in self._member_holds:
            try:
                if await hold(member):
                    return True
            except Exception:
                log.exception("a member hold failed; %s is taken as let in", member.user.id)
        return False

    async def handle_and_catch_up(self, event: Event) -> None:
        """:meth:`handle`, then wait for the work the event queued (see :meth:`caught_up`)."""
        await self.handle(event)
        await self.caught_up()

    async def caught_up(self, *, slow: bool = False) -> None:
        """Wait until every cog finished the work queued for the events handled so far (the
        slow checks too when ``slow``: see :meth:`Cog.caught_up`)."""
        for cog in list(self.cogs.values()):
            await cog.caught_up(slow=slow)

    def runs_cog(self, cog: str) -> bool:
        """Whether ``cog`` is loaded (asked by the scheduler: the jobs of one that is not wait)."""
        return cog in self.cogs

    def serves_platform(self, name: str) -> bool:
        """Whether the platform ``name`` runs (asked by the scheduler): the jobs of one absent,
        or failed for good while the others serve, wait for the next start with it rather than
        be spent on a dead connection."""
        return name in self.platforms and name not in self.connections.failed_names()

    async def run_job(self, cog: str, handler: str, kwargs: Mapping[str, Any]) -> None:
        """Run a scheduled job's handler (called by the scheduler). What a handler safe to run
        again raises reaches the scheduler, which tries the job again; another's is logged."""
        target = self.cogs.get(cog)
        method = None if target is None else target.job_handler(handler)
        if target is None or method is None:
            log.warning("job handler %s.%s is not loaded; job skipped", cog, handler)
            return
        with self._held():
            try:
                await method(**kwargs)
            except Exception:
                if target.job_retried(handler):
                    raise
                log.exception("job %s.%s failed", cog, handler)

    async def job_missed(
        self, cog: str, handler: str, job_id: str, kwargs: Mapping[str, Any], late_by: timedelta
    ) -> None:
        """Tell the cog that a job fell due too long ago to run (called by the scheduler). What
        the cog raises for a handler safe to run again (the database busy at start) reaches the
        scheduler, which tells it again later; for another, it is logged."""
        target = self.cogs.get(cog)
        if target is None:
            log.warning("job %s missed by %s and its cog %s is not loaded", job_id, late_by, cog)
            return
        with self._held():
            try:
                await target.on_job_missed(handler, job_id, dict(kwargs), late_by)
            except Exception:
                if target.job_retried(handler):
                    raise
                log.exception("cog %s failed to handle the missed job %s", cog, job_id)

    async def job_given_up(
        self, cog: str, handler: str, job_id: str, kwargs: Mapping[str, Any]
    ) -> None:
        """Tell the cog that its job failed every try and will not run again (called by the
        scheduler); raises what the cog raised."""
        target = self.cogs.get(cog)
        if target is None:
            log.warning("job %s given up and its cog %s is not loaded", job_id, cog)
            return
        with self._held():
            await target.on_job_given_up(handler, job_id, dict(kwargs))


class _Background:
    """Runs coroutines in tasks of their own (a signal handler's work), held until done."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._tasks: set[asyncio.Task[object]] = set()

    def run(self, coroutine: Coroutine[Any, Any, object]) -> None:
        """Run ``coroutine`` in a task of its own."""
        task = self._loop.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


class _SignalHandlers:
    """The loop's handlers of SIGTERM and SIGHUP, where the platform has them (not Windows)."""

    HEARD = (signal.SIGTERM, signal.SIGHUP)

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    def on(self, heard: signal.Signals, handler: Callable[[], object]) -> None:
        """Call ``handler`` when ``heard`` comes, instead of what was called until now."""
        with contextlib.suppress(NotImplementedError, RuntimeError):
            self._loop.add_signal_handler(heard, handler)

    def remove(self) -> None:
        """Give every signal heard its default action back."""
        for heard in self.HEARD:
            with contextlib.suppress(NotImplementedError, RuntimeError):
                self._loop.remove_signal_handler(heard)


@contextlib.contextmanager
def _signal_handlers(loop: asyncio.AbstractEventLoop) -> Iterator[_SignalHandlers]:
    """The signal handlers the block sets, removed when it ends, however it ends."""
    handlers = _SignalHandlers(loop)
    try:
        yield handlers
    finally:
        handlers.remove()
