"""Running a command: find it, check who may run it, parse its arguments, call it, answer errors.

The permission check runs here, in the core, whatever the platform says: a member who is not a
moderator gets a polite refusal and the command does not run.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from bot.commands.context import CommandContext
from bot.commands.parsing import UsageError, parse_arguments
from bot.commands.spec import CommandSpec, OptionKind, Permission
from bot.errors import JardinierError
from bot.events import CommandInvoked, MemberRef
from bot.ruleconf.templates import render

if TYPE_CHECKING:
    from bot.core import Jardinier

log = logging.getLogger(__name__)


def may_run(core: Jardinier, spec: CommandSpec, member: MemberRef) -> bool:
    """Whether ``member`` may run ``spec`` in their community."""
    if not core.cog_enabled(spec.cog, member.community):
        return False
    return spec.permission is Permission.EVERYONE or core.is_moderator(member)


async def run_command(core: Jardinier, event: CommandInvoked) -> None:
    """Run the command ``event`` asks for, answering every failure politely."""
    texts = core.texts(event.community)
    spec = core.commands.get(event.name)
    if spec is None or not core.cog_enabled(spec.cog, event.community):
        await _answer(core, event, render(texts.unknown_command, command=event.name[:32]))
        return
    if not may_run(core, spec, event.member):
        log.info("%s may not run /%s", event.member.user.id, spec.name)
        await _answer(core, event, render(texts.not_allowed, command=spec.name))
        return
    context = CommandContext(core, event, spec)
    try:
        arguments = await _arguments(core, spec, event)
    except UsageError as error:
        await context.reply(
            render(texts.usage, command=spec.name, usage=spec.usage, error=str(error))
        )
        return
    assert spec.callback is not None
    try:
        await spec.callback(context, **arguments)
    except JardinierError as error:
        await context.reply(str(error))
    except Exception:
        log.exception("/%s failed", spec.name)
        await context.reply(render(texts.command_failed, command=spec.name))


async def _arguments(core: Jardinier, spec: CommandSpec, event: CommandInvoked) -> dict[str, Any]:
    if event.options is None:
        community = event.community
        return await parse_arguments(
            spec,
            event.args,
            resolve_member=lambda text: core.resolve_member(community, text, event.mentions),
            resolve_channel=lambda text: core.resolve_channel(community, text),
        )
    # Typed options (slash commands) arrive converted; fill defaults, refuse what is missing.
    values: dict[str, Any] = {}
    for option in spec.options:
        if option.name in event.options and event.options[option.name] is not None:
            values[option.name] = event.options[option.name]
        elif option.required:
            raise UsageError(f"{option.name} is missing")
        else:
            values[option.name] = option.default
        if option.kind is OptionKind.CHOICE and values[option.name] not in (
            *option.choices,
            option.default,
        ):
            raise UsageError(f"{option.name} should be one of {', '.join(option.choices)}")
    return values


async def _answer(core: Jardinier, event: CommandInvoked, text: str) -> None:
    await core.actions.send(event.channel, text, reply_to=event.message, private_to=event.member)
