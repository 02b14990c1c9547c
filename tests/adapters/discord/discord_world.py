"""A Discord server for tests: the real discord.py client on dpytest's backend, no network.

The server is ``fixtures/guild_create.json``, a GUILD_CREATE payload shaped like the examples of
Discord's API documentation (the Garden: #general, #mod-log, #introductions, a #rules channel
where the bot may not post; olive owns it, alice is a gardener, rosa has the Moderators role,
hugo the Helpers role with Manage Messages). The bot joins with its Jardinier role.

``feed`` plays a gateway event through discord.py's own parsers, as the websocket would.
What the bot asks of Discord is recorded: messages by dpytest (and their payloads here, to see
``allowed_mentions``), the REST calls dpytest does not know by :class:`Rest`, and the interaction
endpoints by :class:`InteractionApi`.
"""

from __future__ import annotations

import asyncio
import copy
import json
import sys
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import discord
import discord.ext.test as dpytest
import discord.interactions
import discord.webhook.async_
import pytest
from discord.ext.test import backend

from bot.adapters.discord.adapter import DiscordPlatform
from bot.adapters.discord.client import intents

FIXTURES = Path(__file__).parent / "fixtures"
GUILD = 197038439483310086
APPLICATION = 775799577604522054
BOT_ROLE = 300000000000000004
CHANNELS = {
    "general": 410000000000000001,
    "mod-log": 410000000000000002,
    "introductions": 410000000000000003,
    "rules": 410000000000000004,
}
MEMBERS = {
    "olive": 500000000000000001,
    "alice": 500000000000000002,
    "rosa": 500000000000000003,
    "hugo": 500000000000000004,
}


def payload(name: str) -> dict[str, Any]:
    """A fresh copy of the recorded gateway payload ``fixtures/<name>.json``."""
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    return data


def guild_member(name: str, permissions: int) -> dict[str, Any]:
    """The member object of ``name`` as an interaction carries it (with channel permissions)."""
    for member in payload("guild_create")["members"]:
        if member["user"]["username"] == name:
            return {**member, "permissions": str(permissions)}
    raise KeyError(name)


class Response(NamedTuple):
    """What discord.py's HTTP errors read from a response."""

    status: int
    reason: str


def http_error(kind: type[discord.HTTPException], status: int, code: int, message: str) -> Any:
    """An error exactly as discord.py raises it for Discord's JSON error body."""
    return kind(Response(status, message), {"code": code, "message": message})


@dataclass
class Call:
    """One request the bot made."""

    name: str
    payload: Any = None
    files: list[str] = field(default_factory=list)


