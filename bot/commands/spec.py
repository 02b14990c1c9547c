"""Declaring a command once: name, description, typed options, permission, docstring as help.

A cog writes::

    @command(permission=Permission.MODERATOR, descriptions={"fr": "Programmer une annonce"})
    async def announce(
        self,
        ctx: CommandContext,
        delay: Annotated[timedelta, "How long from now"],
        text: Annotated[Text, "What to announce"],
    ) -> None:
        \"\"\"Schedule an announcement in this channel.\"\"\"

and every platform derives its own form (slash command, Telegram menu, console usage) from the
:class:`CommandSpec` built here. Limits are the ones Discord and Telegram share.
"""

from __future__ import annotations

import enum
import inspect
import re
import types
import typing
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Annotated, Any, Literal, NewType, get_args, get_origin

from bot.events import ChannelRef, MemberRef
from bot.marks import marked_attributes

Text = NewType("Text", str)
"""An option that takes the rest of the line on text platforms (must be the last option)."""

NAME_PATTERN = re.compile(r"^[a-z0-9_]{1,32}$")
MAX_DESCRIPTION = 100
_MARK = "__jardinier_command__"


class Permission(enum.Enum):
    """Who may run a command. The core checks it whatever the platform says."""

    EVERYONE = "everyone"
    MODERATOR = "moderator"


class OptionKind(enum.Enum):
    """The type of a command option."""

    STRING = "string"  # one word, or a "quoted string"
    TEXT = "text"  # the rest of the line
    INTEGER = "integer"
    NUMBER = "number"
    BOOLEAN = "boolean"
    DURATION = "duration"  # 10m, 2h, 7d
    MEMBER = "member"
    CHANNEL = "channel"
    CHOICE = "choice"


_KINDS: Mapping[Any, OptionKind] = {
    str: OptionKind.STRING,
    Text: OptionKind.TEXT,
    int: OptionKind.INTEGER,
    float: OptionKind.NUMBER,
    bool: OptionKind.BOOLEAN,
    timedelta: OptionKind.DURATION,
    MemberRef: OptionKind.MEMBER,
    ChannelRef: OptionKind.CHANNEL,
}


@dataclass(frozen=True)
class OptionSpec:
    """One typed option of a command."""

    name: str
    kind: OptionKind
    description: str
    required: bool = True
    default: Any = None
    choices: tuple[str, ...] = ()

    @property
    def usage(self) -> str:
        """How the option reads in a usage line: ``<delay>``, ``[window]``, ``<text…>``."""
        label = self.name
        if self.kind is OptionKind.CHOICE:
            label = "|".join(self.choices)
        elif self.kind is OptionKind.TEXT:
            label += "…"
        return f"<{label}>" if self.required else f"[{label}]"


@dataclass(frozen=True)
class CommandSpec:
    """Everything a platform needs to publish a command, and the core to run it."""

    name: str
    description: str
    help: str
    options: tuple[OptionSpec, ...] = ()
    permission: Permission = Permission.EVERYONE
    cog: str = ""
    descriptions: Mapping[str, str] = field(default_factory=dict)
    names: Mapping[str, str] = field(default_factory=dict)
    callback: Callable[..., Awaitable[None]] | None = field(default=None, compare=False)

    @property
    def usage(self) -> str:
        """``/name <required> [optional]``."""
        return self.usage_for("")

    def usage_for(self, locale: str) -> str:
        """The usage line with the command's name in ``locale`` (``/aide [command]``)."""
        return " ".join([f"/{self.name_for(locale)}", *(option.usage for option in self.options)])

    def description_for(self, locale: str) -> str:
        """The description in ``locale`` (falling back to the language, then English)."""
        language = locale.split("-", 1)[0]
        return self.descriptions.get(locale) or self.descriptions.get(language) or self.description

    def name_for(self, locale: str) -> str:
        """The command's name in ``locale`` (``/aide`` for ``/help`` in French), else its name."""
        language = locale.split("-", 1)[0]
        return self.names.get(locale) or self.names.get(language) or self.name


@dataclass(frozen=True)
class _Declaration:
    name: str | None
    permission: Permission
    descriptions: Mapping[str, str]
    names: Mapping[str, str]


class CommandDeclarationError(TypeError):
    """A command is declared in a way some platform would refuse (a bug in a cog)."""


