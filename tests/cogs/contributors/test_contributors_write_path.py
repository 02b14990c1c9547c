"""The write path: buffered counters, one transaction per flush, a bounded buffer."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import event

from tests.cogs.contributors.conftest import ForumFactory
from tests.cogs.contributors.forum import Forum

LONG = "Here is a long and thoughtful message about the garden."


async def test_many_messages_are_written_in_one_transaction(forum: Forum) -> None:
    for n in range(20):
        await forum.say(f"member{n}", "hello")  # the core records each member once
    await forum.cog.flush()
    commits: list[object] = []

    def committed(connection: object) -> None:
        commits.append(connection)

    event.listen(forum.core.db.engine.sync_engine, "commit", committed)
    for n in range(200):
        await forum.say(f"member{n % 20}", LONG)
        await forum.wait(timedelta(seconds=10))

    assert commits == []  # nothing written per message
    assert len(forum.cog.buffer) == 20
    await forum.cog.flush()

    assert len(commits) == 1
    assert len(forum.cog.buffer) == 0
    event.remove(forum.core.db.engine.sync_engine, "commit", committed)


async def test_a_full_buffer_flushes_early_and_never_grows_past_its_bound(
    open_forum: ForumFactory,
) -> None:
    forum = await open_forum(write={"buffer_limit": 50})
    for n in range(500):
        await forum.say(f"member{n}", LONG)
        assert len(forum.cog.buffer) < 50
    assert forum.cog.buffer.flushes >= 9
    assert len(forum.ranked(await forum.run("alice", "/top"))) == 10


async def test_counters_survive_a_restart(open_forum: ForumFactory, tmp_path: Path) -> None:
    database = tmp_path / "j.db"
    first = await open_forum(database=database)
    post = await first.say("carol", LONG)
    await first.say("alice", "Thanks carol, that is really helpful", reply_to=post)
    await first.core.stop()  # teardown writes what is pending

    second = await open_forum(database=database)

    assert second.ranked(await second.run("bob", "/top"))[0] == "carol"
