"""Slash-command payloads: what ``jardinier commands --platform discord`` prints is what the bot
syncs, and Discord's API would accept it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Annotated, Any, Literal

import pytest

from bot.adapters.discord.commands import (
    application_command,
    application_commands,
    payload_digest,
    suggestions,
)
from bot.commands import CommandContext, Permission, command
from bot.commands.spec import OptionKind, OptionSpec, build_spec
from bot.durations import parse_duration
from bot.events import ChannelRef, MemberRef
from cogs.netiquette.moderation import Moderation
from cogs.suggestions.cog import SuggestionsCog

NAME = re.compile(r"^[a-z0-9_-]{1,32}$")
LOCALIZED_NAME = re.compile(r"^[-_'\w]{1,32}$")
"""Discord's rule for names, ``^[-_'\\p{L}\\p{N}…]{1,32}$`` in lower case where letters have
cases: a localised option name may be ``durée``."""
# The locales Discord accepts in *_localizations (its API documentation, "Locales").
DISCORD_LOCALES = {
    "id", "da", "de", "en-GB", "en-US", "es-ES", "es-419", "fr", "hr", "it", "lt", "hu", "nl",
    "no", "pl", "pt-BR", "ro", "fi", "sv-SE", "vi", "tr", "cs", "el", "bg", "ru", "uk", "hi",
    "th", "zh-CN", "ja", "zh-TW", "ko",
}  # fmt: skip
OPTION_TYPES = set(range(3, 12))
MANAGE_MESSAGES = str(1 << 13)
# Who Discord shows a moderator's command to when it needs a power: who holds its permission.
BAN_MEMBERS, KICK_MEMBERS, MODERATE_MEMBERS, MANAGE_SERVER = (
    str(1 << 2), str(1 << 1), str(1 << 40), str(1 << 5)
)  # fmt: skip
POWERED = {
    "ban": BAN_MEMBERS,
    "unban": BAN_MEMBERS,
    "kick": KICK_MEMBERS,
    "timeout": MODERATE_MEMBERS,
    "untimeout": MODERATE_MEMBERS,
    "purge": MANAGE_MESSAGES,
    "rules_reload": MANAGE_SERVER,
    "member_data": MANAGE_SERVER,
    "forget_member": MANAGE_SERVER,
}


def discord_refusals(payload: list[dict[str, Any]]) -> list[str]:
    """What Discord's API would refuse in a bulk overwrite of global commands."""
    problems = []
    if len(payload) > 100:
        problems.append("more than 100 commands")
    names = [command["name"] for command in payload]
    if len(names) != len(set(names)):
        problems.append("duplicate command names")
    for command_ in payload:
        where = f"/{command_.get('name')}"
        if command_.get("type") != 1:
            problems.append(f"{where}: not a chat-input command")
        if not NAME.fullmatch(command_.get("name", "")):
            problems.append(f"{where}: invalid name")
        problems += _description(where, command_)
        permissions = command_.get("default_member_permissions")
        if permissions is not None and not (
            isinstance(permissions, str) and permissions.isdigit()
        ):
            problems.append(f"{where}: default_member_permissions must be a string of digits")
        if not set(command_.get("contexts", [0])) <= {0, 1, 2}:
            problems.append(f"{where}: invalid contexts")
        if not set(command_.get("integration_types", [0])) <= {0, 1}:
            problems.append(f"{where}: invalid integration_types")
        options = command_.get("options", [])
        if len(options) > 25:
            problems.append(f"{where}: more than 25 options")
        seen_optional = False
        total = len(command_["name"]) + len(command_["description"])
        for option in options:
            at = f"{where} {option.get('name')}"
            total += len(option["name"]) + len(option["description"])
            if option.get("type") not in OPTION_TYPES:
                problems.append(f"{at}: invalid type")
            if not NAME.fullmatch(option.get("name", "")):
                problems.append(f"{at}: invalid name")
            problems += _description(at, option)
            if option.get("required"):
                if seen_optional:
                    problems.append(f"{at}: required after optional")
            else:
                seen_optional = True
            choices = option.get("choices", [])
            if choices and option.get("autocomplete"):
                problems.append(f"{at}: choices and autocomplete together")
            if option.get("autocomplete") and option["type"] not in (3, 4, 10):
                problems.append(f"{at}: autocomplete on a type that cannot have it")
            if len(choices) > 25:
                problems.append(f"{at}: more than 25 choices")
            for choice in choices:
                total += len(choice["name"]) + len(str(choice["value"]))
                if not 1 <= len(choice["name"]) <= 100 or len(str(choice["value"])) > 100:
                    problems.append(f"{at}: choice too long")
            if "max_length" in option and not (
                option["type"] == 3 and 1 <= option["max_length"] <= 6000
            ):
                problems.append(f"{at}: invalid max_length")
        if total > 4000:
            problems.append(f"{where}: more than 4000 characters in all")
    return problems


