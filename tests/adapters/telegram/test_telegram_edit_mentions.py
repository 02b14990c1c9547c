"""An edit's mentions, and paid reactions: Telegram updates → neutral events (pure)."""

from __future__ import annotations

from typing import Any

from telegram import Update

from bot.adapters.telegram.convert import BotIdentity, convert_update
from bot.adapters.telegram.directory import Directory
from bot.events import Event, MessageEdited, ReactionAdded, ReactionRemoved
from tests.adapters.telegram.payloads import ALICE, BOB, DATE, message, reaction, text_message

BOT = BotIdentity(123, "jardinier_bot")


def convert(payload: dict[str, Any], directory: Directory | None = None) -> list[Event]:
    update = Update.de_json({"update_id": 1, **payload}, None)
    directory = directory or Directory()
    directory.learn(update)
    return convert_update(update, bot=BOT, lookups=directory)


def test_an_edit_carries_the_members_its_entities_mention() -> None:
    """ "great answer" edited to thank @alice and Bob (who has no username: a text mention)."""
    directory = Directory()
    directory.learn(Update.de_json({"update_id": 9, **text_message(ALICE, "hi")}, None))
    text = "great answer, thanks @alice and Bob"
    entities = [
        {"type": "mention", "offset": 21, "length": 6},
        {"type": "text_mention", "offset": 32, "length": 3, "user": BOB},
    ]
    edited = message(BOB, text, message_id=42, entities=entities, edit_date=DATE + 60)

    events = convert({"edited_message": edited}, directory)

    assert len(events) == 1
    event = events[0]
    assert isinstance(event, MessageEdited)
    assert [user.id for user in event.mentions] == ["201", "202"]


def test_an_edited_caption_carries_the_members_it_mentions() -> None:
    caption = "my tomatoes, thanks Alice"
    entities = [{"type": "text_mention", "offset": 20, "length": 5, "user": ALICE}]
    photo = [{"file_id": "p1", "file_unique_id": "u1", "width": 90, "height": 90}]
    edited = message(
        BOB,
        photo=photo,
        caption=caption,
        caption_entities=entities,
        message_id=43,
        edit_date=DATE + 60,
    )

    events = convert({"edited_message": edited})

    assert len(events) == 1
    assert isinstance(events[0], MessageEdited)
    assert [user.id for user in events[0].mentions] == ["201"]


def test_an_edit_without_mentions_carries_none() -> None:
    edited = message(ALICE, "hello (fixed)", message_id=44, edit_date=DATE + 60)
    events = convert({"edited_message": edited})
    assert len(events) == 1
    assert isinstance(events[0], MessageEdited)
    assert events[0].mentions == ()


def test_a_paid_reaction_is_a_star() -> None:
    """Telegram shows a paid reaction (Telegram Stars) as a star; the cogs hear one, not the
    word "paid"."""
    update = reaction(BOB, 40)
    update["message_reaction"]["new_reaction"] = [{"type": "paid"}]
    added = convert(update)
    assert [(type(event), event.emoji) for event in added] == [(ReactionAdded, "⭐")]

    update = reaction(BOB, 40)
    update["message_reaction"]["old_reaction"] = [{"type": "paid"}]
    removed = convert(update)
    assert [(type(event), event.emoji) for event in removed] == [(ReactionRemoved, "⭐")]