def command(
    *,
    name: str | None = None,
    permission: Permission = Permission.EVERYONE,
    descriptions: Mapping[str, str] | None = None,
    names: Mapping[str, str] | None = None,
) -> Callable[[Callable[..., Awaitable[None]]], Callable[..., Awaitable[None]]]:
    """Mark a cog method as a command. Its docstring is the help; its first line the description.

    ``descriptions`` gives translated descriptions by locale (``{"fr": "…"}``), ``names``
    translated names (``{"fr": "aide"}``), which members may type too.
    """

    def mark(function: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
        declaration = _Declaration(name, permission, dict(descriptions or {}), dict(names or {}))
        setattr(function, _MARK, declaration)
        return function

    return mark


def declared_commands(obj: object) -> list[Callable[..., Awaitable[None]]]:
    """The methods of ``obj`` (an instance, or a class) marked with :func:`command`, in order."""
    klass = obj if isinstance(obj, type) else type(obj)
    return [getattr(obj, attribute) for attribute in marked_attributes(klass, _MARK)]


def build_spec(method: Callable[..., Awaitable[None]], *, cog: str = "") -> CommandSpec:
    """Build the :class:`CommandSpec` of a method marked with :func:`command`.

    Options come from the parameters after ``ctx``: each is ``Annotated[type, "description"]``;
    a default value makes it optional. Raises :class:`CommandDeclarationError` on anything a
    platform would refuse, so a bad declaration fails when the cog loads, not when a member types.
    """
    declaration: _Declaration = getattr(method, _MARK)
    qualname = getattr(method, "__qualname__", repr(method))
    name = declaration.name or method.__name__
    if not NAME_PATTERN.fullmatch(name):
        raise CommandDeclarationError(
            f"{qualname}: command name {name!r} must match [a-z0-9_]{{1,32}}"
        )
    doc = inspect.cleandoc(method.__doc__ or "")
    if not doc:
        raise CommandDeclarationError(f"{qualname}: a command needs a docstring (it is the help)")
    for locale, translated in declaration.names.items():
        if not NAME_PATTERN.fullmatch(translated):
            raise CommandDeclarationError(
                f"{qualname}: {locale} name {translated!r} must match [a-z0-9_]{{1,32}}"
            )
    description = doc.splitlines()[0].strip()
    for locale, text in {"": description, **declaration.descriptions}.items():
        if not 1 <= len(text) <= MAX_DESCRIPTION:
            raise CommandDeclarationError(
                f"{qualname}: description{f' ({locale})' if locale else ''} must be 1 to "
                f"{MAX_DESCRIPTION} characters"
            )
    options = _options_of(method, qualname)
    return CommandSpec(
        name=name,
        description=description,
        help=doc,
        options=options,
        permission=declaration.permission,
        cog=cog,
        descriptions=declaration.descriptions,
        names=declaration.names,
        callback=method,
    )


def _options_of(method: Callable[..., Any], qualname: str) -> tuple[OptionSpec, ...]:
    hints = typing.get_type_hints(method, include_extras=True)
    parameters = list(inspect.signature(method).parameters.values())
    if parameters and parameters[0].name == "self":  # built from the class, not an instance
        parameters = parameters[1:]
    if not parameters or parameters[0].name != "ctx":
        raise CommandDeclarationError(f"{qualname}: the first parameter must be ctx")
    options: list[OptionSpec] = []
    for parameter in parameters[1:]:
        hint = hints.get(parameter.name)
        if get_origin(hint) is not Annotated:
            raise CommandDeclarationError(
                f'{qualname}: option {parameter.name!r} needs Annotated[type, "description"]'
            )
        base, *extras = get_args(hint)
        descriptions = [extra for extra in extras if isinstance(extra, str)]
        if not descriptions or not 1 <= len(descriptions[0]) <= MAX_DESCRIPTION:
            raise CommandDeclarationError(
                f"{qualname}: option {parameter.name!r} needs a description of 1 to "
                f"{MAX_DESCRIPTION} characters"
            )
        if not NAME_PATTERN.fullmatch(parameter.name):
            raise CommandDeclarationError(f"{qualname}: option name {parameter.name!r} is invalid")
        kind, choices = _kind_of(_strip_optional(base), qualname, parameter.name)
        required = parameter.default is inspect.Parameter.empty
        if options and not options[-1].required and required:
            raise CommandDeclarationError(
                f"{qualname}: required option {parameter.name!r} follows an optional one"
            )
        options.append(
            OptionSpec(
                name=parameter.name,
                kind=kind,
                description=descriptions[0],
                required=required,
                default=None if required else parameter.default,
                choices=choices,
            )
        )
    for option in options[:-1]:
        if option.kind is OptionKind.TEXT:
            raise CommandDeclarationError(f"{qualname}: a Text option must be the last one")
    return tuple(options)


def _strip_optional(hint: Any) -> Any:
    if get_origin(hint) in (typing.Union, types.UnionType):
        members = [arg for arg in get_args(hint) if arg is not type(None)]
        if len(members) == 1:
            return members[0]
    return hint


def _kind_of(hint: Any, qualname: str, name: str) -> tuple[OptionKind, tuple[str, ...]]:
    if get_origin(hint) is Literal:
        choices = get_args(hint)
        if not all(isinstance(choice, str) for choice in choices):
            raise CommandDeclarationError(f"{qualname}: choices of {name!r} must be strings")
        return OptionKind.CHOICE, tuple(choices)
    kind = _KINDS.get(hint)
    if kind is None:
        raise CommandDeclarationError(f"{qualname}: option {name!r} has unsupported type {hint!r}")
    return kind, ()
