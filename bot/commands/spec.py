"""Declaring a command once: name, description, typed options, permission, docstring as help.

A cog writes::

    @command(permission=Permission.MODERATOR, descriptions={"fr": "Programmer une annonce"})
    async def announce(
        self,
        ctx: CommandContext,
        delay: Annotated[timedelta, "How long from now", {"fr": "Dans combien de temps"}],
        text: Annotated[Text, "What to announce", {"fr": "Ce qu'il faut annoncer"}],
    ) -> None:
        \"\"\"Schedule an announcement in this channel.\"\"\"

and every platform derives its own form (slash command, Telegram menu, console usage) from the
:class:`CommandSpec` built here. Limits are the ones Discord and Telegram share.
"""

from __future__ import annotations

import dataclasses
import enum
import inspect
import re
import types
import typing
import unicodedata
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Annotated, Any, Literal, NewType, get_args, get_origin

from bot.commands.option_names import COMMON_OPTION_NAMES, OptionName, localised
from bot.durations import parse_days, parse_duration
from bot.errors import JardinierError
from bot.events import ChannelRef, MemberRef, Power
from bot.marks import marked_attributes
from bot.ruleconf.numbers import LocaleValue

Text = NewType("Text", str)
"""An option that takes the rest of the line on text platforms (must be the last option)."""

Days = NewType("Days", int)
"""A whole number of days, typed as a number (``30``) or a duration of whole days (``30d``,
``30j``) on text platforms; an integer option on Discord."""

When = NewType("When", str)
"""A delay or a date and time (``2h``, ``"24/12 18h"``), passed to the command as typed, which
reads it; Discord suggests durations while it is typed, as for a duration option."""

NAME_PATTERN = re.compile(r"^[a-z0-9_]{1,32}$")
OPTION_NAME_PATTERN = re.compile(r"^[\w-]{1,32}$")
"""An option's name in a locale, as Discord allows it: letters of any alphabet (lower-case where
they have cases: checked apart), digits, ``_`` and ``-``; ``durée`` as French writes it. Nobody
types it: the text platforms take options in order."""
TYPED_NAME = r"[\w\u0300-\u036f]{1,32}"
"""A command name as a member types it, for the text platforms to find in a line: letters of any
alphabet, accented or not (also as a letter and its accent), digits and ``_``. The registry tells
whether it names a command, with or without its accents (:func:`folded`)."""
MAX_DESCRIPTION = 100
CHOICE_NAME_PATTERN = re.compile(r"^\S{1,100}$")
"""A choice's name in a locale: one word a member can type (Discord shows 100 characters)."""
_MARK = "__jardinier_command__"


class Permission(enum.Enum):
    """Who may run a command. The core checks it whatever the platform says; a moderator's
    command may also need a :class:`~bot.events.Power` (``@command(power=Power.BAN)``)."""

    EVERYONE = "everyone"
    MODERATOR = "moderator"


class OptionKind(enum.Enum):
    """The type of a command option."""

    STRING = "string"  # one word, or a "quoted string"
    TEXT = "text"  # the rest of the line
    INTEGER = "integer"
    NUMBER = "number"
    BOOLEAN = "boolean"
    DURATION = "duration"  # 10m, 2h, 7d; however long: the command refuses what is out of range
    MEMBER = "member"
    CHANNEL = "channel"
    CHOICE = "choice"


@dataclass(frozen=True)
class ChoiceNames:
    """How each locale names the values of a choice option, declared next to it::

        status: Annotated[
            Literal["accepted", "declined"],
            "What it becomes",
            {"fr": "Ce qu'elle devient"},
            ChoiceNames({"fr": {"accepted": "acceptee", "declined": "refusee"}}),
        ]

    The usage line of a locale shows its names; members may type a value or any of its names,
    and the command receives the value. ``also`` lists other words members type for a value,
    accepted but never shown: ``{"accepted": ("accepté",)}``, the masculine form people write
    next to the feminine name.
    """

    names: Mapping[str, Mapping[str, str]]
    also: Mapping[str, Sequence[str]] = field(default_factory=dict)


