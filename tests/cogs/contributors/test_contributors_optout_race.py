"""An opt-out sent twice at once (a double tap) is answered twice, and recorded once."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from tests.cogs.contributors.forum import Forum

LONG = "Here is a long and thoughtful message about the garden."


async def test_an_opt_out_sent_twice_at_once_is_answered_twice(forum: Forum) -> None:
    await forum.say("carol", LONG)
    before = len(forum.platform.sent())

    await asyncio.gather(
        forum.command("carol", "/contributors_optout"),
        forum.command("carol", "/contributors_optout"),
    )

    answers = sorted(sent.text for sent in forum.platform.sent()[before:])
    assert len(answers) == 2, answers
    assert answers[0].startswith("Done: you are no longer scored"), answers
    assert answers[1].startswith("You have already"), answers
    assert (await forum.run("carol", "/contributors_optin")).startswith("Welcome back")


async def test_an_opt_in_sent_twice_at_once_is_answered_twice(forum: Forum) -> None:
    await forum.run("carol", "/contributors_optout")
    before = len(forum.platform.sent())

    await asyncio.gather(
        forum.command("carol", "/contributors_optin"),
        forum.command("carol", "/contributors_optin"),
    )

    answers = sorted(sent.text for sent in forum.platform.sent()[before:])
    assert len(answers) == 2, answers
    assert answers[0].startswith("Welcome back"), answers
    assert answers[1].startswith("You are already counted"), answers
    await forum.say("carol", LONG)
    assert "carol" in await forum.run("mod", "/top")


async def test_an_opt_out_that_could_not_be_written_is_not_taken_as_done(
    forum: Forum, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database failed while writing carol's opt-out: she is still counted, and her next
    /contributors_optout does it."""
    await forum.say("carol", LONG)
    database = forum.core.db
    written = database.session

    def failing() -> Any:  # once: the next write goes through
        monkeypatch.setattr(database, "session", written)
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(database, "session", failing)
    assert "was not done" in await forum.run("carol", "/contributors_optout")

    assert "carol" in await forum.run("mod", "/top")
    assert (await forum.run("carol", "/contributors_optout")).startswith("Done")
