"""Running a command: find it, check who may run it, parse its arguments, call it, answer errors.

The permission check runs here, in the core, whatever the platform says: a member who is not a
moderator gets a polite refusal and the command does not run; nor does a moderator's command
for a moderator the platform would not let do it (a ban without the right to ban), who is told
which power they lack. A member's commands in a channel are a few a minute
(:mod:`bot.commands.budget`), so that no one makes the bot flood it.

A command the database refuses for a while (locked by a backup or a script, a full disk, a lost
connection: :func:`bot.dbrefusals.may_pass`) is answered that the database is busy and logged
in one line: it is no bug, and its traceback would only fill the log while the refusal lasts.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import SQLAlchemyError

from bot.commands.context import CommandContext
from bot.commands.parsing import ChannelRefusedError, UsageError, convert, parse_arguments
from bot.commands.spec import CommandSpec, OptionKind, Permission
from bot.dbrefusals import may_pass, reason
from bot.durations import SpokenDuration
from bot.errors import JardinierError
from bot.events import ChannelRef, CommandInvoked, MemberRef, Power
from bot.platform import Capability, PlatformError
from bot.refusals import refusal_text
from bot.ruleconf.templates import render

if TYPE_CHECKING:
    from bot.core import Jardinier

log = logging.getLogger(__name__)


def may_run(core: Jardinier, spec: CommandSpec, member: MemberRef) -> bool:
    """Whether ``member`` may run ``spec`` in their community (and there, for the power a
    command may need: see :func:`lacking_power`)."""
    if not core.cog_enabled(spec.cog, member.community):
        return False
    if spec.permission is Permission.EVERYONE:
        return True
    return core.is_moderator(member) and lacking_power(core, spec, member) is None


def lacking_power(core: Jardinier, spec: CommandSpec, member: MemberRef) -> Power | None:
    """The power ``spec`` needs that the platform does not grant ``member``, if any."""
    if spec.power is None or core.holds(member, spec.power):
        return None
    return spec.power


def refusal(core: Jardinier, spec: CommandSpec, member: MemberRef) -> str | None:
    """Why ``member`` may not run ``spec`` (a command of a cog serving their community), in
    the community's language: a moderator's command, or a power they lack; None if they may."""
    texts = core.texts(member.community)
    named = spec.name_for(core.community_config(member.community).locale)
    if spec.permission is Permission.EVERYONE:
        return None
    if not core.is_moderator(member):
        return render(texts.not_allowed, command=named)
    lacking = lacking_power(core, spec, member)
    if lacking is None:
        return None
    return render(texts.lacking_power, command=named, power=getattr(texts.powers, lacking.value))


async def run_command(core: Jardinier, event: CommandInvoked) -> None:
    """Run the command ``event`` asks for, answering every failure politely."""
    texts = core.texts(event.community)
    locale = core.community_config(event.community).locale
    if not await _within_budget(core, event):
        return
    spec = core.commands.get(event.name)
    if (
        spec is None
        or not core.cog_enabled(spec.cog, event.community)
        or (event.private and not spec.private)
    ):
        await answer_command(core, event, render(texts.unknown_command, command=event.name[:32]))
        return
    refused = refusal(core, spec, event.member)
    if refused is not None:
        log.info("%s may not run /%s", event.member.user.id, spec.name)
        await answer_command(core, event, refused)
        return
    context = CommandContext(core, event, spec)

    def usage(error: UsageError) -> str:
        # An option named by its code name reads as the community's language names it.
        named = error.values.get("option")
        option = spec.option(named) if isinstance(named, str) else None
        if option is not None:
            error.values["option"] = option.label
        return render(
            texts.usage,
            command=spec.name_for(locale),
            usage=spec.usage_for(locale),
            error=error.text(texts.usage_errors),
        )

    # What went wrong concerns only the member who typed it: answered privately where the
    # platform can, whoever may run the command.
    try:
        arguments = await _arguments(core, spec, event)
    except UsageError as error:
        await answer_command(core, event, usage(error))
        return
    except PlatformError as error:
        # The platform could not say who a typed member is: the member is told that, not that
        # nobody goes by that name.
        log.warning("/%s: %s", spec.name, error)
        await answer_command(core, event, refusal_text(error, texts))
        return
    except SQLAlchemyError as error:
        # A member typed in is looked up in the database too.
        if not await _answered_database_refusal(core, event, spec, error):
            raise
        return
    assert spec.callback is not None
    try:
        await spec.callback(context, **arguments)
    except UsageError as error:  # a value the command itself finds out of bounds
        await answer_command(core, event, usage(error))
    except JardinierError as error:
        await answer_command(core, event, str(error))
    except Exception as error:
        if await _answered_database_refusal(core, event, spec, error):
            return
        log.exception("/%s failed", spec.name)
        await answer_command(
            core, event, render(texts.command_failed, command=spec.name_for(locale))
        )


async def _answered_database_refusal(
    core: Jardinier, event: CommandInvoked, spec: CommandSpec, error: Exception
) -> bool:
    """If ``error`` is the database refusing for a while, so that the same command may succeed
    in a minute: tell the member so, log one line, and return True."""
    # may_pass takes any OSError for a passing refusal, as a flush meets only the database's;
    # a command also reaches the platform, whose lost connection says nothing of the database.
    if not (isinstance(error, SQLAlchemyError) and may_pass(error)):
        return False
    log.warning("/%s not done: the database refused for a while (%s)", spec.name, reason(error))
    texts = core.texts(event.community)
    named = spec.name_for(core.community_config(event.community).locale)
    await answer_command(core, event, render(texts.database_busy, command=named))
    return True


async def _within_budget(core: Jardinier, event: CommandInvoked) -> bool:
    """Whether ``event``'s command may run: a member's commands in a community's channels
    (all of them together) are answered a few a minute (:mod:`bot.commands.budget`);
    moderators' are not counted, nor those run in a private chat with the bot."""
    if event.private or core.is_moderator(event.member):
        return True
    refused = core.command_budget.spend(event.member, core.clock.now())
    if refused is None:
        return True
    # Told once, privately; where an answer for one member may land in the channel
    # (Telegram, to a member who has not started the bot), not told at all.
    private = core.actions.can(event.community.platform, Capability.PRIVATE_ANSWERS)
    if refused.told_before or not private:
        log.debug(
            "/%s of %s in %s over the command budget: ignored",
            event.name[:32],
            event.member.user.id,
            event.community.key,
        )
        return False
    texts = core.texts(event.community)
    await answer_command(
        core, event, render(texts.commands_too_fast, wait=SpokenDuration(refused.wait))
    )
    return False


