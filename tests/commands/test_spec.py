"""Command declarations that some platform would refuse fail when the cog loads."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Annotated, Any, Literal

import pytest
import yaml

from bot.cogloader import available_cogs, command_specs
from bot.commands import CommandContext, OptionKind, Permission, Text, command
from bot.commands.registry import CommandRegistry, DuplicateCommandError
from bot.commands.spec import ChoiceNames, CommandDeclarationError, build_spec
from bot.events import MemberRef, Power
from bot.resources import shipped_rules_directory

SHIPPED_COGS = sorted(available_cogs())
"""Every cog this package has: a new one's commands are held to the same rules."""


def test_docstring_is_help_and_first_line_is_description() -> None:
    class Cog:
        @command(permission=Permission.MODERATOR, descriptions={"fr": "Avertir"})
        async def warn(self, ctx: CommandContext, reason: Annotated[Text, "Why"]) -> None:
            """Warn a member.

            The warning is recorded as a strike.
            """

    spec = build_spec(Cog().warn, cog="netiquette")
    assert spec.description == "Warn a member."
    assert spec.help == "Warn a member.\n\nThe warning is recorded as a strike."
    assert spec.permission is Permission.MODERATOR
    assert spec.options[0].kind is OptionKind.TEXT
    assert spec.description_for("fr") == "Avertir"
    assert spec.description_for("fr-CA") == "Avertir"
    assert spec.description_for("de") == "Warn a member."


async def bad_name(ctx: CommandContext) -> None:
    """Doc."""


async def no_doc(ctx: CommandContext) -> None:
    pass


async def long_doc(ctx: CommandContext) -> None:
    """A description far too long for Discord and Telegram menus, which both cap it at one hundred characters long."""  # noqa: E501


async def plain_option(ctx: CommandContext, who: str) -> None:
    """Doc."""


async def text_first(
    ctx: CommandContext, reason: Annotated[Text, "Why"], who: Annotated[str, "Who"]
) -> None:
    """Doc."""


async def no_ctx(member: Annotated[str, "Who"]) -> None:
    """Doc."""


async def odd_type(ctx: CommandContext, data: Annotated[dict, "Data"]) -> None:
    """Doc."""


async def required_after_optional(
    ctx: CommandContext, first: Annotated[str, "A"] = "x", *, second: Annotated[str, "B"]
) -> None:
    """Doc."""


@pytest.mark.parametrize(
    ("function", "name", "message"),
    [
        (bad_name, "Bad-Name", "must match"),
        (no_doc, None, "needs a docstring"),
        (long_doc, None, "1 to 100 characters"),
        (plain_option, None, "needs Annotated"),
        (text_first, None, "must be the last"),
        (no_ctx, None, "first parameter must be ctx"),
        (odd_type, None, "unsupported type"),
        (required_after_optional, None, "follows an optional one"),
    ],
)
def test_bad_declarations_are_refused(
    function: Callable[..., Any], name: str | None, message: str
) -> None:
    with pytest.raises(CommandDeclarationError, match=message):
        build_spec(command(name=name)(function))


def test_translated_names_are_checked_and_lead_to_the_command() -> None:
    class Cog:
        @command(names={"fr": "aide"})
        async def help(self, ctx: CommandContext) -> None:
            """Show the commands."""

        @command(names={"fr": "aide"})
        async def assist(self, ctx: CommandContext) -> None:
            """Also help."""

        @command(names={"fr": "Aide!"})
        async def shout(self, ctx: CommandContext) -> None:
            """Help loudly."""

    registry = CommandRegistry()
    spec = build_spec(Cog().help, cog="core")
    registry.add(spec)
    assert registry.get("aide") is spec
    assert registry.get("AIDE") is spec
    assert spec.name_for("fr-CA") == "aide"
    assert spec.name_for("de") == "help"
    with pytest.raises(DuplicateCommandError, match="/aide"):
        registry.add(build_spec(Cog().assist, cog="other"))
    with pytest.raises(CommandDeclarationError, match="fr name 'Aide!'"):
        build_spec(Cog().shout)
    registry.remove_cog("core")
    assert registry.get("aide") is None


def test_a_name_is_found_whatever_its_accents_and_case() -> None:
    """French speakers type /débannir and /mes_données; the declared names have no accents."""

    class Cog:
        @command(names={"fr": "debannir"})
        async def unban(self, ctx: CommandContext) -> None:
            """Lift a ban."""

        @command(names={"fr": "mes_donnees"})
        async def mydata(self, ctx: CommandContext) -> None:
            """Get your data."""

    registry = CommandRegistry()
    unban, mydata = build_spec(Cog().unban), build_spec(Cog().mydata)
    registry.add(unban)
    registry.add(mydata)
    for typed in ("débannir", "DÉBANNIR", "DEBANNIR", "de\u0301bannir", "Unban"):
        assert registry.get(typed) is unban, typed
    assert registry.get("mes_données") is mydata
    assert registry.get("MES_DONNÉES") is mydata
    assert registry.get("éteindre") is None