def _description(where: str, item: dict[str, Any]) -> list[str]:
    problems = []
    for locale, name in (item.get("name_localizations") or {}).items():
        if locale not in DISCORD_LOCALES:
            problems.append(f"{where}: unknown locale {locale} for a name")
        if not LOCALIZED_NAME.fullmatch(name) or name != name.lower():
            problems.append(f"{where}: invalid {locale} name {name!r}")
    if not 1 <= len(item.get("description", "")) <= 100:
        problems.append(f"{where}: description must be 1 to 100 characters")
    for locale, text in (item.get("description_localizations") or {}).items():
        if locale not in DISCORD_LOCALES:
            problems.append(f"{where}: unknown locale {locale}")
        if not 1 <= len(text) <= 100:
            problems.append(f"{where}: {locale} description must be 1 to 100 characters")
    return problems


def jardinier_commands(platform: str, cwd: Path, rules: Path | None = None) -> Any:
    """Run ``jardinier commands --platform …`` as a person would and parse what it prints."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DISCORD_TOKEN", "TELEGRAM_TOKEN", "JARDINIER_RULES")
    }
    arguments = [sys.executable, "-m", "bot", "commands", "--platform", platform]
    if rules is not None:
        arguments += ["--rules", str(rules)]
    result = subprocess.run(
        arguments,
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environment,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_printed_payload_is_valid_for_discord(tmp_path: Path) -> None:
    payload = jardinier_commands("discord", tmp_path)
    assert payload, "no commands printed"
    assert discord_refusals(payload) == []


def test_moderator_commands_carry_default_member_permissions(
    tmp_path: Path, rules_dir: Path
) -> None:
    payload = {c["name"]: c for c in jardinier_commands("discord", tmp_path, rules_dir)}
    declared = {c["name"]: c for c in jardinier_commands("console", tmp_path, rules_dir)}
    assert set(payload) == set(declared)
    for name, spec in declared.items():
        moderators = POWERED.get(name, MANAGE_MESSAGES)
        expected = moderators if spec["permission"] == "moderator" else None
        assert payload[name]["default_member_permissions"] == expected, name
    assert payload["announce"]["default_member_permissions"] == MANAGE_MESSAGES
    assert payload["forget_member"]["default_member_permissions"] == MANAGE_SERVER
    assert payload["help"]["default_member_permissions"] is None


def test_every_command_is_guild_only_and_translated(tmp_path: Path, rules_dir: Path) -> None:
    payload = {c["name"]: c for c in jardinier_commands("discord", tmp_path, rules_dir)}
    for name, command_ in payload.items():
        assert command_["contexts"] == [0], name
        localized = command_["description_localizations"]
        assert {"fr", "en-US", "en-GB"} <= set(localized), name
        assert localized["en-US"] == command_["description"]
    assert (
        payload["announce"]["description_localizations"]["fr"]
        == "Programmer une annonce dans ce salon"
    )
    assert payload["help"]["description_localizations"]["fr"] == (
        "Afficher les commandes que vous pouvez utiliser"
    )
    delay, text = payload["announce"]["options"]
    assert (delay["name"], delay["name_localizations"]["fr"]) == ("delay", "délai")
    assert (text["name"], text["name_localizations"]["fr"]) == ("text", "texte")
    assert text["name_localizations"]["en-US"] == "text"
    assert text["description_localizations"]["fr"] == "Ce qu'il faut annoncer"
    assert text["description_localizations"]["en-US"] == text["description"] == "What to announce"


def test_durations_are_text_with_suggestions(tmp_path: Path, rules_dir: Path) -> None:
    payload = {c["name"]: c for c in jardinier_commands("discord", tmp_path, rules_dir)}
    delay, text = payload["announce"]["options"]
    # A delay or a date and time: durations suggested, a date longer than a duration accepted.
    assert (delay["name"], delay["type"], delay["autocomplete"]) == ("delay", 3, True)
    assert "max_length" not in delay
    assert (text["name"], text["type"], text["required"]) == ("text", 3, True)


class Declarations:
    """Commands with the option kinds the shipped cogs do not use yet."""

    @command(permission=Permission.MODERATOR, descriptions={"fr": "Avertir un membre"})
    async def warn(
        self,
        ctx: CommandContext,
        member: Annotated[MemberRef, "Who to warn"],
        where: Annotated[ChannelRef, "Where it happened"],
        level: Annotated[Literal["low", "high"], "How serious"],
        count: Annotated[int, "How many strikes"] = 1,
    ) -> None:
        """Warn a member."""

    @command()
    async def plant(
        self,
        ctx: CommandContext,
        kind: Annotated[
            Literal[
                "apple",
                "apricot",
                "basil",
                "bean",
                "beet",
                "cabbage",
                "carrot",
                "celery",
                "chard",
                "cherry",
                "chive",
                "corn",
                "cucumber",
                "dill",
                "fennel",
                "garlic",
                "kale",
                "leek",
                "lettuce",
                "mint",
                "onion",
                "parsley",
                "pea",
                "pear",
                "pepper",
                "potato",
                "radish",
                "sage",
                "squash",
                "thyme",
                "tomato",
            ],
            "What to plant",
        ],
    ) -> None:
        """Plant something (31 choices: more than Discord lists)."""


def test_option_types_follow_the_declaration() -> None:
    warn = application_command(build_spec(Declarations.warn))
    member, where, level, count = warn["options"]
    assert (member["type"], where["type"], level["type"], count["type"]) == (6, 7, 3, 4)
    assert where["channel_types"] == [0, 5, 10, 11, 12]
    assert level["choices"] == [
        {"name": "low", "value": "low"},
        {"name": "high", "value": "high"},
    ]
    assert count["required"] is False
    assert warn["default_member_permissions"] == MANAGE_MESSAGES
    assert warn["description_localizations"]["fr"] == "Avertir un membre"
    assert discord_refusals([warn]) == []


def test_a_command_that_needs_a_power_is_shown_to_those_who_hold_it() -> None:
    # Discord lists /ban (and /unban) to members who may ban, as it would its own ban.
    ban = application_command(build_spec(Moderation.ban))
    unban = application_command(build_spec(Moderation.unban))
    purge = application_command(build_spec(Moderation.purge))
    assert ban["default_member_permissions"] == unban["default_member_permissions"] == BAN_MEMBERS
    assert purge["default_member_permissions"] == MANAGE_MESSAGES


def test_choices_named_per_locale_are_listed_so() -> None:
    suggestion = application_command(build_spec(SuggestionsCog.suggestion))
    status = next(option for option in suggestion["options"] if option["name"] == "status")
    planned = next(choice for choice in status["choices"] if choice["value"] == "planned")
    assert planned["name"] == "planned"
    assert planned["name_localizations"]["fr"] == "prévue"
    assert discord_refusals([suggestion]) == []


def test_more_than_25_choices_become_suggestions() -> None:
    plant = application_command(build_spec(Declarations.plant))
    [kind] = plant["options"]
    assert kind["autocomplete"] is True
    assert "choices" not in kind
    assert discord_refusals([plant]) == []
    option = build_spec(Declarations.plant).options[0]
    assert suggestions(option, "PE") == ["pea", "pear", "pepper"]
    assert len(suggestions(option, "")) == 25


@pytest.mark.parametrize(
    ("typed", "offered"),
    [
        ("", ["10m", "30m", "1h", "2h", "12h", "1d", "3d", "7d", "2w"]),
        ("3", ["3m", "3h", "3d", "3w"]),
        ("1h30m", ["1h30m"]),
        ("1", ["1m", "1h", "1d", "1w"]),
        ("1d", ["1d"]),
        ("7j", ["7j"]),
        ("1x", []),
        ("9999w", []),
        ("tomorrow", []),
    ],
)
def test_duration_suggestions(typed: str, offered: list[str]) -> None:
    delay = OptionSpec("delay", OptionKind.DURATION, "How long")
    assert suggestions(delay, typed) == offered
    assert suggestions(delay, typed, "en-GB") == offered


@pytest.mark.parametrize(
    ("typed", "offered"),
    [
        # Days in j (jours); no week unit, as the bot reads none in French.
        ("", ["10m", "30m", "1h", "2h", "12h", "1j", "3j", "7j", "14j"]),
        ("3", ["3m", "3h", "3j"]),
        ("1", ["1m", "1h", "1j"]),
        ("1j", ["1j"]),
        ("1d", ["1d"]),  # read all the same: what the member typed is offered
        ("1x", []),
    ],
)
def test_a_french_member_is_offered_french_units(typed: str, offered: list[str]) -> None:
    delay = OptionSpec("delay", OptionKind.DURATION, "How long")
    assert suggestions(delay, typed, "fr") == offered
    for text in offered:
        parse_duration(text)


def test_other_options_get_no_suggestions() -> None:
    assert suggestions(OptionSpec("text", OptionKind.TEXT, "What"), "hel") == []


def test_the_digest_changes_with_the_commands_only() -> None:
    specs = [build_spec(Declarations.warn), build_spec(Declarations.plant)]
    first = payload_digest(application_commands(specs))
    again = payload_digest(application_commands(list(reversed(specs))))
    assert first == again  # the order of declaration does not matter
    fewer = payload_digest(application_commands(specs[:1]))
    assert fewer != first
    assert re.fullmatch(r"[0-9a-f]{64}", first)


def test_a_declaration_discord_would_refuse_is_caught_by_the_check() -> None:
    # The check itself must be able to fail, or the test above proves nothing.
    bad = application_command(build_spec(Declarations.warn))
    bad["name"] = "Warn Member"
    bad["options"][0]["description"] = "x" * 101
    bad["description_localizations"]["fr-FR"] = "Avertir"
    assert discord_refusals([bad]) == [
        "/Warn Member: invalid name",
        "/Warn Member: unknown locale fr-FR",
        "/Warn Member member: description must be 1 to 100 characters",
    ]


def test_printing_the_payloads_does_not_load_discord_py() -> None:
    # `jardinier commands` must stay fast and work where discord.py's import is costly.
    probe = "import sys, bot.adapters.discord.commands; print('discord' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "False"
