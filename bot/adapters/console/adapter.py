"""The console platform: a local community in the terminal, driven by lines of input.

Each input line is a member's action (see :mod:`bot.adapters.console.grammar`); each bot action is
printed. It is the default way to try the bot, the driver of the replay tool, and the harness of
the benchmarks. Console member ids are their names.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import shutil
import sys
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TextIO, TypeVar

from bot.adapters.console.grammar import (
    Delete,
    Edit,
    Join,
    Leave,
    Line,
    Post,
    Press,
    React,
    SwitchChannel,
    Wait,
    parse_line,
)
from bot.adapters.console.output import BOT_NAME, ConsoleOutput
from bot.clock import Clock
from bot.commands.spec import TYPED_NAME, CommandSpec
from bot.errors import JardinierError
from bot.events import (
    ButtonPressed,
    ChannelRef,
    CommandInvoked,
    CommunityRef,
    MemberJoined,
    MemberLeft,
    MemberRef,
    MessageCreated,
    MessageDeleted,
    MessageEdited,
    MessageRef,
    ReactionAdded,
    ReactionRemoved,
    UserRef,
)
from bot.platform import Button, Capability, EventSink, PlatformError, TimeoutRange
from bot.terminal import json_line, printable

_COMMAND = re.compile(rf"/({TYPED_NAME})(?:@\S+)?(?:\s+(.*))?", re.DOTALL)
_MENTION = re.compile(r"@([\w.-]{1,32})")
PLATFORM = "console"
TIMEOUT_RANGE = TimeoutRange(timedelta(seconds=30), timedelta(days=28))
"""Discord's: the console plays its part."""
MAX_MESSAGES_REMEMBERED = 10_000
"""How many of the latest messages the console remembers (where, who wrote them, whether they
were deleted): a long session or a benchmark must not grow without end."""
MAX_MEMBERS_REMEMBERED = 10_000
"""How many members the console keeps by name, the least recently active forgotten first (the
bot's own member records still know them; one who acts again is met again)."""
MAX_CHANNELS_REMEMBERED = 1_000
"""How many channels the console keeps by name, the least recently used forgotten first (a
channel exists as soon as it is named: one named again is made again)."""
MAX_STANDING_REMEMBERED = 10_000
"""How many silenced, banned and departed members the console enforces, each, as the Telegram
adapter bounds its restrictions: the oldest forgotten first (a silence that has ended, before
any)."""


K = TypeVar("K")
V = TypeVar("V")

_Input = str | Exception | None
"""What the reader's thread hands the loop: a line, the failure that ended the input, or its
end (or a stop)."""


def _remember(entries: OrderedDict[K, V], key: K, value: V, limit: int) -> V:
    """Keep ``key`` → ``value`` as the most recent of ``entries``, which keep their ``limit``
    most recent; returns ``value``."""
    entries[key] = value
    entries.move_to_end(key)
    while len(entries) > limit:
        entries.popitem(last=False)
    return value


@dataclass
class _Posted:
    """A message of this run: where it is, who wrote it (None: the bot), the buttons under it,
    whether it is gone."""

    ref: MessageRef
    author: str | None
    buttons: tuple[Button, ...] = ()
    deleted: bool = False


def _listed(buttons: Sequence[Button]) -> str:
    """Buttons as the console prints them under their message: ``[welcome:accept] I accept``."""
    return ", ".join(f"[{button.id}] {button.label}" for button in buttons)