def test_options_are_named_in_the_community_language() -> None:
    class Cog:
        @command(option_names={"fr": {"prize": "lot", "member": "gagnant"}})
        async def award(
            self,
            ctx: CommandContext,
            member: Annotated[MemberRef, "Who wins"],
            prize: Annotated[str, "What they win"],
            window: Annotated[str | None, "Since when"] = None,
        ) -> None:
            """Award a prize."""

        @command(option_names={"fr": {"nothing": "rien"}})
        async def unknown(self, ctx: CommandContext) -> None:
            """Name an option it does not have."""

        @command(option_names={"fr": {"text": "Texte libre"}})
        async def badly(self, ctx: CommandContext, text: Annotated[Text, "What"]) -> None:
            """Name an option the way no platform accepts."""

    spec = build_spec(Cog().award)
    assert spec.usage_for("fr") == "/award <gagnant> <lot> [période]"
    assert spec.usage_for("fr-CA") == spec.usage_for("fr")
    assert spec.usage_for("de") == spec.usage == "/award <member> <prize> [window]"
    assert str(spec.options[0].label) == "member"
    assert spec.options[0].label.in_locale("fr") == "gagnant"
    with pytest.raises(CommandDeclarationError, match="'nothing', which is not an option"):
        build_spec(Cog().unknown)
    with pytest.raises(CommandDeclarationError, match="fr name 'Texte libre' of option 'text'"):
        build_spec(Cog().badly)

    class Clash:
        @command(option_names={"fr": {"days": "duree"}})
        async def wait(
            self,
            ctx: CommandContext,
            duration: Annotated[str, "How long"],
            days: Annotated[int, "How many days"],
        ) -> None:
            """Give two options one French name."""

    with pytest.raises(CommandDeclarationError, match="two options are called 'duree' in fr"):
        build_spec(Clash().wait)


def test_option_names_are_written_with_their_accents_and_may_be_declared_without() -> None:
    class Cog:
        @command(option_names={"fr": {"end": "echeance", "start": "départ"}})
        async def wait(
            self,
            ctx: CommandContext,
            duration: Annotated[str, "How long"],
            start: Annotated[str, "From when"],
            end: Annotated[str, "Until when"],
            window: Annotated[str, "Over what period"],
        ) -> None:
            """Name options with accents and without."""

        @command(option_names={"fr": {"days": "Jours"}})
        async def shout(self, ctx: CommandContext, days: Annotated[int, "How many"]) -> None:
            """Name an option in capitals."""

    spec = build_spec(Cog().wait)
    assert spec.usage_for("fr") == "/wait <durée> <départ> <echeance> <période>"
    with pytest.raises(CommandDeclarationError, match="must be 1 to 32 lower-case letters"):
        build_spec(Cog().shout)


def test_a_command_that_sanctions_needs_the_power_to_do_it_oneself() -> None:
    powers = {spec.name: spec.power for spec in command_specs(SHIPPED_COGS)}
    assert {name: power for name, power in powers.items() if power is not None} == {
        "ban": Power.BAN,
        "unban": Power.BAN,
        "kick": Power.KICK,
        "timeout": Power.TIMEOUT,
        "untimeout": Power.TIMEOUT,
        "purge": Power.DELETE,
        "rules_reload": Power.MANAGE,
        "member_data": Power.MANAGE,
        "forget_member": Power.MANAGE,
    }


def test_only_a_moderators_command_can_need_a_power() -> None:
    class Cog:
        @command(power=Power.BAN)
        async def ban(self, ctx: CommandContext) -> None:
            """Ban someone."""

    with pytest.raises(CommandDeclarationError, match="needs a power is a moderator's"):
        build_spec(Cog().ban)


def test_every_shipped_option_has_a_french_name_and_description() -> None:
    specs = command_specs(SHIPPED_COGS)
    untranslated = sorted(
        f"/{spec.name} {option.name}"
        for spec in specs
        for option in spec.options
        if "fr" not in option.names or option.description_for("fr") == option.description
    )
    assert untranslated == []
    [warn] = [spec for spec in specs if spec.name == "warn"]
    member = warn.options[0]
    assert member.description_for("fr-CA") == "Qui avertir"
    assert member.description_for("de") == "Who to warn"


def test_an_option_description_too_long_in_a_language_is_refused() -> None:
    class Cog:
        @command()
        async def remind(
            self, ctx: CommandContext, text: Annotated[Text, "What", {"fr": "x" * 101}]
        ) -> None:
            """Remind."""

    with pytest.raises(CommandDeclarationError, match="the fr description of option 'text'"):
        build_spec(Cog.remind)


def test_every_shipped_command_has_a_french_help_naming_commands_the_french_way() -> None:
    specs = command_specs(SHIPPED_COGS)
    french_names = {spec.name_for("fr") for spec in specs}
    without = [spec.name for spec in specs if "fr" not in spec.helps]
    assert without == []
    for spec in specs:
        french = spec.help_for("fr")
        assert french.splitlines()[0] != spec.help.splitlines()[0], spec.name
        named = set(re.findall(r"(?<![\w/])/([a-z_]+)", french))
        assert named <= french_names, (spec.name, named - french_names)


