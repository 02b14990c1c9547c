"""What a member types in a command is judged as a message they wrote, before the command runs.

Without it, ``/suggest`` and ``/submit`` had the bot itself post an insult or an invitation to
another server, and a Telegram group showed the command's text unmoderated.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.core import Jardinier
from bot.events import CommandInvoked
from tests.support.community import Community
from tests.support.fake_platform import FakePlatform
from tests.support.rulebook import enable_only

REFUSED = "Not done: what you wrote breaks the rule insults (match_words: word “idiot”)."


@pytest.fixture
def rules_dir(rules_dir: Path) -> Path:
    """The shipped book with the netiquette and a cog that posts what members write."""
    enable_only(rules_dir, "netiquette", "suggestions")
    return rules_dir


@pytest.fixture
def garden(core: Jardinier, platform: FakePlatform, clock: ManualClock) -> Community:
    return Community(core, platform, clock)


async def caught_up(garden: Community) -> None:
    await garden.core.caught_up()


async def test_a_command_whose_text_a_rule_removes_is_refused_and_deleted(
    garden: Community,
) -> None:
    command = await garden.command("alice", "/suggest you are all idiots, add a bench")
    await caught_up(garden)

    assert garden.texts("suggestions") == []  # the bot did not post the insult
    assert [recorded.target for recorded in garden.done("delete")] == [command]
    answer = next(sent for sent in garden.sent("general") if sent.text.startswith("Not done"))
    assert answer.text == REFUSED
    assert answer.details["private_to"].name == "alice"
    assert any(
        line.startswith("🛡️ Case 1 · rule insults · alice") for line in garden.texts("mod-log")
    )

    await garden.command("alice", "/suggest add a bench near the compost")
    assert len(garden.texts("suggestions")) == 1


async def test_typed_options_are_judged_too(garden: Community) -> None:
    """Discord's slash commands: no message to delete, the text comes as an option."""
    general = garden.platform.channel("general")
    await garden.handle(
        CommandInvoked(
            at=garden.clock.now(),
            channel=general,
            member=garden.member("bob"),
            name="suggest",
            options={"text": "free seeds on discord.gg/othergarden"},
        )
    )
    await caught_up(garden)
    assert garden.texts("suggestions") == []
    assert garden.done("delete") == []
    (answer,) = [sent.text for sent in garden.sent("general") if sent.text.startswith("Not done")]
    assert "invite_links" in answer


async def test_what_would_not_remove_a_message_does_not_stop_a_command(garden: Community) -> None:
    garden.member("mod", moderator=True)
    # Shouting only earns a reminder; moderators are exempt from the rules.
    await garden.command("alice", "/suggest PLEASE ADD A BENCH NEAR THE COMPOST HEAP")
    await garden.command("mod", "/suggest an idiot-proof watering rota")
    await caught_up(garden)
    assert len(garden.texts("suggestions")) == 2
    assert garden.done("delete") == []


async def test_a_hidden_command_that_will_not_run_is_left_alone(garden: Community) -> None:
    """A member trying a moderator's slash command: nobody sees its text, nothing runs."""
    await garden.handle(
        CommandInvoked(
            at=garden.clock.now(),
            channel=garden.platform.channel("general"),
            member=garden.member("bob"),
            name="rules_test",
            options={"text": "you idiot"},
        )
    )
    await caught_up(garden)
    assert garden.texts() == ["Sorry, /rules_test is for moderators."]
    assert garden.texts("mod-log") == []
