"""The engine: rule order, triggers, exemptions, cooldowns, dry runs, edits, joins."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
import yaml

from bot.events import (
    ChannelRef,
    CommunityRef,
    DryRunMatched,
    Event,
    MemberJoined,
    MemberRef,
    MessageCreated,
    MessageRef,
    ModerationRecorded,
    UserRef,
)
from cogs.netiquette import enforcement
from tests.cogs.netiquette.conftest import ForumFactory, TinyModel
from tests.cogs.netiquette.forum import NO_INSULTS, Forum
from tests.support.database import held
from tests.support.rulebook import edit_section


def words_rule(*words: str, **options: object) -> dict[str, object]:
    return {
        "triggers": [{"match_words": {"words": list(words)}}],
        "actions": {"delete": True},
        **options,
    }


async def test_a_rule_deletes_warns_and_logs_with_its_case(open_forum: ForumFactory) -> None:
    forum = await open_forum(NO_INSULTS)
    message = await forum.say("alice", "You are an IDIOT, really")
    assert forum.deleted() == [message.id]
    assert forum.core.bus.is_removed(message)
    [dm] = forum.done("dm")
    assert dm.text == "alice, you have been warned in Garden: Restons courtois (case 1)."
    [line] = forum.modlog()
    assert line == (
        "🛡️ Case 1 · rule no_insults · alice · delete, warn · match_words: word “idiot” · "
        "“You are an IDIOT, really”"
    )
    record = await forum.cog.casebook.get(forum.platform.community, 1)
    assert record is not None
    assert (record.rule, record.action, record.points) == ("no_insults", "delete, warn", 1)
    assert record.excerpt == "You are an IDIOT, really"


@pytest.mark.parametrize("slow", [False, True])
async def test_waiting_for_the_queue_cuts_its_gathering_short(
    open_forum: ForumFactory, monkeypatch: pytest.MonkeyPatch, slow: bool
) -> None:
    # A replay waits for each event's firings: the queue must not sit out its gathering pause
    # (made an hour long here) while someone waits for it.
    monkeypatch.setattr(enforcement, "ENFORCE_GATHER", timedelta(hours=1))
    forum = await open_forum(NO_INSULTS)
    bob = forum.member("bob")
    message = MessageRef(forum.platform.channel("general"), "b1")
    await forum.core.handle(
        MessageCreated(at=forum.clock.now(), message=message, author=bob, text="idiot")
    )
    async with asyncio.timeout(10):
        await forum.core.caught_up(slow=slow)
    assert forum.modlog()[-1].startswith("🛡️ Case 1 · rule no_insults · bob")


async def test_a_burst_is_deleted_at_once_then_recorded_and_announced_in_order(
    open_forum: ForumFactory,
) -> None:
    forum = await open_forum(NO_INSULTS)
    bob = forum.member("bob")
    messages = [MessageRef(forum.platform.channel("general"), f"b{n}") for n in range(4)]
    for message in messages:  # four insults arrive before the bot gets a breath
        await forum.core.handle(
            MessageCreated(at=forum.clock.now(), message=message, author=bob, text="idiot")
        )
    # The messages are gone at once, before the bot writes the cases and announces them.
    assert forum.deleted() == [message.id for message in messages]
    await forum.core.caught_up()
    lines = forum.modlog()
    assert [line.split(" · ")[0] for line in lines] == [
        "🛡️ Case 1",
        "🛡️ Case 2",
        "🛡️ Case 3",
        "⚖️ Case 5",  # the ladder step is reached by case 3, not earlier
        "🛡️ Case 4",
    ]
    assert "reached 3 strike points" in lines[3]
    assert [dm.text.rsplit("(", 1)[1] for dm in forum.done("dm")][:4] == [
        "case 1).",
        "case 2).",
        "case 3).",
        "case 5).",
    ]
    [timeout] = forum.done("timeout")
    assert timeout.details["until"] - forum.clock.now() == timedelta(hours=1)


@pytest.fixture
def busy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Connections wait 0.2 s for a locked database, and the queue 50 ms before trying again."""
    monkeypatch.setattr("bot.db.BUSY_TIMEOUT", timedelta(milliseconds=200))
    monkeypatch.setattr(enforcement, "ENFORCE_RETRY", timedelta(milliseconds=50))


