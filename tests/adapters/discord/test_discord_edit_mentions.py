"""An edit's mentions: the members a Discord message mentions once edited (``convert.py``)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.adapters.discord import convert
from bot.events import UserRef
from tests.adapters.discord.discord_world import MEMBERS, RecordedGateway, payload


@pytest.fixture
def gateway() -> RecordedGateway:
    """The Garden loaded from its GUILD_CREATE payload."""
    return RecordedGateway()


def mention_of(name: str) -> dict[str, Any]:
    """``name`` as a message's ``mentions`` lists them."""
    return {
        "id": str(MEMBERS[name]),
        "username": name,
        "discriminator": "0",
        "global_name": name.title(),
        "avatar": None,
        "bot": False,
        "public_flags": 0,
    }


def test_an_edit_carries_the_members_it_mentions(gateway: RecordedGateway) -> None:
    """ "great answer" edited to thank Hugo by name: the edit mentions him (and still Rosa)."""
    created = payload("message_create")
    gateway.parse("MESSAGE_CREATE", created, "message")
    edited = payload("message_update")
    edited["content"] = f"<@{MEMBERS['rosa']}> great answer, thanks <@{MEMBERS['hugo']}>"
    edited["mentions"] = [*edited["mentions"], mention_of("hugo")]
    update = gateway.parse("MESSAGE_UPDATE", edited, "raw_message_edit")

    event = convert.message_edited(update)

    assert event is not None
    assert event.mentions == (
        UserRef("discord", str(MEMBERS["rosa"])),
        UserRef("discord", str(MEMBERS["hugo"])),
    )
    # Named as the members see them: Hugo by his server nickname.
    assert [user.name for user in event.mentions] == ["Rosa", "Hugo (helper)"]


def test_an_edit_that_mentions_no_one_carries_no_mentions(gateway: RecordedGateway) -> None:
    edited = payload("message_update")
    edited["content"], edited["mentions"] = "look at my first ripe tomato!", []
    event = convert.message_edited(gateway.parse("MESSAGE_UPDATE", edited, "raw_message_edit"))
    assert event is not None
    assert event.mentions == ()