class InteractionApi(discord.webhook.async_.AsyncWebhookAdapter):
    """Discord's interaction endpoints (callback, follow-ups, original response), answered here."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[Call] = []
        self.refuse: dict[str, Exception] = {}
        self._next_message = 1_600_000_000_000_000_000

    def named(self, name: str) -> list[Call]:
        """The calls of one kind: ``callback``, ``followup``, ``delete_original``."""
        return [call for call in self.calls if call.name == name]

    async def request(  # type: ignore[override]
        self,
        route: Any,
        session: Any = None,
        *,
        payload: dict[str, Any] | None = None,
        multipart: list[dict[str, Any]] | None = None,
        files: list[discord.File] | None = None,
        **_: Any,
    ) -> Any:
        body = payload
        if multipart:
            body = json.loads(multipart[0]["value"])
        name = {
            ("POST", "/interactions/{webhook_id}/{webhook_token}/callback"): "callback",
            ("POST", "/webhooks/{webhook_id}/{webhook_token}"): "followup",
            ("DELETE", "/webhooks/{webhook_id}/{webhook_token}/messages/@original"): (
                "delete_original"
            ),
        }.get((route.method, route.path), f"{route.method} {route.path}")
        self.calls.append(Call(name, body, [file.filename or "" for file in files or []]))
        if name in self.refuse:
            raise self.refuse.pop(name)
        if name == "callback":
            assert body is not None
            flags = (body.get("data") or {}).get("flags", 0)
            return {
                "interaction": {
                    "id": str(route.webhook_id),
                    "type": 2,
                    "response_message_loading": body["type"] == 5,
                    "response_message_ephemeral": bool(flags & 64),
                }
            }
        if name == "followup":
            assert body is not None
            self._next_message += 1
            return {
                "id": str(self._next_message),
                "channel_id": str(CHANNELS["general"]),
                "author": {"id": str(APPLICATION), "username": "Jardinier", "bot": True},
                "content": body.get("content", ""),
                "timestamp": "2026-11-02T09:30:01.000000+00:00",
                "edited_timestamp": None,
                "tts": False,
                "mention_everyone": False,
                "mentions": [],
                "mention_roles": [],
                "attachments": [],
                "embeds": [],
                "pinned": False,
                "type": 0,
                "flags": body.get("flags", 0),
                "components": body.get("components", []),
            }
        return None


def member_payload(member: discord.Member, changes: dict[str, Any]) -> dict[str, Any]:
    """A guild member object as Discord returns it after an edit."""
    return {
        "user": {
            "id": str(member.id),
            "username": member.name,
            "discriminator": "0",
            "global_name": member.global_name,
            "avatar": None,
        },
        "nick": member.nick,
        "roles": [str(role.id) for role in member.roles if not role.is_default()],
        "joined_at": member.joined_at.isoformat() if member.joined_at else None,
        "deaf": False,
        "mute": False,
        "flags": 0,
        "communication_disabled_until": changes.get("communication_disabled_until"),
    }


class Rest:
    """The REST calls dpytest does not implement, recorded; any call can be made to fail."""

    def __init__(self, http: Any) -> None:
        self.calls: list[Call] = []
        self.refuse: dict[str, Exception] = {}
        self.sent: list[dict[str, Any]] = []
        self._http = http
        self._wrap_send_message(http)
        # dpytest's own reaction event lacks a field discord.py 2.7 requires: record instead.
        for name in (
            "delete_messages",
            "unban",
            "bulk_upsert_global_commands",
            "edit_member",
            "add_reaction",
        ):
            self._record(http, name)
        self._refusable(http, "delete_message")
        self._refusable(http, "kick")

    def named(self, name: str) -> list[Call]:
        """The recorded calls of one REST method."""
        return [call for call in self.calls if call.name == name]

    def _wrap_send_message(self, http: Any) -> None:
        original = http.send_message
        sent = self.sent
        refuse = self.refuse

        async def send_message(channel_id: int, *, params: Any) -> Any:
            # dpytest reads the channel from its caller's frame: hand it on from ours.
            channel = sys._getframe(1).f_locals.get("channel")  # noqa: F841
            sent.append(
                params.payload
                if params.payload is not None
                else json.loads(params.multipart[0]["value"])
            )
            if "send_message" in refuse:
                raise refuse.pop("send_message")
            return await original(channel_id, params=params)

        http.send_message = send_message

    def _record(self, http: Any, name: str) -> None:
        calls, refuse = self.calls, self.refuse

        async def recorded(*args: Any, **kwargs: Any) -> Any:
            calls.append(Call(name, {"args": args, **kwargs}))
            if name in refuse:
                raise refuse.pop(name)
            if name == "edit_member":
                return member_payload(sys._getframe(1).f_locals["self"], kwargs)
            return [] if name == "bulk_upsert_global_commands" else None

        setattr(http, name, recorded)

    def _refusable(self, http: Any, name: str) -> None:
        original = getattr(http, name)
        refuse = self.refuse

        async def refusable(*args: Any, **kwargs: Any) -> Any:
            if name in refuse:
                raise refuse.pop(name)
            # dpytest reads the objects it needs (self, user, member) from its caller's frame.
            caller = sys._getframe(1).f_locals
            self = caller.get("self")  # noqa: F841
            user = caller.get("user")  # noqa: F841
            member = caller.get("member")
            if member is None:
                del member  # dpytest then falls back to the bot itself
            return await original(*args, **kwargs)

        setattr(http, name, refusable)


class DiscordWorld:
    """The Garden on dpytest, served by a :class:`DiscordPlatform`."""

    def __init__(self, platform: DiscordPlatform, monkeypatch: pytest.MonkeyPatch) -> None:
        self.platform = platform
        self.client = platform.client
        self.interactions = InteractionApi()
        context = ContextVar("test_interaction_api", default=self.interactions)
        monkeypatch.setattr(discord.webhook.async_, "async_context", context)
        monkeypatch.setattr(discord.interactions, "async_context", context)
        self.rest: Rest | None = None
        self._interactions = 0

    async def open(self) -> DiscordWorld:
        """Configure dpytest, load the server, let the bot join it."""
        await self.client._async_setup_hook()
        dpytest.configure(self.client, guilds=0, text_channels=0, voice_channels=0, members=0)
        state = backend.get_state()
        state.parse_guild_create(payload("guild_create"))
        guild = self.guild
        backend.make_member(state.user, guild, roles=[guild.get_role(BOT_ROLE)])
        self.rest = Rest(self.client.http)
        await self.client.setup_hook()  # what login does before connecting
        await self.settle()
        return self

    async def close(self) -> None:
        """Let dpytest's events finish and empty its queues."""
        await self.settle()
        await dpytest.empty_queue()

    @property
    def guild(self) -> discord.Guild:
        """The Garden."""
        guild = self.client.get_guild(GUILD)
        assert guild is not None
        return guild

    def channel(self, name: str) -> discord.TextChannel:
        """A channel of the Garden by name."""
        channel = self.guild.get_channel(CHANNELS[name])
        assert isinstance(channel, discord.TextChannel)
        return channel

    def member(self, name: str) -> discord.Member:
        """A member of the Garden by name."""
        member = self.guild.get_member(MEMBERS[name])
        assert member is not None
        return member

    async def feed(self, event: str, data: dict[str, Any]) -> None:
        """Play a gateway event (``MESSAGE_CREATE`` …) and wait until every handler is done."""
        getattr(backend.get_state(), f"parse_{event.lower()}")(data)
        await self.settle()

    async def interact(self, name: str, **changes: Any) -> dict[str, Any]:
        """Play an INTERACTION_CREATE fixture as a new interaction (a fresh id and token)."""
        data = payload(name)
        self._interactions += 1
        now = discord.utils.time_snowflake(discord.utils.utcnow())
        data["id"] = str(now + self._interactions)
        data["token"] = f"token-{self._interactions}"
        data.update(changes)
        await self.feed("INTERACTION_CREATE", copy.deepcopy(data))
        return data

    @staticmethod
    async def settle() -> None:
        """Wait until the client's handlers and the tasks they started are done."""
        me = asyncio.current_task()
        for _ in range(200):
            await dpytest.run_all_events()
            others = [
                task
                for task in asyncio.all_tasks()
                if task is not me
                and not task.done()
                # The periodic write-behind flushes and the daily retention sweep live as long
                # as the bot: not a handler's work.
                and not task.get_name().endswith(("-flush", "retention-sweep"))
            ]
            if not others:
                return
            await asyncio.wait(others, timeout=0.01)

    def posted(self) -> list[discord.Message]:
        """Every message the bot posted, in order (dpytest's record)."""
        messages = []
        while not dpytest.runner.sent_queue.empty():
            messages.append(dpytest.runner.sent_queue.get_nowait())
        return messages