def folded(text: str) -> str:
    """``text`` as typed names are compared: case and accents left out (``Acceptée``, and
    ``/DÉBANNIR`` for ``/debannir``: declared names have no accents, French speakers type them)."""
    decomposed = unicodedata.normalize("NFD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _as_duration(text: str) -> timedelta | None:
    """``text`` as a duration; a bare number as that many days (``30``: ``30d``)."""
    try:
        return parse_duration(text)
    except JardinierError:
        pass
    try:
        return timedelta(days=parse_days(text))
    except JardinierError:
        return None


_KINDS: Mapping[Any, OptionKind] = {
    str: OptionKind.STRING,
    Text: OptionKind.TEXT,
    int: OptionKind.INTEGER,
    Days: OptionKind.INTEGER,
    When: OptionKind.STRING,
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
    names: Mapping[str, str] = field(default_factory=dict)
    """The option's name by locale (``{"fr": "membre"}``), for people to read."""
    descriptions: Mapping[str, str] = field(default_factory=dict)
    """The description by locale (``{"fr": "Qui avertir"}``); :attr:`description` is English."""
    choice_names: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    """The choices' names by locale (``{"fr": {"accepted": "acceptee"}}``), see
    :class:`ChoiceNames`."""
    choice_also: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Other words typed for a choice, accepted but never shown (:attr:`ChoiceNames.also`)."""
    days: bool = False
    """An integer option that counts days (:data:`Days`): ``30d`` and ``30j`` read as 30."""
    when: bool = False
    """A text option typed as a delay or a date and time (:data:`When`)."""

    @property
    def usage(self) -> str:
        """How the option reads in a usage line: ``<delay>``, ``[window]``, ``<text…>``."""
        return self.usage_for("")

    @property
    def choice_list(self) -> ChoiceList:
        """The choices as a usage error lists them, in the error's language."""
        return ChoiceList(self)

    def choices_for(self, locale: str) -> tuple[str, ...]:
        """The choices as ``locale`` names them (the values where it names none)."""
        return tuple(
            localised(
                choice,
                {
                    code: named[choice]
                    for code, named in self.choice_names.items()
                    if choice in named
                },
                locale,
            )
            for choice in self.choices
        )

    def choice_for(self, typed: str) -> str | None:
        """The choice ``typed`` means: its value or a locale's name for it, whatever the case
        and accents; a duration (``7d``) also as the same duration written otherwise (``7j``,
        ``1w``, or ``7`` for days). None when it means none."""
        wanted = folded(typed)
        for choice in self.choices:
            names = [choice, *(named.get(choice, choice) for named in self.choice_names.values())]
            names += self.choice_also.get(choice, ())
            if wanted in {folded(name) for name in names}:
                return choice
        duration = _as_duration(typed)
        if duration is not None:
            for choice in self.choices:
                if _as_duration(choice) == duration:
                    return choice
        return None

    @property
    def label(self) -> OptionName:
        """The option's name as a text of any locale writes it (in a usage error, say)."""
        return OptionName(self.name, self.names)

    def name_for(self, locale: str) -> str:
        """The option's name in ``locale`` (``membre`` for ``member`` in French)."""
        return localised(self.name, self.names, locale)

    def description_for(self, locale: str) -> str:
        """The description in ``locale`` (falling back to the language, then English)."""
        return localised(self.description, self.descriptions, locale)

    def usage_for(self, locale: str) -> str:
        """The option in a usage line of ``locale``: ``<membre>``, ``[période]``, ``<texte…>``."""
        label = self.name_for(locale)
        if self.kind is OptionKind.CHOICE:
            label = "|".join(self.choices_for(locale))
        elif self.kind is OptionKind.TEXT:
            label += "…"
        return f"<{label}>" if self.required else f"[{label}]"


class ChoiceList(LocaleValue):
    """An option's choices, listed as a text of some locale names them (``accepted, planned``)."""

    def __init__(self, option: OptionSpec) -> None:
        self.option = option

    def in_locale(self, locale: str | None) -> str:
        """The choices in ``locale``, comma-separated."""
        return ", ".join(self.option.choices_for(locale or ""))

    def __str__(self) -> str:
        return ", ".join(self.option.choices)


@dataclass(frozen=True)
class CommandSpec:
    """Everything a platform needs to publish a command, and the core to run it."""

    name: str
    description: str
    help: str
    options: tuple[OptionSpec, ...] = ()
    permission: Permission = Permission.EVERYONE
    power: Power | None = None
    """What the platform must let the moderator running it do (ban, kick…), if anything."""
    cog: str = ""
    descriptions: Mapping[str, str] = field(default_factory=dict)
    names: Mapping[str, str] = field(default_factory=dict)
    helps: Mapping[str, str] = field(default_factory=dict)
    """The full help by locale (``/aide bannir``); the docstring is the English one."""
    private: bool = False
    """Whether a member may also run it in a private chat with the bot, opened by the platform's
    start link (see :meth:`bot.platform.Platform.start_link`)."""
    callback: Callable[..., Awaitable[None]] | None = field(default=None, compare=False)

    @property
    def usage(self) -> str:
        """``/name <required> [optional]``."""
        return self.usage_for("")

    def usage_for(self, locale: str) -> str:
        """The usage line with the command's name in ``locale`` (``/aide [command]``)."""
        options = (option.usage_for(locale) for option in self.options)
        return " ".join([f"/{self.name_for(locale)}", *options])

    def description_for(self, locale: str) -> str:
        """The description in ``locale`` (falling back to the language, then English)."""
        return localised(self.description, self.descriptions, locale)

    def name_for(self, locale: str) -> str:
        """The command's name in ``locale`` (``/aide`` for ``/help`` in French), else its name."""
        return localised(self.name, self.names, locale)

    def help_for(self, locale: str) -> str:
        """The full help in ``locale`` (falling back to the language, then the docstring)."""
        return localised(self.help, self.helps, locale)

    def option(self, name: str) -> OptionSpec | None:
        """The option called ``name`` (its code name), if the command has one."""
        return next((option for option in self.options if option.name == name), None)


@dataclass(frozen=True)
class _Declaration:
    name: str | None
    permission: Permission
    power: Power | None
    descriptions: Mapping[str, str]
    names: Mapping[str, str]
    option_names: Mapping[str, Mapping[str, str]]
    helps: Mapping[str, str]
    private: bool


class CommandDeclarationError(TypeError):
    """A command is declared in a way some platform would refuse (a bug in a cog)."""


def command(
    *,
    name: str | None = None,
    permission: Permission = Permission.EVERYONE,
    power: Power | None = None,
    descriptions: Mapping[str, str] | None = None,
    names: Mapping[str, str] | None = None,
    option_names: Mapping[str, Mapping[str, str]] | None = None,
    helps: Mapping[str, str] | None = None,
    private: bool = False,
) -> Callable[[Callable[..., Awaitable[None]]], Callable[..., Awaitable[None]]]:
    """Mark a cog method as a command. Its docstring is the help; its first line the description.

    ``power`` is what the platform must let the moderator who runs it do (``Power.BAN`` for a
    ban): the bot acts with its own rights, and must not lend them to a moderator who lacks it.
    ``descriptions`` gives translated descriptions by locale (``{"fr": "…"}``), ``names``
    translated names (``{"fr": "aide"}``), which members may type too. ``option_names`` names
    options by locale (``{"fr": {"winners": "gagnants"}}``) beyond the shared ones of
    :data:`~bot.commands.option_names.COMMON_OPTION_NAMES`. ``helps`` gives the full help by
    locale, written as the docstring is (``/aide bannir`` shows it). ``private`` lets a member
    run it from a private chat with the bot too, reached by the platform's start link where the
    bot may not write to a member first (Telegram); such a command takes no options.
    """

    def mark(function: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
        declaration = _Declaration(
            name,
            permission,
            power,
            dict(descriptions or {}),
            dict(names or {}),
            {locale: dict(named) for locale, named in (option_names or {}).items()},
            {locale: inspect.cleandoc(text).strip() for locale, text in (helps or {}).items()},
            private,
        )
        setattr(function, _MARK, declaration)
        return function

    return mark


def declared_commands(obj: object) -> list[Callable[..., Awaitable[None]]]:
    """The methods of ``obj`` (an instance, or a class) marked with :func:`command`, in order."""
    klass = obj if isinstance(obj, type) else type(obj)
    return [getattr(obj, attribute) for attribute in marked_attributes(klass, _MARK)]


def build_spec(method: Callable[..., Awaitable[None]], *, cog: str = "") -> CommandSpec:
    """Build the :class:`CommandSpec` of a method marked with :func:`command`.

    Options come from the parameters after ``ctx``: each is ``Annotated[type, "description"]``,
    with its translations after it if any (``{"fr": "…"}``); a default value makes it optional.
    Raises :class:`CommandDeclarationError` on anything a platform would refuse, so a bad
    declaration fails when the cog loads, not when a member types.
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
    if declaration.power is not None and declaration.permission is not Permission.MODERATOR:
        raise CommandDeclarationError(
            f"{qualname}: a command that needs a power is a moderator's (permission=MODERATOR)"
        )
    for locale, translated in declaration.names.items():
        if not NAME_PATTERN.fullmatch(translated):
            raise CommandDeclarationError(
                f"{qualname}: {locale} name {translated!r} must match [a-z0-9_]{{1,32}}"
            )
    for locale, text in declaration.helps.items():
        if not text:
            raise CommandDeclarationError(f"{qualname}: the {locale} help is empty")
    description = doc.splitlines()[0].strip()
    for locale, text in {"": description, **declaration.descriptions}.items():
        if not 1 <= len(text) <= MAX_DESCRIPTION:
            raise CommandDeclarationError(
                f"{qualname}: description{f' ({locale})' if locale else ''} must be 1 to "
                f"{MAX_DESCRIPTION} characters"
            )
    options = _named_options(_options_of(method, qualname), declaration.option_names, qualname)
    if declaration.private and options:
        raise CommandDeclarationError(
            f"{qualname}: a command run from a private chat cannot take options (a start link "
            "carries none)"
        )
    return CommandSpec(
        name=name,
        description=description,
        help=doc,
        options=options,
        permission=declaration.permission,
        power=declaration.power,
        cog=cog,
        descriptions=declaration.descriptions,
        names=declaration.names,
        helps=declaration.helps,
        private=declaration.private,
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
        translated = next((dict(extra) for extra in extras if isinstance(extra, Mapping)), {})
        if not descriptions or not 1 <= len(descriptions[0]) <= MAX_DESCRIPTION:
            raise CommandDeclarationError(
                f"{qualname}: option {parameter.name!r} needs a description of 1 to "
                f"{MAX_DESCRIPTION} characters"
            )
        for locale, text in translated.items():
            if not isinstance(text, str) or not 1 <= len(text) <= MAX_DESCRIPTION:
                raise CommandDeclarationError(
                    f"{qualname}: the {locale} description of option {parameter.name!r} must "
                    f"be 1 to {MAX_DESCRIPTION} characters"
                )
        if not NAME_PATTERN.fullmatch(parameter.name):
            raise CommandDeclarationError(f"{qualname}: option name {parameter.name!r} is invalid")
        kind, choices = _kind_of(_strip_optional(base), qualname, parameter.name)
        choice_names, choice_also = _choice_names(extras, choices, qualname, parameter.name)
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
                descriptions=translated,
                required=required,
                default=None if required else parameter.default,
                choices=choices,
                choice_names=choice_names,
                choice_also=choice_also,
                days=_strip_optional(base) is Days,
                when=_strip_optional(base) is When,
            )
        )
    for option in options[:-1]:
        if option.kind is OptionKind.TEXT:
            raise CommandDeclarationError(f"{qualname}: a Text option must be the last one")
    return tuple(options)


def _named_options(
    options: tuple[OptionSpec, ...], declared: Mapping[str, Mapping[str, str]], qualname: str
) -> tuple[OptionSpec, ...]:
    """``options`` with their names by locale: the shared ones, then the command's own."""
    known = {option.name for option in options}
    for locale, named in declared.items():
        for code_name, translated in named.items():
            if code_name not in known:
                raise CommandDeclarationError(
                    f"{qualname}: option_names names {code_name!r}, which is not an option"
                )
            if not OPTION_NAME_PATTERN.fullmatch(translated) or translated != translated.lower():
                raise CommandDeclarationError(
                    f"{qualname}: {locale} name {translated!r} of option {code_name!r} must be "
                    "1 to 32 lower-case letters, digits, _ or -"
                )
    locales = {*COMMON_OPTION_NAMES, *declared}
    named_options = []
    for option in options:
        names: dict[str, str] = {}
        for locale in sorted(locales):
            shared = COMMON_OPTION_NAMES.get(locale, {}).get(option.name)
            own = declared.get(locale, {}).get(option.name, shared)
            if own is not None:
                names[locale] = own
        named_options.append(dataclasses.replace(option, names=names))
    for locale in locales:
        # « durée » and « duree » read as one name.
        seen = [folded(option.name_for(locale)) for option in named_options]
        clashing = sorted({name for name in seen if seen.count(name) > 1})
        if clashing:
            raise CommandDeclarationError(
                f"{qualname}: two options are called {clashing[0]!r} in {locale}; "
                "name them apart with option_names"
            )
    return tuple(named_options)


def _choice_names(
    extras: list[Any], choices: tuple[str, ...], qualname: str, name: str
) -> tuple[dict[str, dict[str, str]], dict[str, tuple[str, ...]]]:
    """The :class:`ChoiceNames` declared with option ``name`` (the names by locale, and the
    other words), checked: one word for a known choice, and no word that two choices could
    mean."""
    declared = [extra for extra in extras if isinstance(extra, ChoiceNames)]
    if not declared:
        return {}, {}
    if not choices:
        raise CommandDeclarationError(f"{qualname}: option {name!r} has no choices to name")
    names = {locale: dict(named) for locale, named in declared[0].names.items()}
    for choice, words in declared[0].also.items():
        if isinstance(words, str):
            raise CommandDeclarationError(
                f"{qualname}: the other words of choice {choice!r} must be a tuple of words"
            )
    also = {choice: tuple(words) for choice, words in declared[0].also.items()}
    # The other words are typed whatever the locale: each locale's names are checked with them.
    others = [("other word", choice, word) for choice, words in also.items() for word in words]
    for locale, named in (names or {"": {}}).items():
        meant: dict[str, str] = {folded(choice): choice for choice in choices}
        typed = [(f"{locale} name", choice, word) for choice, word in named.items()] + others
        for what, choice, word in typed:
            if choice not in choices:
                raise CommandDeclarationError(
                    f"{qualname}: option {name!r} names {choice!r}, which is not a choice"
                )
            if not isinstance(word, str) or not CHOICE_NAME_PATTERN.fullmatch(word):
                raise CommandDeclarationError(
                    f"{qualname}: the {what} of choice {choice!r} must be one word of 1 "
                    "to 100 characters"
                )
            other = meant.setdefault(folded(word), choice)
            if other != choice:
                raise CommandDeclarationError(
                    f"{qualname}: the {what} {word!r} of choice {choice!r} could also "
                    f"mean {other!r}"
                )
    return names, also


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