async def insults(forum: Forum, *authors: MemberRef) -> list[str]:
    """Each of ``authors`` insults the group at once, in a burst; the messages' ids."""
    ids = []
    for number, author in enumerate(authors):
        channel = ChannelRef(author.community, "general", "#general")
        message = MessageRef(channel, f"m{number}")
        await forum.core.handle(
            MessageCreated(at=forum.clock.now(), message=message, author=author, text="idiot")
        )
        ids.append(message.id)
    return ids


def ours(caplog: pytest.LogCaptureFixture) -> list[str]:
    """What the netiquette cog logged."""
    return [r.getMessage() for r in caplog.records if r.name.startswith("cogs.netiquette")]


@pytest.mark.usefixtures("busy")
async def test_cases_the_database_refuses_for_a_while_wait_and_each_firing_is_done_once(
    open_forum: ForumFactory, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    database = tmp_path / "bot.db"
    forum = await open_forum(NO_INSULTS, database=database)
    await forum.say("alice", "hello garden")
    with held(database), caplog.at_level(logging.WARNING, logger="cogs.netiquette"):
        # A backup or a second bot holds the database for a while: the burst is removed at
        # once all the same, its cases wait for the database, and so does what follows them.
        removed = await insults(forum, forum.member("bob"), forum.member("carl"))
        await forum.core.caught_up()
        assert forum.deleted() == removed
        assert forum.done("dm") == []
        assert forum.modlog() == []
    await forum.core.caught_up()
    # Written once the database takes them: each firing is carried out once, in order, and
    # the messages are not removed a second time.
    assert forum.deleted() == removed
    assert [line.split(" · ")[:3] for line in forum.modlog()] == [
        ["🛡️ Case 1", "rule no_insults", "bob"],
        ["🛡️ Case 2", "rule no_insults", "carl"],
    ]
    assert [dm.text.rsplit("(", 1)[1] for dm in forum.done("dm")] == ["case 1).", "case 2)."]
    for case_id, name in ((1, "bob"), (2, "carl")):
        record = await forum.cog.casebook.get(forum.platform.community, case_id)
        assert record is not None
        assert record.user_name == name
    [waiting, taken] = ours(caplog)
    assert waiting.startswith("2 moderation cases not recorded, the database refuses them")
    assert taken.startswith("the database takes the moderation cases again, after ")


@pytest.mark.usefixtures("busy")
async def test_a_case_the_database_refuses_for_good_is_named_and_takes_no_other_with_it(
    open_forum: ForumFactory, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    database = tmp_path / "bot.db"
    forum = await open_forum(NO_INSULTS, database=database)
    orchard = CommunityRef("fake", "c2", "Orchard")
    await forum.core.members.community_id(orchard)
    await forum.core.members.community_id(forum.platform.community)
    # A clean-up script deletes the orchard's row while the bot runs: its cases can never be
    # written, the garden's must be all the same.
    with sqlite3.connect(database) as other:
        other.execute("DELETE FROM communities WHERE external_id = 'c2'")
    dan = MemberRef(orchard, UserRef("fake", "id-dan", "dan"))
    with caplog.at_level(logging.ERROR, logger="cogs.netiquette"):
        removed = await insults(forum, forum.member("bob"), dan, forum.member("carl"))
        await forum.core.caught_up()
    assert forum.deleted() == removed
    assert [line.split(" · ")[:3] for line in forum.modlog()] == [
        ["🛡️ Case 1", "rule no_insults", "bob"],
        ["🛡️ Case 2", "rule no_insults", "carl"],
    ]
    assert len(forum.done("dm")) == 2
    [lost] = ours(caplog)
    assert "id-dan" in lost
    assert orchard.key in lost
    assert "FOREIGN KEY constraint failed" in lost


async def test_cases_a_bug_fails_to_record_are_said_lost_to_it_with_its_traceback(
    open_forum: ForumFactory, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    forum = await open_forum(NO_INSULTS)

    async def buggy(*_args: object) -> list[object]:
        raise TypeError("'NoneType' object is not subscriptable")

    monkeypatch.setattr(forum.cog.casebook, "record_many", buggy)
    with caplog.at_level(logging.WARNING, logger="cogs.netiquette"):
        removed = await insults(forum, forum.member("bob"), forum.member("carl"))
        await forum.core.caught_up()
    assert forum.deleted() == removed  # a removal already done stays, nothing else is done
    assert forum.modlog() == []
    [lost] = [r for r in caplog.records if r.name.startswith("cogs.netiquette")]
    assert lost.levelno == logging.ERROR
    # Whoever is on call is sent to the bot's code, with where it failed, not to the database.
    assert lost.getMessage() == (
        "2 moderation cases (rules no_insults) lost to a bug in the bot, not a refusal of the "
        "database (TypeError: 'NoneType' object is not subscriptable)"
    )
    assert lost.exc_info is not None
    assert "refuses" not in caplog.text
    assert "in buggy" in caplog.text  # the traceback


@pytest.mark.usefixtures("busy")
async def test_a_bot_stopping_while_the_database_stays_locked_names_the_cases_it_loses(
    open_forum: ForumFactory,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(enforcement, "ENFORCE_RETRY", timedelta(milliseconds=10))
    database = tmp_path / "bot.db"
    forum = await open_forum(NO_INSULTS, database=database)
    await forum.say("alice", "hello garden")
    with held(database), caplog.at_level(logging.ERROR, logger="cogs.netiquette"):
        removed = await insults(forum, forum.member("bob"))
        async with asyncio.timeout(10):  # a few more tries, then it lets go
            await forum.cog.teardown()
    assert forum.deleted() == removed
    assert forum.done("dm") == []
    [lost] = ours(caplog)
    assert lost.startswith("stopping: 1 moderation cases lost, the database still refuses them")
    assert f"member id-bob of {forum.platform.community.key}" in lost


@pytest.mark.usefixtures("busy")
async def test_strikes_whose_commit_failed_are_not_counted_on_the_ladder(
    open_forum: ForumFactory,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    forum = await open_forum(NO_INSULTS)
    await forum.say("bob", "idiot")
    # The disk refuses the commit of bob's second case once (full, or an I/O error): the case
    # is written again a moment later, and must count once, not twice.
    dialect = forum.core.db.engine.dialect
    commit = dialect.do_commit
    refusals = [sqlite3.OperationalError("disk I/O error")]

    def refuse_once(connection: object) -> None:
        if refusals:
            raise refusals.pop()
        commit(connection)

    monkeypatch.setattr(dialect, "do_commit", refuse_once)
    with caplog.at_level(logging.WARNING, logger="cogs.netiquette"):
        await forum.say("bob", "idiot")
    assert refusals == []
    assert "disk I/O error" in ours(caplog)[0]
    assert forum.done("timeout") == []
    forum.member("mod", moderator=True)
    await forum.run("mod", "/strikes bob")
    assert forum.answers()[-1].startswith("bob has 2 active strike points.")
    # The third insult brings the 3 points of the ladder's first step, and its timeout.
    await forum.say("bob", "idiot")
    [timeout] = forum.done("timeout")
    assert timeout.details["until"] - forum.clock.now() == timedelta(hours=1)
    assert "reached 3 strike points" in forum.modlog()[-1]


async def test_later_listeners_do_not_see_a_removed_message(open_forum: ForumFactory) -> None:
    forum = await open_forum(NO_INSULTS)
    seen: list[str] = []

    async def observer(event: MessageCreated) -> None:
        seen.append(event.text)

    forum.core.bus.subscribe("netiquette", MessageCreated, observer)  # type: ignore[arg-type]
    await forum.say("alice", "idiot")
    await forum.say("alice", "hello")
    assert seen == ["hello"]


async def test_rules_run_in_order_and_the_first_that_fires_stops_the_others(
    open_forum: ForumFactory,
) -> None:
    forum = await open_forum(
        {
            "first": {**words_rule("weed"), "actions": {"log": True}},
            "second": words_rule("weed", "thistle"),
        }
    )
    await forum.say("alice", "weed")
    assert forum.deleted() == []
    assert "rule first" in forum.modlog()[0]
    await forum.say("alice", "thistle")
    assert len(forum.deleted()) == 1


async def test_allow_further_rules_lets_the_next_rules_fire(open_forum: ForumFactory) -> None:
    forum = await open_forum(
        {
            "first": {**words_rule("weed"), "actions": {"log": True}, "allow_further_rules": True},
            "second": words_rule("weed"),
        }
    )
    await forum.say("alice", "weed")
    assert len(forum.deleted()) == 1
    assert [line.split(" · ")[1] for line in forum.modlog()] == ["rule first", "rule second"]


async def test_triggers_are_ored_and_the_first_match_is_reported(
    open_forum: ForumFactory,
) -> None:
    forum = await open_forum(
        {
            "weeds": {
                "triggers": [
                    {"match_words": {"words": ["nettle"]}},
                    {"match_regex": {"patterns": ["thistl+e"]}},
                ],
                "actions": {"delete": True},
            }
        }
    )
    await forum.say("alice", "a thistllle here")
    await forum.say("alice", "a nettle and a thistle")
    assert len(forum.deleted()) == 2
    assert "match_regex: pattern “thistl+e”" in forum.modlog()[0]
    assert "match_words: word “nettle”" in forum.modlog()[1]


async def test_disabled_rules_and_dry_runs(open_forum: ForumFactory) -> None:
    forum = await open_forum(
        {
            "off": {**words_rule("weed"), "enabled": False},
            "trial": {
                "triggers": [{"match_words": {"words": ["weed"]}}],
                "actions": {
                    "delete": True,
                    "warn": {"reason": "x"},
                    "timeout": {"duration": "1h"},
                },
                "dry_run": True,
            },
        }
    )
    await forum.say("alice", "weed")
    assert forum.deleted() == []
    assert forum.done("timeout") == []
    assert forum.done("dm") == []
    assert forum.modlog() == [
        "🧪 Dry run · rule trial would delete, warn, timeout · alice · match_words: word “weed” "
        "· “weed”"
    ]
    assert await forum.cog.casebook.of_member(forum.platform.community, "id-alice") == []


@pytest.mark.parametrize("mod_log", ["mod-log", None])
async def test_a_dry_run_logs_what_would_be_done_and_whom_only_without_a_mod_log(
    open_forum: ForumFactory,
    rules_dir: Path,
    caplog: pytest.LogCaptureFixture,
    mod_log: str | None,
) -> None:
    """The log, shipped and kept out of reach of /forget_member, says which rule would act; who
    and what they wrote it keeps only where no mod-log holds them."""
    edit_section(rules_dir, "community", {"channels": {"mod_log": mod_log}})
    forum = await open_forum({"trial": {**words_rule("weed"), "dry_run": True}})
    with caplog.at_level(logging.INFO):
        await forum.say("alice", "weed by the 0612345678 shed")

    at_info = [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO]
    assert "dry run in fake-c1: rule trial would delete" in at_info
    line = "🧪 Dry run · rule trial would delete · alice · match_words: word “weed” · “weed by"
    if mod_log is None:
        assert any(message.startswith(f"mod-log fake-c1: {line}") for message in at_info)
    else:
        assert forum.modlog()[0].startswith(line)
        assert not any("alice" in message or "0612345678" in message for message in at_info)


async def test_a_rule_on_trial_does_not_stop_the_enforced_rules_after_it(
    open_forum: ForumFactory,
) -> None:
    """Trying a stricter rule first must not weaken the rules already enforced."""
    forum = await open_forum(
        {
            "trial": {**words_rule("weed", "nettle"), "dry_run": True},
            "nettles": words_rule("nettle"),
        }
    )
    tried: list[DryRunMatched] = []

    async def note(event: Event) -> None:
        assert isinstance(event, DryRunMatched)
        tried.append(event)

    forum.core.bus.subscribe("core", DryRunMatched, note)
    weed = await forum.say("alice", "weed")
    nettle = await forum.say("alice", "nettle")
    assert forum.deleted() == [nettle.id]
    assert [(event.rule, event.action, event.message) for event in tried] == [
        ("trial", "delete", weed),
        ("trial", "delete", nettle),
    ]
    assert forum.modlog()[1].startswith("🧪 Dry run · rule trial would delete · alice")
    assert "rule nettles" in forum.modlog()[2]


async def test_channels_include_and_exclude(open_forum: ForumFactory) -> None:
    forum = await open_forum(
        {
            "only_general": {**words_rule("weed"), "channels": {"include": ["general"]}},
            "not_in_offtopic": {**words_rule("nettle"), "channels": {"exclude": ["#offtopic"]}},
        }
    )
    kept = await forum.say("alice", "weed", channel="garden")
    removed = await forum.say("alice", "weed", channel="general")
    spared = await forum.say("alice", "nettle", channel="offtopic")
    gone = await forum.say("alice", "nettle", channel="garden")
    assert forum.deleted() == [removed.id, gone.id]
    assert kept.id not in forum.deleted()
    assert spared.id not in forum.deleted()


async def test_moderators_and_exempt_roles_are_spared(open_forum: ForumFactory) -> None:
    forum = await open_forum(
        {
            "weeds": {**words_rule("weed"), "exempt_roles": ["Gardeners"]},
            "strict": {**words_rule("nettle"), "exempt_moderators": False},
        }
    )
    forum.member("mod", moderator=True)
    forum.member("gardener", roles=["Gardeners"])
    await forum.say("mod", "weed")
    await forum.say("gardener", "weed")
    assert forum.deleted() == []
    # A rule may look at moderators' messages, but never sanctions them.
    removed = await forum.say("mod", "nettle")
    assert forum.deleted() == [removed.id]


async def test_a_cooldown_rests_the_rule_for_that_member(open_forum: ForumFactory) -> None:
    forum = await open_forum({"weeds": {**words_rule("weed"), "cooldown": "10m"}})
    first = await forum.say("alice", "weed")
    await forum.say("alice", "weed")
    other = await forum.say("bob", "weed")
    await forum.wait(timedelta(minutes=10))
    later = await forum.say("alice", "weed")
    assert forum.deleted() == [first.id, other.id, later.id]


async def test_a_rule_resting_or_sparing_the_member_lets_the_next_rule_that_matches_fire(
    open_forum: ForumFactory,
) -> None:
    forum = await open_forum(
        {
            "resting": {**words_rule("weed"), "actions": {"log": True}, "cooldown": "10m"},
            "sparing": {
                **words_rule("weed"),
                "actions": {"log": True},
                "exempt_roles": ["gardener"],
            },
            "last": words_rule("weed", "thistle"),
        }
    )
    await forum.say("alice", "weed")
    # The first rule that matches now rests for alice: the second matches and stops the third.
    await forum.say("alice", "weed")
    assert forum.deleted() == []
    # A gardener is spared by the second rule: the third, further down, fires.
    gardener = forum.member("carol", roles=["gardener"])
    await forum.say("carol", "weed", author=gardener)
    again = await forum.say("carol", "weed", author=gardener)
    assert forum.deleted() == [again.id]
    assert [line.split(" · ")[1] for line in forum.modlog()] == [
        "rule resting",
        "rule sparing",
        "rule resting",
        "rule last",
    ]


async def test_edited_messages_are_checked_again(open_forum: ForumFactory) -> None:
    forum = await open_forum(NO_INSULTS)
    message = await forum.say("alice", "you are nice")
    assert forum.deleted() == []
    await forum.edit("alice", message, "you are an idiot")
    assert forum.deleted() == [message.id]


async def test_caps_mentions_links_and_invites(open_forum: ForumFactory) -> None:
    forum = await open_forum(
        {
            "caps": {
                "triggers": [{"caps": {"ratio": 0.7, "min_length": 10}}],
                "actions": {"delete": True},
            },
            "mentions": {"triggers": [{"mentions": {"count": 3}}], "actions": {"delete": True}},
            "links": {
                "triggers": [{"match_links": {"deny": ["spam.example"]}}],
                "actions": {"delete": True},
            },
            "invites": {
                "triggers": [{"match_invites": {"allow": ["ourgarden"]}}],
                "actions": {"delete": True},
            },
        }
    )
    kept = [
        await forum.say("alice", "OK LOL"),
        await forum.say("alice", "Hello NASA and ESA friends"),
        await forum.say("alice", "hi @bob and @carol", mentions=("bob", "carol")),
        await forum.say("alice", "see https://docs.example.org/page"),
        await forum.say("alice", "join us at discord.gg/ourgarden"),
    ]
    removed = [
        await forum.say("alice", "WHY IS NOBODY ANSWERING ME"),
        await forum.say("alice", "hey all", mentions=("bob", "carol", "dave")),
        await forum.say("alice", "hey @everyone look"),
        await forum.say("alice", "cheap stuff at https://www.shop.spam.example/x"),
        await forum.say("alice", "come to discord.gg/othercommunity"),
        await forum.say("alice", "or t.me/joinchat/AbCdEf123"),
    ]
    assert forum.deleted() == [message.id for message in removed]
    assert not {message.id for message in kept} & set(forum.deleted())
    details = [line.split(" · ")[4] for line in forum.modlog()]
    assert details == [
        "caps: 100% capitals",
        "mentions: 3 mentions",
        "mentions: @everyone",
        "match_links: link to shop.spam.example (denied)",
        "match_invites: Discord invitation othercommunity",
        "match_invites: Telegram link t.me/AbCdEf123",
    ]


async def test_invisible_and_fullwidth_characters_do_not_disguise_an_address(
    open_forum: ForumFactory,
) -> None:
    forum = await open_forum(
        {
            "links": {
                "triggers": [{"match_links": {"deny": ["spam.example"]}}],
                "actions": {"delete": True},
            },
            "invites": {"triggers": [{"match_invites": {}}], "actions": {"delete": True}},
        }
    )
    disguised = [
        # zero-width space, non-joiner, joiner, byte-order mark, soft hyphen, word joiner
        *(f"join disc{hidden}ord.gg/seeds" for hidden in "\u200b\u200c\u200d\ufeff\u00ad\u2060"),
        "join discord\uff0egg/seeds",  # a fullwidth full stop
        "join t\u200d.me/+seeds",
        "see https://shop.spam\u00ad.example/x",
    ]
    removed = [await forum.say(f"member{n}", text) for n, text in enumerate(disguised)]
    kept = await forum.say("alice", "un café naïf, sans lien")
    assert forum.deleted() == [message.id for message in removed]
    assert kept.id not in forum.deleted()


async def test_links_hidden_behind_words_count_as_written(open_forum: ForumFactory) -> None:
    forum = await open_forum(
        {
            "links": {
                "triggers": [{"match_links": {"deny": ["spam.example"]}}],
                "actions": {"delete": True},
            },
        }
    )
    hidden = MessageRef(forum.platform.channel("general"), "hidden")
    await forum.handle(
        MessageCreated(
            at=forum.clock.now(),
            message=hidden,
            author=forum.member("alice"),
            text="cheap stuff here",
            hidden_links=("https://www.shop.spam.example/x",),
        )
    )
    await forum.say("alice", "cheap stuff here")
    assert forum.deleted() == [hidden.id]
    assert forum.modlog()[0].endswith(
        " · match_links: link to shop.spam.example (denied) · “cheap stuff here”"
    )


async def test_links_outside_an_allow_list(open_forum: ForumFactory) -> None:
    forum = await open_forum(
        {
            "links": {
                "triggers": [{"match_links": {"allow": ["example.org"]}}],
                "actions": {"delete": True},
            }
        }
    )
    await forum.say("alice", "docs at https://docs.example.org and file.txt attached")
    removed = await forum.say("alice", "look at www.elsewhere.net")
    assert forum.deleted() == [removed.id]


async def test_flood_and_duplicates(open_forum: ForumFactory) -> None:
    forum = await open_forum(
        {
            "flood": {
                "triggers": [{"flood": {"messages": 4, "within": "10s"}}],
                "actions": {"delete": True, "timeout": {"duration": "5m"}},
            },
            "copies": {
                "triggers": [{"duplicates": {"count": 3, "within": "1m"}}],
                "actions": {"delete": True},
            },
        }
    )
    for number in range(3):
        await forum.say("alice", f"message {number}")
        await forum.wait(timedelta(seconds=2))
    assert forum.deleted() == []
    fourth = await forum.say("alice", "message 3")
    assert forum.deleted() == [fourth.id]
    [timeout] = forum.done("timeout")
    assert timeout.target.user.id == "id-alice"

    first = await forum.say("bob", "Buy now!", channel="general")
    await forum.wait(timedelta(seconds=20))
    second = await forum.say("bob", "buy NOW !", channel="photos")
    await forum.wait(timedelta(seconds=20))
    third = await forum.say("bob", "B u y now!", channel="help")
    # The copy that makes three goes, and the two it repeats with it, wherever they were.
    assert forum.deleted()[1:] == [third.id, first.id, second.id]


async def test_earlier_copies_stay_when_asked(open_forum: ForumFactory) -> None:
    forum = await open_forum(
        {
            "copies": {
                "triggers": [{"duplicates": {"count": 2, "within": "1m"}}],
                "actions": {"delete": {"copies": False}},
            },
        }
    )
    await forum.say("bob", "Buy now!")
    second = await forum.say("bob", "Buy now!")
    assert forum.deleted() == [second.id]


async def test_joins_new_accounts_and_raids(open_forum: ForumFactory) -> None:
    forum = await open_forum(
        {
            "raid": {
                "triggers": [{"join_raid": {"joins": 3, "within": "1m"}}],
                "actions": {"notify_mods": True},
                "cooldown": "10m",
                "cooldown_per": "community",
            },
            "newcomer_links": {
                "triggers": [{"new_account": {"younger_than": "1d"}}],
                "channels": {"include": ["links"]},
                "actions": {
                    "delete": True,
                    "reply": {"text": "{member}, links after a day here."},
                },
            },
        }
    )
    await forum.join("ann")
    await forum.join("ben")
    helper_bot = MemberRef(
        forum.platform.community, UserRef("fake", "id-gardenbot", "GardenBot", is_bot=True)
    )
    await forum.handle(MemberJoined(at=forum.clock.now(), member=helper_bot))
    assert forum.modlog() == []  # an administrator adding a bot is no raid
    await forum.join("cat")
    await forum.join("dan")
    alert, line = forum.modlog()
    assert alert.startswith("🚨 Moderators: rule raid fired for cat in — (join_raid: 3 joins")
    assert line.startswith("🛡️ Case 1 · rule raid · cat · notify_mods · join_raid: 3 joins")
    assert forum.deleted() == []

    early = await forum.say("ann", "my site", channel="links")
    # A regular the bot never saw join was there before it: not a newcomer.
    await forum.say("reggie", "my site too", channel="links")
    await forum.wait(timedelta(days=1))
    await forum.say("ann", "my site again", channel="links")
    assert forum.deleted() == [early.id]
    assert forum.texts("links") == ["ann, links after a day here."]


async def test_the_shipped_rules_in_french(
    open_forum: ForumFactory, rules_dir: Path, tiny_detoxify: TinyModel
) -> None:
    community = rules_dir / "community.yaml"
    data = yaml.safe_load(community.read_text(encoding="utf-8"))
    data["locale"] = "fr"
    community.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    # The shipped rules, with the tiny model standing in for Detoxify's own.
    forum = await open_forum(
        toxicity={
            "model": "original",
            "checkpoint": str(tiny_detoxify.checkpoint),
            "config_dir": str(tiny_detoxify.config_dir),
        },
    )
    insult = await forum.say("alice", "Quel CRÉT1N celui-là")
    ping = await forum.say("bob", "venez @everyone")
    invite = await forum.say("carol", "rejoignez discord.gg/ailleurs")
    await forum.say("dave", "BONJOUR TOUT LE MONDE ICI")
    await forum.say("erin", "nice day in the garden")
    await forum.cog.settled()
    assert forum.deleted() == [insult.id, ping.id, invite.id]
    general = forum.texts("general")
    assert (
        general[0]
        == "alice, un petit rappel de notre charte\u00a0: On reste courtois\u00a0: pas d'insultes."
    )
    assert general[3] == (
        "dave, un petit rappel de notre charte\u00a0: On ne crie pas\u00a0: évitez d'écrire en"
        " majuscules."
    )
    assert forum.modlog()[0].startswith("🛡️ Dossier 1 · règle insults · alice")
    assert not any("erin" in line for line in forum.modlog())


async def test_each_case_is_announced_to_the_other_cogs(open_forum: ForumFactory) -> None:
    forum = await open_forum(NO_INSULTS)
    heard: list[ModerationRecorded] = []

    async def listen(event: Event) -> None:
        assert isinstance(event, ModerationRecorded)
        heard.append(event)

    forum.core.bus.subscribe("core", ModerationRecorded, listen)  # "core" serves everyone
    await forum.say("alice", "You are an IDIOT, really")
    [case] = heard
    assert (case.member.name, case.case_id, case.rule, case.action) == (
        "alice",
        1,
        "no_insults",
        "delete, warn",
    )
    assert case.moderator is None


async def test_a_message_edited_into_a_mass_mention_is_removed(open_forum: ForumFactory) -> None:
    """The mentions of an edit are those of the message after it, as Discord and Telegram tell."""
    forum = await open_forum(
        {"mentions": {"triggers": [{"mentions": {"count": 3}}], "actions": {"delete": True}}}
    )
    message = await forum.say("alice", "hey @bob", mentions=("bob",))
    await forum.edit("alice", message, "hey @bob, fixed a typo", mentions=("bob",))
    assert forum.deleted() == []
    await forum.edit("alice", message, "hey @bob @carol @dave", mentions=("bob", "carol", "dave"))
    assert forum.deleted() == [message.id]
    assert [line.split(" · ")[4] for line in forum.modlog()] == ["mentions: 3 mentions"]
