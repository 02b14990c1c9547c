"""Influence with any damping the rule book allows: PageRank converges, the shout-out is posted."""

from __future__ import annotations

from datetime import timedelta

import pytest

import cogs.contributors.influence as influence_module
from cogs.contributors.config import InfluenceConfig
from cogs.contributors.influence import influence
from cogs.contributors.standings import Edge
from tests.cogs.contributors.conftest import ForumFactory
from tests.cogs.contributors.forum import Forum

LONG = "Here is a long and thoughtful message about the garden."


async def a_slow_graph(forum: Forum) -> None:
    """A back-and-forth between two members and one more reply: with a damping of 0.9, more
    than PageRank's default 100 iterations to converge."""
    question = await forum.say("bob", LONG)
    answer = await forum.say("carol", LONG, reply_to=question)
    await forum.say("bob", LONG, reply_to=answer)
    await forum.say("alice", LONG, reply_to=answer)


async def test_influencers_answers_with_a_damping_the_rule_book_allows(
    open_forum: ForumFactory,
) -> None:
    forum = await open_forum(influence={"damping": 0.9})
    await a_slow_graph(forum)

    reply = await forum.run("alice", "/influencers")

    assert forum.ranked(reply)[0] == "carol", reply


async def test_the_shoutout_is_posted_with_a_damping_the_rule_book_allows(
    open_forum: ForumFactory,
) -> None:
    forum = await open_forum(influence={"damping": 0.9})
    await a_slow_graph(forum)
    forum.platform.actions.clear()

    await forum.wait(timedelta(days=7))  # Monday 09:00: the weekly shout-out

    [posted] = [sent for sent in forum.platform.sent() if sent.target.name == "#general"]
    assert "Most influential: carol" in posted.text, posted.text


@pytest.mark.parametrize("damping", [0.05, 0.5, 0.85, 0.95, 0.99])
def test_pagerank_converges_with_the_damping_given(damping: float) -> None:
    edges = [
        Edge("carol", "bob", "reply", 1),
        Edge("bob", "carol", "reply", 1),
        Edge("alice", "carol", "reply", 1),
    ]

    ranked = influence(edges, InfluenceConfig(damping=damping))

    assert [item.user_id for item in ranked] == ["carol", "bob"]
    # Nobody engaged with alice: hers is only the random jump's share, the rest is theirs.
    alice = (1 - damping) / 3
    assert sum(item.rank for item in ranked) == pytest.approx(1 - alice)


async def test_the_shoutout_is_posted_without_its_influencer_when_pagerank_fails(
    open_forum: ForumFactory, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A damping so close to 1 that PageRank gives up: the rest of the week is celebrated."""
    monkeypatch.setattr(influence_module, "MOST_ITERATIONS", 100)  # as 0.99999 would need
    forum = await open_forum(influence={"damping": 0.9})
    await a_slow_graph(forum)
    forum.platform.actions.clear()

    await forum.wait(timedelta(days=7))

    [posted] = [sent for sent in forum.platform.sent() if sent.target.name == "#general"]
    assert posted.text.splitlines()[1] == "1. carol (2 replies)", posted.text
    assert "Most influential" not in posted.text
    assert "lower influence.damping" in caplog.text


async def test_influencers_says_what_to_change_when_pagerank_fails(
    open_forum: ForumFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What to change is said to the moderators (the member is told they were)."""
    monkeypatch.setattr(influence_module, "MOST_ITERATIONS", 100)  # as 0.99999 would need
    forum = await open_forum(influence={"damping": 0.9})
    await a_slow_graph(forum)

    await forum.command("alice", "/influencers")

    [told] = forum.texts("mod-log")
    assert "lower influence.damping in contributors.yaml" in told, told
