"""PageRank that cannot converge (a damping too close to 1): members are answered in their
language, the operator's sentence goes to the log, and the moderators are told once."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import pytest

import cogs.contributors.influence as influence_module
from tests.cogs.contributors.conftest import ForumFactory
from tests.cogs.contributors.forum import Forum
from tests.cogs.contributors.test_contributors_influence_damping import a_slow_graph
from tests.support.rulebook import edit_section

OPERATOR = "lower influence.damping in contributors.yaml"


async def answer(forum: Forum, name: str, line: str) -> str:
    """What the bot answered ``name`` in #general (the mod-log may be told too)."""
    before = len(forum.texts("general"))
    await forum.command(name, line)
    [answered] = forum.texts("general")[before:]
    return answered


async def test_a_french_member_is_answered_in_french_and_the_operator_is_told(
    open_forum: ForumFactory,
    rules_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    edit_section(rules_dir, "community", {"locale": "fr"})
    monkeypatch.setattr(influence_module, "MOST_ITERATIONS", 100)  # as 0.99999 would need
    forum = await open_forum(influence={"damping": 0.9})
    await a_slow_graph(forum)
    caplog.set_level(logging.INFO)

    reply = await answer(forum, "alice", "/influenceurs")

    assert reply == (
        "Le classement d'influence est indisponible pour le moment\u00a0; "
        "l'équipe de modération est prévenue."
    )
    assert OPERATOR in caplog.text
    [told] = forum.texts("mod-log")
    assert OPERATOR in told, told


async def test_the_mod_log_is_told_once_however_often_members_ask(
    open_forum: ForumFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(influence_module, "MOST_ITERATIONS", 100)
    forum = await open_forum(influence={"damping": 0.9})
    await a_slow_graph(forum)

    first = await answer(forum, "alice", "/influencers")
    await answer(forum, "bob", "/influencers")
    await answer(forum, "alice", "/influencers 30d")

    assert first == "The influence ranking is unavailable for now; the moderators have been told."
    assert len([text for text in forum.texts("mod-log") if OPERATOR in text]) == 1


async def test_the_shoutout_without_its_influencer_tells_the_mod_log(
    open_forum: ForumFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(influence_module, "MOST_ITERATIONS", 100)
    forum = await open_forum(influence={"damping": 0.9})
    await a_slow_graph(forum)

    await forum.wait(timedelta(days=7))

    assert any(OPERATOR in text for text in forum.texts("mod-log")), forum.texts("mod-log")
