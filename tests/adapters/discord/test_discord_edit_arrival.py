"""Whether a MESSAGE_UPDATE of a message discord.py does not hold is an edit: Discord resends the
whole message, its old edit time included, when it is pinned or a thread is started on it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.adapters.discord import convert
from bot.core import Jardinier
from bot.events import Event, MessageEdited
from tests.adapters.discord.discord_world import DiscordWorld, RecordedGateway, payload
from tests.adapters.discord.test_discord_convert import pinned

EDITED = datetime(2026, 11, 2, 9, 17, 30, tzinfo=UTC)  # message_update.json's edit time


@pytest.fixture
def gateway() -> RecordedGateway:
    """The Garden loaded from its GUILD_CREATE payload."""
    return RecordedGateway()


async def test_pinning_an_edited_message_the_bot_never_saw_is_not_an_edit_again(
    world: DiscordWorld, discord_core: Jardinier
) -> None:
    # Alice edited her message on 2 November at 09:17:30, before a restart (or it fell out of
    # discord.py's 1,000-message cache); weeks later a moderator pins it, or a member starts a
    # thread on it: Discord sends the whole message again, edited_timestamp unchanged. The
    # netiquette must not judge that edit a second time (a second strike for one message).
    edits: list[Event] = []

    async def listen(event: Event) -> None:
        edits.append(event)

    discord_core.bus.subscribe("core", MessageEdited, listen)
    await world.feed("MESSAGE_UPDATE", pinned(payload("message_update")))
    assert edits == []


@pytest.mark.parametrize(
    ("after", "an_edit"),
    [
        (timedelta(seconds=1), True),
        (timedelta(minutes=4), True),  # delivered late, after a resumed connection
        (timedelta(minutes=10), False),
        (timedelta(days=20), False),
    ],
)
def test_an_uncached_update_is_an_edit_only_when_it_arrives_soon_after_the_edit(
    gateway: RecordedGateway, after: timedelta, an_edit: bool
) -> None:
    update = gateway.parse("MESSAGE_UPDATE", payload("message_update"), "raw_message_edit")
    assert update.cached_message is None
    event = convert.message_edited(update, arrived=EDITED + after)
    assert (event is not None) == an_edit


def test_a_cached_message_is_judged_by_its_text_whenever_the_update_arrives(
    gateway: RecordedGateway,
) -> None:
    gateway.parse("MESSAGE_CREATE", payload("message_create"), "message")
    update = gateway.parse("MESSAGE_UPDATE", payload("message_update"), "raw_message_edit")
    event = convert.message_edited(update, arrived=EDITED + timedelta(hours=1))
    assert event is not None
    assert event.text.endswith("ripe tomato!")
