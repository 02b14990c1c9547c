"""The Discord platform: the ``Platform`` protocol over a discord.py client.

Every action names the permission it needs; what the cache already says is missing is refused
before any request, and whatever Discord refuses becomes a ``PlatformError`` whose reason a
community manager can act on. No action retries: the core reports a refusal once and moves on;
only the login waits out an outage.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import discord
from discord.utils import MISSING

from bot.adapters.discord.buttons import Place, buttons_view
from bot.adapters.discord.client import Sharding, build_client
from bot.adapters.discord.commands import application_commands, payload_digest
from bot.adapters.discord.convert import (
    PLATFORM,
    channel_ref,
    community_ref,
    member_ref,
)
from bot.adapters.discord.intake import EventIntake
from bot.adapters.discord.interactions import Pending, PendingInteractions
from bot.adapters.discord.lookup import find_channel, find_member
from bot.adapters.discord.outgoing import (
    allowed_mentions,
    audit_reason,
    place_line,
    send_in_pieces,
)
from bot.adapters.discord.purge import purge_channel
from bot.adapters.discord.refusals import PLATFORM_NAME, Attempt, refusals
from bot.commands.spec import CommandSpec
from bot.connections import Degraded
from bot.errors import JardinierError
from bot.events import ChannelRef, CommunityRef, MemberRef, MessageRef, UserRef
from bot.leftovers import Leftover, purge_refusal
from bot.platform import (
    Button,
    Capability,
    EventSink,
    MissingCapabilityError,
    PlatformError,
    TimeoutRange,
)
from bot.state import PublishedDigest, StateStore

log = logging.getLogger(__name__)

# Discord refuses timeouts beyond 28 days; the shortest is the rule book's, 30 seconds.
TIMEOUT_RANGE = TimeoutRange(timedelta(seconds=30), timedelta(days=28))
# A minute's margin under Discord's longest, for clock skew.
CLOCK_MARGIN = timedelta(minutes=1)
MAX_DELETE_DAYS = 7
# The waits between two tries to log in during an outage: doubled each time, up to a minute.
FIRST_RETRY_DELAY = 1.0
MAX_RETRY_DELAY = 60.0
COMMANDS_KEY = "discord:commands:{application}"
TOKEN_REFUSED = (
    "Discord refused DISCORD_TOKEN: copy the token again from the Bot page of your application "
    "in the Discord developer portal"
)
INTENTS_REFUSED = (
    "Discord refused the privileged intents: turn on 'Server Members Intent' and 'Message "
    "Content Intent' on the Bot page of your application"
)
# The gateway's close codes after which Discord takes the bot back only once someone fixes
# something (https://discord.com/developers/docs/topics/opcodes-and-status-codes).
AUTHENTICATION_FAILED = 4004
SHARDING_REQUIRED = 4011
INVALID_INTENTS = 4013
DISALLOWED_INTENTS = 4014
INTENTS_INVALID = (
    "Discord closed the gateway with code 4013: the bot asked for intents that do not exist. "
    "This is a bug in Jardinier, not a setting to change: please report it"
)
UNSENT = "unsent"
"""The id of what ``send`` returns for an answer meant for one member that went nowhere (they
accept no direct messages): no message to delete or react to."""

Postable = discord.TextChannel | discord.Thread | discord.VoiceChannel | discord.StageChannel


class DiscordPlatform:
    """Discord servers as Jardinier communities."""

    name = PLATFORM
    capabilities = frozenset(
        {
            Capability.SEND,
            Capability.DM,
            Capability.DELETE,
            Capability.TIMEOUT,
            Capability.KICK,
            Capability.BAN,
            Capability.UNBAN,
            Capability.ROLES,
            Capability.REACT,
            Capability.BUTTONS,
            Capability.FILES,
            Capability.MEMBER_COUNT,
            Capability.PRIVATE_ANSWERS,
        }
    )
    timeout_range = TIMEOUT_RANGE

    def __init__(
        self, token: str, *, state: StateStore | None = None, sharding: Sharding = None
    ) -> None:
        self._token = token
        self._state = state
        self._payload: list[dict[str, Any]] | None = None
        self._publishing = asyncio.Lock()
        self._stopping = asyncio.Event()
        self.pending = PendingInteractions()
        self._logged_in = asyncio.Event()
        self.intake = EventIntake(self.pending, on_login=self._at_login)
        self.client = build_client(self.intake, sharding)
        self.intake.client = self.client

    def __repr__(self) -> str:
        return f"<DiscordPlatform shards={self.client.shard_count}>"

    # -- life cycle -----------------------------------------------------------------------------

    def bind(self, sink: EventSink) -> None:
        """Feed every neutral event to ``sink`` (``start`` does it; tests bind without a login)."""
        self.intake.sink = sink

    async def start(self, sink: EventSink) -> None:
        """Log in, connect and serve until :meth:`stop`.

        A Discord outage or a network failure is waited out, trying again later and later (the
        other platforms serve meanwhile); a refused token or missing intents end it at once,
        saying what to fix.
        """
        self.bind(sink)
        if self._stopping.is_set():
            return
        try:
            if await self._retrying("log in to Discord", self._log_in):
                await self._retrying(
                    "connect to Discord's gateway", lambda: self.client.connect(reconnect=True)
                )
        except discord.LoginFailure:
            raise JardinierError(TOKEN_REFUSED) from None
        except discord.PrivilegedIntentsRequired:
            raise JardinierError(INTENTS_REFUSED) from None
        except discord.ConnectionClosed as closed:
            # Discord closed the gateway for good while the bot ran (discord.py reconnects on
            # its own after any other close).
            raise JardinierError(_closed_for_good(closed.code)) from None
        except discord.HTTPException as error:
            raise JardinierError(
                f"Discord refused to let the bot log in: {error.text or f'HTTP {error.status}'}"
            ) from None
        finally:
            if not self.client.is_closed():
                await self.client.close()

    async def _log_in(self) -> None:
        try:
            await self.client.login(self._token)
        except Exception:
            # Each login opens a new HTTP session: close this one (and its connector, which
            # the next login then makes anew) rather than leak it.
            await self.client.http.close()
            self.client.http.connector = MISSING
            raise

    async def _retrying(self, what: str, call: Callable[[], Awaitable[object]]) -> bool:
        """Run ``call`` until it succeeds (True), waiting longer after each outage or network
        failure, or until :meth:`stop` (False)."""
        delay = FIRST_RETRY_DELAY
        while not self._stopping.is_set():
            try:
                await call()
            except Exception as error:
                if self._stopping.is_set():
                    return False  # stop() closed the connection under this try
                if isinstance(error, discord.RateLimited):
                    wait = error.retry_after
                    log.warning(
                        "Discord is rate-limiting the bot: waiting %.0f s to %s", wait, what
                    )
                elif isinstance(error, discord.DiscordServerError | aiohttp.ClientError | OSError):
                    wait, delay = delay, min(delay * 2, MAX_RETRY_DELAY)
                    log.warning(
                        "could not %s (%s); trying again in %.0f s", what, _failure(error), wait
                    )
                else:
                    raise
            else:
                return True
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), wait)
        return False

    async def stop(self) -> None:
        """Disconnect; :meth:`start` returns."""
        self._stopping.set()
        await self.client.close()

    def reconnecting(self) -> bool:
        """Whether the gateway connection (every shard's, for a sharded bot), once made, is
        lost and discord.py is making it again (the heartbeat file says so; see
        :mod:`bot.connections`)."""
        if self._stopping.is_set():
            return False
        if isinstance(self.client, discord.AutoShardedClient):
            shards = self.client.shards.values()
            return bool(shards) and all(shard.is_closed() for shard in shards)
        gateway = self.client.ws
        return gateway is None or not gateway.open

    def degraded(self) -> Degraded | None:
        """Which shards of a sharded bot are lost and reconnecting while the others serve
        their servers; None when all or none are (:meth:`reconnecting` says so then)."""
        if self._stopping.is_set() or not isinstance(self.client, discord.AutoShardedClient):
            return None
        shards = self.client.shards
        lost = sorted(shard_id for shard_id, shard in shards.items() if shard.is_closed())
        if not lost or len(lost) == len(shards):
            return None
        count = self.client.shard_count or len(shards)
        # discord.py's log names shards by their ids, from 0: so does the heartbeat file.
        which = ("shard " if len(lost) == 1 else "shards ") + ", ".join(map(str, lost))
        return Degraded(
            f"{which} reconnecting; {len(shards) - len(lost)} of {count} shards connected"
        )

    # -- commands ------------------------------------------------------------------------------

    async def sync_commands(self, specs: Sequence[CommandSpec]) -> None:
        """Publish the slash commands, unless Discord already has exactly these."""
        self.intake.specs = {spec.name: spec for spec in specs}
        self._payload = application_commands(specs)
        if self.client.application_id is None:
            return  # not logged in yet: published once the application id is known
        await self._publish()

    async def ready(self) -> None:
        """Return once logged in and Discord has sent the servers (its READY): before that,
        the cache knows no server, and an unban or a message would be refused."""
        await self._logged_in.wait()
        await self.client.wait_until_ready()

    async def _at_login(self) -> None:
        self._logged_in.set()
        await self._publish_at_login()

    async def _publish_at_login(self) -> None:
        try:
            await self._publish()
        except PlatformError as error:
            log.warning("could not publish the slash commands: %s", error)

    async def _publish(self) -> None:
        async with self._publishing:
            application = self.client.application_id
            if self._payload is None or application is None:
                return
            digest = payload_digest(self._payload)
            published = PublishedDigest(
                self._state, COMMANDS_KEY.format(application=application), "slash commands"
            )
            if await published.unchanged(digest):
                log.info("slash commands unchanged; not synced")
                return
            with refusals(Attempt("sync_commands", where=PLATFORM_NAME)):
                await self.client.http.bulk_upsert_global_commands(application, self._payload)
            log.info("published %d slash commands", len(self._payload))
            await published.record(digest)

    # -- finding things ------------------------------------------------------------------------

    def _guild(self, community: CommunityRef, attempt: Attempt) -> discord.Guild:
        guild = self.client.get_guild(int(community.id)) if community.id.isdigit() else None
        if guild is None:
            raise attempt.refused("not_in_server", where=community.name or community.id)
        return guild

    async def _channel(self, ref: ChannelRef, attempt: Attempt, *, direct: bool = False) -> Any:
        """The channel ``ref`` names; ``direct``: a member's direct messages with the bot too
        (where an answer meant for them alone went)."""
        channel: Any = self.client.get_channel(int(ref.id)) if ref.id.isdigit() else None
        if channel is None and ref.id.isdigit():
            with refusals(attempt):
                channel = await self.client.fetch_channel(int(ref.id))
        if direct and isinstance(channel, discord.DMChannel):
            return channel
        if not isinstance(channel, Postable):
            raise attempt.refused("cannot_post_in", channel=ref.name or ref.id)
        return channel

    async def _member(
        self, guild: discord.Guild, member: MemberRef, attempt: Attempt
    ) -> discord.Member:
        found = guild.get_member(int(member.user.id)) if member.user.id.isdigit() else None
        if found is None:
            with refusals(attempt):
                found = await guild.fetch_member(int(member.user.id))
        return found

    @staticmethod
    def _where(ref: ChannelRef, channel: Any) -> str:
        return ref.name or f"#{getattr(channel, 'name', ref.id)}"

    # -- posting -------------------------------------------------------------------------------

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
        """Post ``text``: the answer to a slash command or button press, or a channel message."""
        now = discord.utils.utcnow()
        pending = self.pending.command(reply_to.id, now) if reply_to is not None else None
        if pending is None and private_to is not None:
            pending = self.pending.press(channel.id, private_to.user.id, now)
        if pending is not None:
            return await self._follow_up(
                pending, channel, text, buttons, file, mention, private=private_to is not None
            )
        if private_to is not None:
            # Nothing to answer through (a reaction, an expired slash command): the channel
            # would show everyone what is meant for one member.
            answered = await self._answer_privately(channel, text, private_to, buttons, file)
            if answered is not None:
                return answered
            if not buttons:
                # As a reaction shows itself counted, the member still sees what they did.
                log.info(
                    "%s does not accept direct messages: an answer meant for them alone in %s "
                    "is not sent",
                    private_to.user.id,
                    channel.name or channel.id,
                )
                return MessageRef(channel, UNSENT)
            # Something they must act on (the charter gate's "I accept"): unseen, they would
            # never learn why their messages vanish. In the channel, as before, naming them.
            log.info(
                "%s does not accept direct messages: an answer meant for them alone in %s, "
                "with buttons, is posted there",
                private_to.user.id,
                channel.name or channel.id,
            )
            if private_to.user not in mention:
                mention = [*mention, private_to.user]
        if reply_to is not None and (not reply_to.id.isdigit() or reply_to.channel != channel):
            # An expired slash command, or a message elsewhere (Discord replies within a
            # channel only): a plain message in the channel.
            reply_to = None
        attempt = Attempt("send", where=channel.name or channel.id, community=channel.community)
        target = await self._channel(channel, attempt)
        attempt = Attempt(
            "send",
            where=self._where(channel, target),
            community=channel.community,
            permission="send_messages",
        )
        self._check_can_post(target, attempt, file=file is not None, reply=reply_to is not None)
        attachment = await self._attachment(file, target.guild, attempt) if file else None
        reference = (
            discord.MessageReference(
                message_id=int(reply_to.id),
                channel_id=int(reply_to.channel.id),
                fail_if_not_exists=False,
            )
            if reply_to is not None
            else None
        )

        def piece_of(piece: str, first: bool, final: bool) -> Awaitable[discord.Message]:
            return target.send(
                piece or None,
                allowed_mentions=allowed_mentions(mention),
                reference=reference if first else None,
                view=buttons_view(buttons) if final else None,
                file=attachment if final else None,
            )

        with refusals(attempt):
            last = await send_in_pieces(text, piece_of, mention)
        return MessageRef(channel, str(last.id))

    def _check_can_post(self, target: Any, attempt: Attempt, *, file: bool, reply: bool) -> None:
        me = target.guild.me
        if me is None:
            return
        granted = target.permissions_for(me)
        needed = [
            "view_channel",
            "send_messages_in_threads" if isinstance(target, discord.Thread) else "send_messages",
        ]
        if file:
            needed.append("attach_files")
        if reply:
            needed.append("read_message_history")
        for flag in needed:
            if not getattr(granted, flag):
                raise Attempt(
                    attempt.action, attempt.where, attempt.community, permission=flag
                ).lacking()

    @staticmethod
    async def _attachment(
        file: Path, guild: discord.Guild | None, attempt: Attempt
    ) -> discord.File:
        limit = guild.filesize_limit if guild is not None else 10 * 1024 * 1024
        try:
            data = await asyncio.to_thread(_read_at_most, file, limit)
        except OSError:
            raise attempt.refused("file_unreadable", file=file.name) from None
        if data is None:
            raise attempt.refused(
                "file_too_large", file=file.name, megabytes=limit // (1024 * 1024)
            )
        return discord.File(io.BytesIO(data), filename=file.name)

    async def _follow_up(
        self,
        pending: Pending,
        channel: ChannelRef,
        text: str,
        buttons: Sequence[Button],
        file: Path | None,
        mention: Sequence[UserRef],
        *,
        private: bool,
    ) -> MessageRef:
        interaction = pending.interaction
        # A press in direct messages: buttons there must carry the channel they belong to.
        place = self._place(channel) if interaction.guild_id is None else None
        attempt = Attempt("answer", where=channel.name or channel.id, community=channel.community)
        attachment = await self._attachment(file, interaction.guild, attempt) if file else None

        def piece_of(piece: str, first: bool, final: bool) -> Awaitable[discord.WebhookMessage]:
            return interaction.followup.send(
                piece or MISSING,
                ephemeral=private,
                allowed_mentions=allowed_mentions(mention),
                view=(buttons_view(buttons, place) or MISSING) if final else MISSING,
                file=attachment if final and attachment else MISSING,
                wait=True,
            )

        with refusals(attempt):
            if not pending.resolved and pending.ephemeral != private:
                # The first follow-up would keep the placeholder's visibility: remove it.
                await interaction.delete_original_response()
            pending.resolved = True
            sent = await send_in_pieces(text, piece_of, mention)
        return MessageRef(channel, str(sent.id))

    async def _answer_privately(
        self,
        channel: ChannelRef,
        text: str,
        member: MemberRef,
        buttons: Sequence[Button],
        file: Path | None,
    ) -> MessageRef | None:
        """Answer ``member`` alone by direct message; None when they accept none.

        Its first line names the server and channel it is about. Its buttons carry that place:
        one pressed there is heard as pressed in the channel. No one is pinged: the member reads
        it in their own messages.
        """
        place = self._place(channel)
        if buttons and place is None:
            log.debug("an answer sent by direct message goes without its %d buttons", len(buttons))
        attempt = Attempt(
            "send",
            where=channel.name or channel.id,
            community=channel.community,
            target=member.name or member.user.id,
        )
        if not member.user.id.isdigit():
            raise attempt.refused("not_a_user", target=member.name or member.user.id)
        attachment = await self._attachment(file, None, attempt) if file else None
        try:
            with refusals(attempt):
                recipient = self.client.get_user(
                    int(member.user.id)
                ) or await self.client.fetch_user(int(member.user.id))

                def piece_of(piece: str, first: bool, final: bool) -> Awaitable[discord.Message]:
                    view = buttons_view(buttons, place) if final and place else None
                    return recipient.send(
                        piece,
                        allowed_mentions=allowed_mentions(),
                        view=view or MISSING,
                        file=attachment if final and attachment else MISSING,
                    )

                sent = await send_in_pieces(text, piece_of, first_line=self._place_line(channel))
        except PlatformError as refused:
            if refused.key != "no_direct_messages":
                raise
            return None
        return MessageRef(ChannelRef(channel.community, str(sent.channel.id)), str(sent.id))

    @staticmethod
    def _place(channel: ChannelRef) -> Place | None:
        """The server channel that buttons sent by direct message for ``channel`` belong to."""
        if channel.community.id.isdigit() and channel.id.isdigit():
            return Place(int(channel.community.id), int(channel.id))
        return None

    def _place_line(self, channel: ChannelRef) -> str:
        """``**server** · #channel``, by their names now (those of the references otherwise)."""
        guild = (
            self.client.get_guild(int(channel.community.id))
            if channel.community.id.isdigit()
            else None
        )
        found = (
            guild.get_channel_or_thread(int(channel.id))
            if guild is not None and channel.id.isdigit()
            else None
        )
        server = guild.name if guild is not None else channel.community.name
        name = f"#{found.name}" if found is not None else channel.name
        return place_line(server, name)

    async def dm(
        self,
        user: UserRef,
        text: str,
        *,
        community: CommunityRef | None = None,
        file: Path | None = None,
    ) -> None:
        """Send a direct message; a member who closed them is a platform error, not a crash."""
        attempt = Attempt(
            "dm",
            where=(community.name or community.id) if community else "Discord",
            community=community,
            target=user.name or user.id,
        )
        if not user.id.isdigit():
            raise attempt.refused("not_a_user", target=user.name or user.id)
        attachment = await self._attachment(file, None, attempt) if file else None
        with refusals(attempt):
            recipient = self.client.get_user(int(user.id)) or await self.client.fetch_user(
                int(user.id)
            )

            def piece_of(piece: str, first: bool, final: bool) -> Awaitable[discord.Message]:
                return recipient.send(
                    piece,
                    allowed_mentions=allowed_mentions(),
                    file=attachment if final and attachment else MISSING,
                )

            await send_in_pieces(text, piece_of)

    # -- moderation ----------------------------------------------------------------------------

    def start_link(self, community: CommunityRef, command: str) -> str | None:
        """None: a member opens direct messages in their own privacy settings; no link does it."""
        return None

    async def delete(self, message: MessageRef) -> None:
        """Delete one message."""
        if not message.id.isdigit():
            log.debug("no message to delete: %s stands for none", message.id)
            return
        attempt = Attempt("delete", where=message.channel.name, community=message.community)
        target = await self._channel(message.channel, attempt, direct=True)
        attempt = Attempt(
            "delete",
            where=self._where(message.channel, target),
            community=message.community,
            permission="manage_messages",
        )
        with refusals(attempt):
            await target.get_partial_message(int(message.id)).delete()

    async def delete_many(self, messages: Sequence[MessageRef]) -> None:
        """Delete messages for a purge: in bulk where Discord allows it, one by one otherwise.

        Every channel and every message is tried; one already gone counts as deleted. What
        could not be deleted is refused once, at the end, naming where it stayed.
        """
        by_channel: dict[ChannelRef, dict[int, None]] = defaultdict(dict)
        for message in messages:
            if message.id.isdigit():
                by_channel[message.channel][int(message.id)] = None
        now = discord.utils.utcnow()
        left: list[Leftover] = []
        for ref, ids in by_channel.items():
            attempt = Attempt("purge", where=ref.name or ref.id, community=ref.community)
            try:
                target = await self._channel(ref, attempt)
            except PlatformError as refused:
                if refused.key != "channel_gone":
                    left.append(Leftover(refused, len(ids)))
                continue
            attempt = Attempt(
                "purge",
                where=self._where(ref, target),
                community=ref.community,
                permission="manage_messages",
            )
            left.extend(await purge_channel(target, list(ids), attempt, now))
        if left:
            raise purge_refusal(left)

    def _moderation(
        self, member: MemberRef, action: str, permission: str
    ) -> tuple[discord.Guild, Attempt]:
        attempt = Attempt(action, where=member.community.name, community=member.community)
        guild = self._guild(member.community, attempt)
        attempt = Attempt(
            action,
            where=guild.name,
            community=member.community,
            permission=permission,
            target=member.name,
        )
        me = guild.me
        if me is not None and not getattr(me.guild_permissions, permission):
            raise attempt.lacking()
        return guild, attempt

    @staticmethod
    def _check_outranks(guild: discord.Guild, target: discord.Member, attempt: Attempt) -> None:
        if target.id == guild.owner_id:
            raise attempt.refused("owner", target=target.display_name)
        me = guild.me
        if me is not None and target.top_role >= me.top_role:
            raise attempt.refused("outranks_me", target=target.display_name)

    async def timeout(self, member: MemberRef, until: datetime, *, reason: str = "") -> None:
        """Silence ``member`` until ``until``, from 30 seconds to 28 days from now
        (:attr:`timeout_range`); a past time lifts the timeout."""
        guild, attempt = self._moderation(member, "timeout", "moderate_members")
        target = await self._member(guild, member, attempt)
        self._check_outranks(guild, target, attempt)
        if target.guild_permissions.administrator:
            raise attempt.refused("administrator", target=target.display_name)
        now = discord.utils.utcnow()
        lifted = until <= now
        length = self.timeout_range.clamp(until - now)
        if not lifted and abs(length - (until - now)) >= CLOCK_MARGIN:
            log.info("timeouts last 30 seconds to 28 days; %s's is brought within", member.user.id)
        length = min(length, self.timeout_range.most - CLOCK_MARGIN)
        with refusals(attempt):
            await target.timeout(None if lifted else now + length, reason=audit_reason(reason))

    async def kick(self, member: MemberRef, *, reason: str = "") -> None:
        """Remove ``member`` from the server."""
        guild, attempt = self._moderation(member, "kick", "kick_members")
        target = await self._member(guild, member, attempt)
        self._check_outranks(guild, target, attempt)
        with refusals(attempt):
            await guild.kick(target, reason=audit_reason(reason))

    async def ban(self, member: MemberRef, *, reason: str = "", delete_days: int = 0) -> None:
        """Ban ``member``, deleting their messages of the last ``delete_days`` days (at most 7)."""
        guild, attempt = self._moderation(member, "ban", "ban_members")
        target: discord.abc.Snowflake | None = (
            guild.get_member(int(member.user.id)) if member.user.id.isdigit() else None
        )
        if isinstance(target, discord.Member):
            self._check_outranks(guild, target, attempt)
        elif member.user.id.isdigit():
            target = discord.Object(int(member.user.id))  # not in the server: ban them anyway
        else:
            raise attempt.refused("not_a_user", target=member.name)
        days = min(max(delete_days, 0), MAX_DELETE_DAYS)
        with refusals(attempt):
            await guild.ban(
                target, reason=audit_reason(reason), delete_message_seconds=days * 86400
            )

    async def unban(self, community: CommunityRef, user: UserRef, *, reason: str = "") -> None:
        """Lift the ban on ``user``."""
        guild, attempt = self._moderation(MemberRef(community, user), "unban", "ban_members")
        if not user.id.isdigit():
            raise attempt.refused("not_a_user", target=user.name or user.id)
        with refusals(attempt):
            await guild.unban(discord.Object(int(user.id)), reason=audit_reason(reason))

    async def restrict(self, member: MemberRef, *, until: datetime | None = None) -> None:
        """Discord has no read-only restriction (the core skips it; a timeout is the tool)."""
        raise MissingCapabilityError("restrict", "no_read_only", platform=PLATFORM_NAME)

    async def unrestrict(self, member: MemberRef) -> None:
        """See :meth:`restrict`."""
        raise MissingCapabilityError("unrestrict", "no_read_only", platform=PLATFORM_NAME)

    # -- roles and reactions -------------------------------------------------------------------

    async def _role_change(self, member: MemberRef, role_name: str, action: str) -> None:
        guild, on_member = self._moderation(member, action, "manage_roles")
        role = discord.utils.find(lambda r: r.name.casefold() == role_name.casefold(), guild.roles)
        if role is None or role.is_default():
            raise on_member.refused("no_role", role=role_name)
        attempt = Attempt(
            action,
            on_member.where,
            on_member.community,
            permission=on_member.permission,
            target=role.name,
        )
        me = guild.me
        if role.managed or (me is not None and role >= me.top_role):
            raise attempt.refused("role_above_me", role=role.name)
        # Looked up as the member: one who left is said gone by name, not the role.
        target = await self._member(guild, member, on_member)
        with refusals(attempt):
            if action == "add_role":
                await target.add_roles(role)
            else:
                await target.remove_roles(role)

    async def add_role(self, member: MemberRef, role: str) -> None:
        """Give ``member`` the role named ``role``."""
        await self._role_change(member, role, "add_role")

    async def remove_role(self, member: MemberRef, role: str) -> None:
        """Take the role named ``role`` from ``member``."""
        await self._role_change(member, role, "remove_role")

    async def react(self, message: MessageRef, emoji: str) -> None:
        """React to ``message`` with ``emoji`` (a character or ``<:name:id>``)."""
        if not message.id.isdigit():
            log.debug("no message to react to: %s stands for none", message.id)
            return
        attempt = Attempt("react", where=message.channel.name, community=message.community)
        target = await self._channel(message.channel, attempt, direct=True)
        attempt = Attempt(
            "react",
            where=self._where(message.channel, target),
            community=message.community,
            permission="add_reactions",
        )
        # Direct messages have no server permissions to check.
        me = None if isinstance(target, discord.DMChannel) else target.guild.me
        if me is not None and not target.permissions_for(me).add_reactions:
            raise attempt.lacking()
        with refusals(attempt):
            await target.get_partial_message(int(message.id)).add_reaction(emoji)

    # -- what people type ----------------------------------------------------------------------

    async def member_count(self, community: CommunityRef) -> int | None:
        """The server's member count as the gateway keeps it (no request); None for a server
        the bot does not know, or before Discord told its count."""
        guild = self.client.get_guild(int(community.id)) if community.id.isdigit() else None
        return None if guild is None else guild.member_count

    async def resolve_member(self, community: CommunityRef, text: str) -> MemberRef | None:
        """The member ``text`` names: a mention, an id, a username or a display name."""
        guild = self.client.get_guild(int(community.id)) if community.id.isdigit() else None
        if guild is None:
            return None
        found = await find_member(guild, text)
        return member_ref(community_ref(guild), found) if found is not None else None

    async def resolve_channel(self, community: CommunityRef, text: str) -> ChannelRef | None:
        """The channel ``text`` names: a mention, an id, ``#name`` or ``name``."""
        guild = self.client.get_guild(int(community.id)) if community.id.isdigit() else None
        if guild is None:
            return None
        found = find_channel(guild, text)
        return channel_ref(community_ref(guild), found) if found is not None else None


def _closed_for_good(code: int) -> str:
    """Why Discord closed the gateway with ``code`` and would not take the bot back."""
    if code == AUTHENTICATION_FAILED:
        return TOKEN_REFUSED
    if code == SHARDING_REQUIRED:
        return (
            "Discord requires the bot to connect in shards now that it serves this many "
            "servers: set DISCORD_SHARDS=auto"
        )
    if code == INVALID_INTENTS:
        return INTENTS_INVALID
    if code == DISALLOWED_INTENTS:
        # discord.py raises PrivilegedIntentsRequired for it; should it ever come as a close.
        return INTENTS_REFUSED
    return f"Discord closed the gateway connection with code {code} and will not take it back"


def _failure(error: Exception) -> str:
    """What went wrong, for the log: Discord's status, or the network error."""
    if isinstance(error, discord.HTTPException):
        return f"Discord server error, HTTP {error.status}"
    return str(error) or type(error).__name__


def _read_at_most(file: Path, limit: int) -> bytes | None:
    """The file's content, or None when it is larger than ``limit`` bytes (found without
    reading it whole: a report of gigabytes is refused, not loaded into memory)."""
    with file.open("rb") as stream:
        content = stream.read(limit + 1)
    return None if len(content) > limit else content