def test_help_comes_in_the_community_language() -> None:
    class Cog:
        @command(helps={"fr": "Saluer.\n\n    Exemple : /saluer"})
        async def greet(self, ctx: CommandContext) -> None:
            """Greet.

            Example: /greet
            """

        @command(helps={"fr": ""})
        async def empty(self, ctx: CommandContext) -> None:
            """Say nothing in French."""

    spec = build_spec(Cog().greet)
    assert spec.help_for("fr-CA") == "Saluer.\n\nExemple : /saluer"
    assert spec.help_for("de") == spec.help == "Greet.\n\nExample: /greet"
    with pytest.raises(CommandDeclarationError, match="the fr help is empty"):
        build_spec(Cog().empty)


def test_shipped_texts_name_commands_as_their_locale_does() -> None:
    specs = command_specs(SHIPPED_COGS)

    def texts_of(node: Any, where: str) -> Iterator[tuple[str, str]]:
        if isinstance(node, dict):
            for key, value in node.items():
                yield from texts_of(value, f"{where}.{key}")
        elif isinstance(node, list):
            for value in node:
                yield from texts_of(value, where)
        elif isinstance(node, str):
            yield where, node

    wrong = []
    for path in sorted(shipped_rules_directory().glob("*.yaml")):
        for locale, texts in yaml.safe_load(path.read_text(encoding="utf-8"))["texts"].items():
            names = {spec.name_for(locale) for spec in specs}
            for where, text in texts_of(texts, f"{path.name}:texts.{locale}"):
                named = set(re.findall(r"(?<![\w/])/([a-z_]+)", text))
                wrong += [f"{where}: /{name}" for name in sorted(named - names)]
    assert wrong == []


def test_a_command_run_from_a_private_chat_takes_no_options() -> None:
    class Cog:
        @command(private=True)
        async def mine(self, ctx: CommandContext) -> None:
            """Send me what is mine."""

        @command(private=True)
        async def theirs(self, ctx: CommandContext, member: Annotated[MemberRef, "Whose"]) -> None:
            """Send me what is someone else's."""

    assert build_spec(Cog().mine).private
    with pytest.raises(CommandDeclarationError, match="private chat cannot take options"):
        build_spec(Cog().theirs)


def declared_with(status: Any) -> Callable[..., Any]:
    """A command whose option ``status`` is annotated ``status`` (built at run time)."""

    async def answer(self: object, ctx: CommandContext, status: Any) -> None:
        """Answer."""

    answer.__annotations__ = {"ctx": CommandContext, "status": status, "return": None}
    return command()(answer)


@pytest.mark.parametrize(
    ("names", "message"),
    [
        ({"fr": {"done": "faite"}}, "names 'done', which is not a choice"),
        ({"fr": {"accepted": "bien reçue"}}, "fr name of choice 'accepted' must be one word"),
        ({"fr": {"accepted": "Declined"}}, "'Declined' of choice 'accepted' could also mean"),
        ({"fr": {"accepted": "oui", "declined": "OUI"}}, "'OUI' of choice 'declined' could"),
    ],
)
def test_choice_names_are_checked(names: dict[str, dict[str, str]], message: str) -> None:
    status = Annotated[Literal["accepted", "declined"], "What it becomes", ChoiceNames(names)]
    with pytest.raises(CommandDeclarationError, match=re.escape(message)):
        build_spec(declared_with(status))


def test_other_words_of_a_choice_are_accepted_never_shown_and_checked() -> None:
    names = ChoiceNames(
        {"fr": {"accepted": "acceptée", "declined": "refusée"}},
        also={"accepted": ("accepté",), "declined": ("refusé",)},
    )
    status = Annotated[Literal["accepted", "declined"], "What it becomes", names]
    [option] = build_spec(declared_with(status)).options
    assert [option.choice_for(word) for word in ("accepté", "ACCEPTE", "refusé")] == [
        "accepted",
        "accepted",
        "declined",
    ]
    assert option.choices_for("fr") == ("acceptée", "refusée")
    for also, message in [
        ({"done": ("fait",)}, "names 'done', which is not a choice"),
        ({"accepted": ("bien reçu",)}, "other word of choice 'accepted' must be one word"),
        ({"accepted": ("Refusée",)}, "'Refusée' of choice 'accepted' could also mean"),
        ({"accepted": "accepté"}, "other words of choice 'accepted' must be a tuple"),
    ]:
        wrong = ChoiceNames({"fr": {"accepted": "acceptée", "declined": "refusée"}}, also=also)
        status = Annotated[Literal["accepted", "declined"], "What it becomes", wrong]
        with pytest.raises(CommandDeclarationError, match=re.escape(message)):
            build_spec(declared_with(status))


def test_choice_names_need_choices() -> None:
    status = Annotated[str, "What it becomes", ChoiceNames({"fr": {"a": "b"}})]
    with pytest.raises(CommandDeclarationError, match="option 'status' has no choices to name"):
        build_spec(declared_with(status))