class RecordedGateway:
    """discord.py's own gateway parsers on a client that never connects.

    Payloads go in as the websocket would deliver them; the discord.py objects the library
    dispatches come out, ready for the pure conversion functions.
    """

    def __init__(self, guild: dict[str, Any] | None = None) -> None:
        self.client = discord.Client(intents=intents(), chunk_guilds_at_startup=False)
        self._state = self.client._connection
        self._dispatched: list[tuple[str, tuple[Any, ...]]] = []
        self._state.dispatch = self._record
        me = {
            "id": str(APPLICATION),
            "username": "Jardinier",
            "discriminator": "0",
            "avatar": None,
            "bot": True,
        }
        self._state.user = discord.ClientUser(state=self._state, data=me)  # type: ignore[arg-type]
        guild = guild or payload("guild_create")
        guild["members"].append(
            {"user": me, "roles": [str(BOT_ROLE)], "joined_at": guild["joined_at"], "flags": 0}
        )
        self._state.parse_guild_create(guild)

    def _record(self, event: str, *args: Any) -> None:
        self._dispatched.append((event, args))

    @property
    def guild(self) -> discord.Guild:
        """The Garden, as the client caches it."""
        guild = self.client.get_guild(GUILD)
        assert guild is not None
        return guild

    def parse(self, event: str, data: dict[str, Any], dispatched: str) -> Any:
        """Parse one gateway event; return the first argument discord.py dispatches as
        ``dispatched`` (``message``, ``raw_message_edit`` …), or ``None`` if it dispatched none."""
        self._dispatched.clear()
        getattr(self._state, f"parse_{event.lower()}")(data)
        for name, args in self._dispatched:
            if name == dispatched:
                return args[0]
        return None