class ConsolePlatform:
    """A community in the terminal. ``advance`` moves the bot's clock (``!wait``)."""

    name = PLATFORM
    capabilities = frozenset(Capability)
    timeout_range = TIMEOUT_RANGE

    def __init__(
        self,
        *,
        input: TextIO,
        output: ConsoleOutput,
        clock: Clock,
        community_name: str = "Console",
        files_dir: Path = Path("data/console-files"),
        errors: TextIO | None = None,
        errors_as_json: bool = False,
    ) -> None:
        self.community = CommunityRef(PLATFORM, PLATFORM, community_name)
        self.input = input
        self.output = output
        self.errors = errors or sys.stderr
        self.errors_as_json = errors_as_json
        """Whether the error of a line that did nothing is written as one JSON object, for a
        program, rather than as text."""
        self.clock = clock
        self.files_dir = files_dir
        self.advance: Callable[[timedelta], Awaitable[object]] | None = None
        self.on_message_id: Callable[[int], Awaitable[None]] | None = None
        """Called with the next free number once a message is numbered, before it is used."""
        self.on_input_end: Callable[[], Awaitable[None]] | None = None
        """Called once no more lines are read (end of input, stop, interruption): what the
        session wrote behind is written before the bot stops."""
        self.on_standing: Callable[[dict[str, Any]], Awaitable[None]] | None = None
        """Called with :meth:`standing` whenever the platform silences, bans or lets in again."""
        self.count_members: Callable[[CommunityRef], Awaitable[int]] | None = None
        """Counts the community's members as its database holds them (every console member
        acts before the bot, so the bot has seen them all, in this run or an earlier one)."""
        self.next_message_id = 1
        # Least recently used first, bounded (MAX_CHANNELS_REMEMBERED, MAX_MEMBERS_REMEMBERED).
        self._channels: OrderedDict[str, ChannelRef] = OrderedDict()
        self._members: OrderedDict[str, MemberRef] = OrderedDict()
        self._messages: OrderedDict[int, _Posted] = OrderedDict()
        # What the platform itself enforces once the bot asked: a silenced member cannot post or
        # react (None: until lifted), a banned one cannot come back, one who left must rejoin.
        # Oldest first, bounded (MAX_STANDING_REMEMBERED); banned and gone are sets of names.
        self._silenced: OrderedDict[str, datetime | None] = OrderedDict()
        self._banned: OrderedDict[str, None] = OrderedDict()
        self._gone: OrderedDict[str, None] = OrderedDict()
        self.current = self.channel("general")
        self._stopping = False
        self._lines: asyncio.Queue[_Input] | None = None
        self._sink: EventSink | None = None
        # The departures a kick or a ban brings, being handled (see _departs).
        self._departing: set[asyncio.Task[None]] = set()

    # -- what the platform enforces, kept between runs ------------------------------------------

    def standing(self) -> dict[str, Any]:
        """Who is silenced (until when), banned or gone, as JSON can hold it, oldest first (the
        first forgotten past :data:`MAX_STANDING_REMEMBERED`, in this run or the next)."""
        return {
            "silenced": {
                name: until.isoformat() if until else None
                for name, until in self._silenced.items()
            },
            "banned": list(self._banned),
            "gone": list(self._gone),
        }

    def restore_standing(self, standing: Mapping[str, Any]) -> None:
        """Take back what :meth:`standing` saved earlier (malformed parts are skipped)."""
        silenced = standing.get("silenced")
        if isinstance(silenced, dict):
            for name, until in silenced.items():
                try:
                    self._silence(str(name), datetime.fromisoformat(until) if until else None)
                except (TypeError, ValueError):
                    continue
        for field, names in (("banned", self._banned), ("gone", self._gone)):
            listed = standing.get(field)
            if isinstance(listed, list):
                for name in listed:
                    _remember(names, str(name), None, MAX_STANDING_REMEMBERED)

    def _silence(self, name: str, until: datetime | None) -> None:
        """Member ``name`` may not post nor react until ``until`` (None: until lifted)."""
        self._silenced[name] = until
        self._silenced.move_to_end(name)
        if len(self._silenced) > MAX_STANDING_REMEMBERED:
            # A silence that has ended holds no one back: forgotten before any that still does.
            now = self.clock.now()
            ended = [key for key, end in self._silenced.items() if end is not None and end <= now]
            for key in ended:
                del self._silenced[key]
            while len(self._silenced) > MAX_STANDING_REMEMBERED:
                self._silenced.popitem(last=False)

    async def _standing_changed(self) -> None:
        if self.on_standing is not None:
            await self.on_standing(self.standing())

    # -- the community ------------------------------------------------------------------------

    def channel(self, name: str) -> ChannelRef:
        """The channel ``#name`` (channels exist as soon as they are named)."""
        name = name.lstrip("#").lower()
        found = self._channels.get(name)
        if found is None:
            made = ChannelRef(self.community, name, f"#{name}")
            return _remember(self._channels, name, made, MAX_CHANNELS_REMEMBERED)
        self._channels.move_to_end(name)
        return found

    def member(self, name: str) -> MemberRef:
        """The member called ``name`` (members exist as soon as they act)."""
        found = self._members.get(name)
        if found is None:
            made = MemberRef(self.community, UserRef(PLATFORM, name, name))
            return _remember(self._members, name, made, MAX_MEMBERS_REMEMBERED)
        self._members.move_to_end(name)
        return found

    def _target(self, message_id: int, nothing: str) -> MessageRef:
        """Message ``message_id``, which a line replies to, reacts to, presses a button under,
        edits or deletes.

        Raises :class:`JardinierError` (ending with ``nothing``: what was not done) for a number
        no message had yet and for a deleted message, as no platform delivers an action on a
        message that is not there. One the console no longer remembers (from an earlier run, or
        older than the last :data:`MAX_MESSAGES_REMEMBERED`) is taken to be in the current
        channel.
        """
        posted = self._messages.get(message_id)
        if posted is None:
            if not 0 < message_id < self.next_message_id:
                raise JardinierError(f"there is no message {message_id}; {nothing}")
            return MessageRef(self.current, str(message_id))
        if posted.deleted:
            raise JardinierError(f"message {message_id} was deleted; {nothing}")
        return posted.ref

    def _editable(self, name: str, message_id: int) -> MessageRef:
        """Message ``message_id``, if member ``name`` may edit it: their own, not deleted.

        Raises :class:`JardinierError` otherwise, as no platform lets a member edit another's
        message, the bot's, or one that is gone.
        """
        message = self._target(message_id, "nothing was edited")
        posted = self._messages.get(message_id)
        if posted is None:
            raise JardinierError(
                f"the console no longer knows who wrote message {message_id} (a message of an "
                f"earlier run, or older than the last {MAX_MESSAGES_REMEMBERED:,}); "
                "nothing was edited"
            )
        if posted.author != name:
            author = BOT_NAME if posted.author is None else posted.author
            raise JardinierError(
                f"{name} cannot edit message {message_id}: {author} wrote it, and a member "
                "edits only their own messages; nothing was edited"
            )
        return message

    def _button(self, button: str, message_id: int) -> tuple[MessageRef, str]:
        """Message ``message_id`` and the full id of its button that ``button`` names: the full
        id, or its last part (``accept`` for ``welcome:accept``, ``up`` or ``1:up`` for
        ``suggestion:1:up``) when that names one button of the message.

        Raises :class:`JardinierError` when the message has no such button, or several, as a
        platform delivers only the press of a button that is there.
        """
        nothing = "nothing was pressed"
        message = self._target(message_id, nothing)
        posted = self._messages.get(message_id)
        if posted is None:
            # Its buttons are forgotten with it: a full id (with its cog's prefix) goes through.
            if ":" in button:
                return message, button
            raise JardinierError(
                f"the console no longer knows the buttons of message {message_id} (a message "
                f"of an earlier run, or older than the last {MAX_MESSAGES_REMEMBERED:,}); write "
                f"the button's full id, as printed under the message (e.g. [welcome:accept]); "
                f"{nothing}"
            )
        ids = [shown.id for shown in posted.buttons]
        if button in ids:
            return message, button
        named = [shown for shown in posted.buttons if shown.id.endswith(f":{button}")]
        if len(named) == 1:
            return message, named[0].id
        if not posted.buttons:
            raise JardinierError(f"message {message_id} has no buttons; {nothing}")
        if named:
            raise JardinierError(
                f"[{button}] names several buttons of message {message_id}: {_listed(named)}; "
                f"write the full id; {nothing}"
            )
        raise JardinierError(
            f"message {message_id} has no button [{button}]; its buttons: "
            f"{_listed(posted.buttons)}; {nothing}"
        )

    def _deleted(self, message: MessageRef) -> None:
        posted = self._messages.get(int(message.id)) if message.id.isdigit() else None
        if posted is not None:
            posted.deleted = True

    async def _new_message_id(
        self, channel: ChannelRef, author: str | None, buttons: Sequence[Button] = ()
    ) -> MessageRef:
        message = MessageRef(channel, str(self.next_message_id))
        self._messages[self.next_message_id] = _Posted(message, author, tuple(buttons))
        if len(self._messages) > MAX_MESSAGES_REMEMBERED:
            self._messages.popitem(last=False)
        self.next_message_id += 1
        if self.on_message_id is not None:
            await self.on_message_id(self.next_message_id)
        return message

    # -- input ----------------------------------------------------------------------------------

    async def start(self, sink: EventSink) -> None:
        """Read lines until end of input (or :meth:`stop`), feeding each action to ``sink``."""
        self._lines = asyncio.Queue()
        self._sink = sink
        loop = asyncio.get_running_loop()
        threading.Thread(
            target=self._pump, args=(loop, self._lines), name="console-input", daemon=True
        ).start()
        try:
            await self._read(self._lines, sink)
        finally:
            if self.on_input_end is not None:
                await self.on_input_end()

    async def _read(self, lines: asyncio.Queue[_Input], sink: EventSink) -> None:
        number = 0
        while not self._stopping:
            line = await lines.get()
            if line is None:
                break
            if isinstance(line, Exception):
                raise JardinierError(
                    f"the input could not be read past line {number} ({line}); the console "
                    "stopped there"
                ) from line
            number += 1
            try:
                parsed = parse_line(line)
                if parsed is not None:
                    await self._play(parsed, sink)
            except JardinierError as error:
                self._line_failed(number, error)
            # Each line's work is finished before the next: the departures it caused too.
            while self._departing:
                await asyncio.wait(list(self._departing))

    def _line_failed(self, number: int, error: JardinierError) -> None:
        """Say on the error stream why input line ``number`` did nothing: as text, or (see
        :attr:`errors_as_json`) as ``{"error": message, "line": number}``."""
        if self.errors_as_json:
            said = json_line({"error": str(error), "line": number})
        else:
            said = printable(f"line {number}: {error}")
        self.errors.write(said + "\n")
        self.errors.flush()

    def _pump(self, loop: asyncio.AbstractEventLoop, lines: asyncio.Queue[_Input]) -> None:
        # A daemon thread, not asyncio.to_thread: a blocked read must not keep the process alive
        # after SIGTERM, and the default executor waits for its threads at exit.
        ended: Exception | None = None
        try:
            for line in iter(self.input.readline, ""):
                loop.call_soon_threadsafe(lines.put_nowait, line)
        except RuntimeError:
            return  # the loop closed while we were reading: nothing left to feed
        except Exception as error:
            # A read that fails (a byte a strict decoder refuses, an I/O error) ends the input
            # with its reason: the console must neither hang nor drop it in a thread traceback.
            ended = error
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
            loop.call_soon_threadsafe(lines.put_nowait, ended)

    async def ready(self) -> None:
        """Nothing to connect to: ready at once."""

    async def stop(self) -> None:
        """Stop after the current line."""
        self.stop_reading()

    def stop_reading(self) -> None:
        """Read no line after the current one: the input ends there."""
        self._stopping = True
        if self._lines is not None:
            self._lines.put_nowait(None)

    async def _play(self, line: Line, sink: EventSink) -> None:
        now = self.clock.now()
        match line:
            case Join(name):
                if name in self._banned:
                    self.output.refused(name, "banned")
                    return
                if name in self._gone:
                    del self._gone[name]
                    await self._standing_changed()
                await sink(MemberJoined(at=now, member=self.member(name)))
            case Leave(name):
                _remember(self._gone, name, None, MAX_STANDING_REMEMBERED)
                await self._standing_changed()
                await sink(MemberLeft(at=now, member=self.member(name)))
            case Post(reply_to=reply_to):
                replied = None
                if reply_to is not None:
                    replied = self._target(reply_to, "nothing was posted")
                if self._may_act(line.name, now):
                    await self._post(line, sink, now, replied, self._author_of(reply_to))
            case Edit(name, message_id, text):
                message = self._editable(name, message_id)
                self.output.message(message_id, message.channel.name, name, f"(edited) {text}")
                mentions = tuple(self.member(other).user for other in _MENTION.findall(text))
                await sink(
                    MessageEdited(
                        at=now,
                        message=message,
                        author=self.member(name),
                        text=text,
                        mentions=mentions,
                    )
                )
            case React(name, emoji, message_id, added):
                not_done = "no reaction was added" if added else "no reaction was taken back"
                message = self._target(message_id, not_done)
                if not self._may_act(name, now):
                    return
                kind = ReactionAdded if added else ReactionRemoved
                await sink(kind(at=now, message=message, member=self.member(name), emoji=emoji))
            case Press(name, button, message_id):
                message, button_id = self._button(button, message_id)
                if not self._present(name):
                    return
                await sink(
                    ButtonPressed(
                        at=now,
                        channel=message.channel,
                        member=self.member(name),
                        message=message,
                        button_id=button_id,
                    )
                )
            case Wait(duration):
                if self.advance is None:
                    raise JardinierError("this console has no clock to move")
                await self.advance(duration)
            case SwitchChannel(name):
                self.current = self.channel(name)
            case Delete(message_id):
                message = self._target(message_id, "nothing was deleted")
                self._deleted(message)
                await sink(MessageDeleted(at=now, message=message))

    def _present(self, name: str) -> bool:
        """Whether member ``name`` is in the community; if not, say why. Only those who are see
        the messages and press their buttons (a silenced member may press them: that is how a
        newcomer restricted at the charter gate accepts it, on Telegram too)."""
        if name in self._gone:
            self.output.refused(name, "banned" if name in self._banned else "not_member")
            return False
        return True

    def _may_act(self, name: str, now: datetime) -> bool:
        """Whether the platform lets member ``name`` post or react now; if not, say why."""
        if not self._present(name):
            return False
        if name in self._silenced:
            if self._silenced_now(name, now):
                self.output.refused(name, "silenced", until=self._silenced[name])
                return False
            del self._silenced[name]
        return True

    def _silenced_now(self, name: str, now: datetime) -> bool:
        """Whether member ``name`` is under a timeout or a restriction that has not ended."""
        if name not in self._silenced:
            return False
        until = self._silenced[name]
        return until is None or until > now

    def _author_of(self, message_id: int | None) -> UserRef | None:
        """Who wrote message ``message_id``, as a platform names the author of the message a
        reply answers (None: no message, or one the console no longer remembers)."""
        posted = self._messages.get(message_id) if message_id is not None else None
        if posted is None:
            return None
        if posted.author is None:
            return UserRef(PLATFORM, BOT_NAME, BOT_NAME, is_bot=True)
        return self.member(posted.author).user

    async def _post(
        self,
        post: Post,
        sink: EventSink,
        now: datetime,
        reply_to: MessageRef | None,
        reply_to_author: UserRef | None,
    ) -> None:
        channel = self.channel(post.channel) if post.channel else self.current
        author = self.member(post.name)
        message = await self._new_message_id(channel, post.name)
        self.output.message(
            int(message.id), channel.name, post.name, post.text, reply_to=post.reply_to
        )
        mentions = tuple(self.member(name).user for name in _MENTION.findall(post.text))
        if command := _COMMAND.fullmatch(post.text.strip()):
            await sink(
                CommandInvoked(
                    at=now,
                    channel=channel,
                    member=author,
                    name=command[1].lower(),
                    args=command[2] or "",
                    message=message,
                    mentions=mentions,
                )
            )
            return
        await sink(
            MessageCreated(
                at=now,
                message=message,
                author=author,
                text=post.text,
                reply_to=reply_to,
                reply_to_author=reply_to_author,
                mentions=mentions,
            )
        )

    # -- actions --------------------------------------------------------------------------------

    async def sync_commands(self, specs: Sequence[CommandSpec]) -> None:
        """Nothing to publish: the console knows every command."""

    async def send(
        self,
        channel: ChannelRef,
        text: str,
        *,
        reply_to: MessageRef | None = None,
        buttons: Sequence[Button] = (),
        file: Path | None = None,
        mention: Sequence[UserRef] = (),
        private_to: MemberRef | None = None,
    ) -> MessageRef:
        """Print the message with its number (and its buttons, which lines may press)."""
        message = await self._new_message_id(channel, None, buttons)
        kept = await asyncio.to_thread(self._keep, file) if file else None
        self.output.action(
            "send",
            channel=channel.name,
            message_id=int(message.id),
            text=text,
            reply_to=int(reply_to.id) if reply_to else None,
            private_to=private_to.name if private_to else None,
            buttons=[{"id": b.id, "label": b.label} for b in buttons] or None,
            file=str(kept) if kept else None,
        )
        return message

    def _keep(self, file: Path) -> Path:
        # Cogs may hand over a temporary file: keep a copy where the person can open it.
        self.files_dir.mkdir(parents=True, exist_ok=True)
        target = self.files_dir / file.name
        if file.resolve() != target.resolve():
            shutil.copyfile(file, target)
        return target

    async def dm(
        self,
        user: UserRef,
        text: str,
        *,
        community: CommunityRef | None = None,
        file: Path | None = None,
    ) -> None:
        """Print the direct message (and where its file was kept)."""
        kept = await asyncio.to_thread(self._keep, file) if file else None
        self.output.action(
            "dm", member=user.name or user.id, text=text, file=str(kept) if kept else None
        )

    def start_link(self, community: CommunityRef, command: str) -> str | None:
        """None: the console's members always take direct messages."""
        return None

    async def delete(self, message: MessageRef) -> None:
        """Print the deletion; the message can no longer be edited."""
        self._deleted(message)
        self.output.action("delete", channel=message.channel.name, message_id=int(message.id))

    async def delete_many(self, messages: Sequence[MessageRef]) -> None:
        """Print one deletion per message."""
        for message in messages:
            await self.delete(message)

    async def timeout(self, member: MemberRef, until: datetime, *, reason: str = "") -> None:
        """Print the timeout; the member cannot post or react until then (a length kept
        within :attr:`timeout_range`, as on Discord; a past time lifts the timeout).

        A member who is not in the community (left, kicked or banned) is refused as Discord
        refuses them: ``member_gone``.
        """
        self._check_present("timeout", member)
        now = self.clock.now()
        if until > now:
            until = now + self.timeout_range.clamp(until - now)
        self._silence(member.user.id, until)
        await self._standing_changed()
        self.output.action(
            "timeout", member=member.name, until=until.isoformat(), reason=reason or None
        )

    async def kick(self, member: MemberRef, *, reason: str = "") -> None:
        """Print the kick; the member is out until they join again (a departure).

        A member who is not in the community is refused as for :meth:`timeout`.
        """
        self._check_present("kick", member)
        _remember(self._gone, member.user.id, None, MAX_STANDING_REMEMBERED)
        await self._standing_changed()
        self.output.action("kick", member=member.name, reason=reason or None)
        self._departs(member)

    async def ban(self, member: MemberRef, *, reason: str = "", delete_days: int = 0) -> None:
        """Print the ban; the member is out and cannot join again until unbanned (a departure,
        if they were in). As on Discord and Telegram, one who is not in the community may be
        banned all the same, and banning a banned member again is no error."""
        present = member.user.id not in self._gone
        _remember(self._banned, member.user.id, None, MAX_STANDING_REMEMBERED)
        _remember(self._gone, member.user.id, None, MAX_STANDING_REMEMBERED)
        await self._standing_changed()
        self.output.action(
            "ban", member=member.name, reason=reason or None, delete_days=delete_days or None
        )
        if present:
            self._departs(member)

    def _check_present(self, action: str, member: MemberRef) -> None:
        # Discord answers Unknown Member for a timeout, a kick or a lifted timeout of someone
        # not in the server; the console gives the core the same refusal, so the moderator
        # reads the same words.
        if member.user.id in self._gone:
            raise self._refused(action, "member_gone", member.user)

    def _refused(self, action: str, key: str, user: UserRef) -> PlatformError:
        return PlatformError(
            action,
            key,
            community=self.community,
            platform=PLATFORM,
            where=self.community.name or self.community.id,
            target=user.name or user.id,
        )

    def _departs(self, member: MemberRef) -> None:
        """Tell the bot that ``member``, kicked or banned, left, as Discord and Telegram do.

        Handled as a platform's own event is, on its own and not inside the action that removed
        the member (a kick may come from a job or a queue that the handling waits for); the line
        that caused it waits for it before the next is read.
        """
        if self._sink is None:
            return
        event = MemberLeft(at=self.clock.now(), member=member)
        task = asyncio.get_running_loop().create_task(self._deliver(self._sink, event))
        self._departing.add(task)
        task.add_done_callback(self._departing.discard)

    @staticmethod
    async def _deliver(sink: EventSink, event: MemberLeft) -> None:
        await sink(event)

    async def unban(self, community: CommunityRef, user: UserRef, *, reason: str = "") -> None:
        """Print the unban; the member may join again.

        A member who is not banned is refused as Discord refuses them (Unknown Ban):
        ``not_banned``.
        """
        if user.id not in self._banned:
            raise self._refused("unban", "not_banned", user)
        del self._banned[user.id]
        await self._standing_changed()
        self.output.action("unban", member=user.name or user.id, reason=reason or None)

    async def restrict(self, member: MemberRef, *, until: datetime | None = None) -> None:
        """Print the restriction; the member cannot post or react until it ends or is lifted."""
        self._silence(member.user.id, until)
        await self._standing_changed()
        self.output.action(
            "restrict", member=member.name, until=until.isoformat() if until else None
        )

    async def unrestrict(self, member: MemberRef) -> None:
        """Print the lifted restriction (or timeout).

        A member who left silenced stays silenced, should they come back: that is lifted. One
        who is not in the community and has nothing to lift is refused as for :meth:`timeout`.
        """
        if not self._silenced_now(member.user.id, self.clock.now()):
            self._check_present("unrestrict", member)
        self._silenced.pop(member.user.id, None)
        await self._standing_changed()
        self.output.action("unrestrict", member=member.name)

    async def add_role(self, member: MemberRef, role: str) -> None:
        """Print the role given."""
        self.output.action("add_role", member=member.name, role=role)

    async def remove_role(self, member: MemberRef, role: str) -> None:
        """Print the role taken back."""
        self.output.action("remove_role", member=member.name, role=role)

    async def react(self, message: MessageRef, emoji: str) -> None:
        """Print the reaction."""
        self.output.action(
            "react", channel=message.channel.name, message_id=int(message.id), emoji=emoji
        )

    async def member_count(self, community: CommunityRef) -> int | None:
        """The console's members: those who joined or acted and have not left (in this run
        only, and the latest :data:`MAX_MEMBERS_REMEMBERED`, without a database to count them
        in)."""
        if self.count_members is not None:
            return await self.count_members(community)
        return len(self._members.keys() - self._gone)

    async def resolve_member(self, community: CommunityRef, text: str) -> MemberRef | None:
        """A member seen in this run, by name (``@`` optional)."""
        return self._members.get(text.lstrip("@"))

    async def resolve_channel(self, community: CommunityRef, text: str) -> ChannelRef | None:
        """Any ``#name``: console channels exist as soon as they are named."""
        name = text.lstrip("#")
        return self.channel(name) if re.fullmatch(r"[\w-]{1,32}", name) else None
