"""What the shipped rules leave alone: ordinary chat that only looks like a breach of them, and
input that must not let a breach slip through."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cogs.netiquette.triggers.match_links import links_in
from tests.cogs.netiquette.conftest import ForumFactory
from tests.cogs.netiquette.forum import NO_INSULTS

KEKW = "<:KEKW:123456789012345678>"

INNOCENT = [
    "Please write to support@here.com if the form fails",
    "Our newsletter: team@everyone.fr",
    "My portfolio is at https://about.me/alice",
    "see https://www.chat.me/room for the photos",
    "notdiscord.gg/xyz is not a server",
    f"{KEKW} {KEKW} {KEKW} {KEKW}",
    "lol <:PEPEHANDS:123456789012345678> <:OMEGALUL:123456789012345678>",
    "ok :POGGERS: :KEKW: :OMEGALUL: :PEPEHANDS:",
    "look https://youtu.be/DQW4W9WGXCQ",
    "alors, comment va ta gueule de bois ce matin ?",  # a hangover
]


@pytest.mark.parametrize("text", INNOCENT)
async def test_the_shipped_rules_leave_it_alone(open_forum: ForumFactory, text: str) -> None:
    forum = await open_forum()
    await forum.say("alice", text)
    assert forum.platform.actions == []


@pytest.mark.parametrize(
    "text",
    [
        "hey @everyone look",
        "join www.discord.gg/othergarden",
        "see https://t.me/+AbCdEf123",
        "WHY DOES NOBODY EVER ANSWER ME HERE",
        "t'a gueule",  # the common misspelling of "ta gueule"
        "t’a gueule",  # with a phone's apostrophe
        "ta gueule, j'ai la gueule de bois",  # the hangover excuses only itself
    ],
)
async def test_the_shipped_rules_still_act_on_the_real_thing(
    open_forum: ForumFactory, text: str
) -> None:
    forum = await open_forum()
    await forum.say("alice", text)
    assert forum.platform.actions != []


async def test_thanking_three_helpers_the_same_way_is_no_spam(open_forum: ForumFactory) -> None:
    forum = await open_forum()
    for helper in ("bob", "carol", "dave"):
        tip = await forum.say(helper, "Copper tape around the pots keeps the slugs off")
        await forum.say("alice", "Merci !", reply_to=tip)
        await forum.wait(timedelta(seconds=20))
    assert forum.platform.actions == []
    pasted = [await forum.say("erin", "Free seeds for everyone, write to me!") for _ in range(3)]
    assert sorted(forum.deleted()) == sorted(message.id for message in pasted)


async def test_a_lone_surrogate_does_not_let_a_message_past_the_rules(
    open_forum: ForumFactory,
) -> None:
    forum = await open_forum(NO_INSULTS)
    message = await forum.say("alice", "you idiot \udc9f")
    assert forum.deleted() == [message.id]
    record = await forum.cog.casebook.get(forum.platform.community, 1)
    assert record is not None
    assert record.excerpt == "you idiot ?"


def test_two_sentences_missing_a_space_are_no_link() -> None:
    assert links_in("Merci.Ca va ? I agree.To be honest. Bof.De rien") == []
    assert links_in("see example.com, SPAM.COM and https://Docs.Example.Org/x") == [
        "example.com",
        "spam.com",
        "docs.example.org",
    ]