async def _arguments(core: Jardinier, spec: CommandSpec, event: CommandInvoked) -> dict[str, Any]:
    community = event.community

    async def resolve_member(text: str) -> MemberRef | None:
        return await core.resolve_member(community, text, event.mentions)

    async def resolve_channel(text: str) -> ChannelRef | None:
        # A channel typed into a command is one of this community's. A platform finds another
        # community's by its id too (Telegram: a mod-log kept in another chat, as the rule book
        # may name it), which a moderator must not make the bot post in.
        found = await core.resolve_channel(community, text)
        if found is not None and found.community != community:
            raise ChannelRefusedError(text)
        return found

    if event.options is None:
        return await parse_arguments(
            spec, event.args, resolve_member=resolve_member, resolve_channel=resolve_channel
        )
    # Typed options (slash commands) arrive converted, or as the text the member typed where the
    # platform has no such type (a duration): convert those here, so every platform answers a bad
    # value with the same usage message.
    values: dict[str, Any] = {}
    for option in spec.options:
        value = event.options.get(option.name)
        if value is None:
            if option.required:
                raise UsageError("missing", option=option.name)
            values[option.name] = option.default
            continue
        if isinstance(value, str) and option.kind not in (OptionKind.STRING, OptionKind.TEXT):
            value = await convert(
                option, value, resolve_member=resolve_member, resolve_channel=resolve_channel
            )
        values[option.name] = value
    return values


async def answer_command(core: Jardinier, event: CommandInvoked, text: str) -> None:
    """Answer the member who ran ``event``, privately where the platform can (a refusal, an
    error)."""
    # A command message a moderation rule removed is no longer there to reply to.
    removed = event.message is not None and core.bus.is_removed(event.message)
    reply_to = None if removed else event.message
    await core.actions.send(event.channel, text, reply_to=reply_to, private_to=event.member)
