"""Actions a platform cannot do are skipped; refusals are reported once to the mod-log."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.core import Jardinier
from bot.events import ChannelRef, CommunityRef, Event, MessageDeleted, MessageRef
from bot.platform import Button, Capability
from tests.support.fake_platform import FakePlatform


async def test_missing_capability_is_skipped_not_a_crash(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    platform.capabilities = frozenset(Capability) - {Capability.ROLES}
    alice = platform.member("alice")
    assert await core.actions.add_role(alice, "Top contributor") is False
    assert await core.actions.timeout(alice, clock.now() + timedelta(hours=1)) is True
    assert [action.action for action in platform.actions] == ["timeout"]


async def undeletable_message(core: Jardinier, platform: FakePlatform) -> MessageRef:
    """A message posted in #general, where the bot lacks the Manage Messages permission."""
    platform.refuse["delete"] = (
        "lacking_permission",
        {"platform": "Discord", "where": "#general", "permission": "manage_messages"},
    )
    message = await core.actions.send(platform.channel(), "hello")
    assert message is not None
    return message


async def test_refusal_is_reported_once_to_the_mod_log(
    core: Jardinier, platform: FakePlatform
) -> None:
    message = await undeletable_message(core, platform)
    for _ in range(3):
        assert await core.actions.delete(message) is False
    reports = [a for a in platform.sent() if a.target == platform.channel("mod-log")]
    assert [a.text for a in reports] == ["⚠️ I lack the Manage Messages permission in #general"]


def refusal_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    """The refusals logged as warnings."""
    return [
        record.getMessage()
        for record in caplog.records
        if record.name == "bot.actions"
        and record.levelno == logging.WARNING
        and record.getMessage().startswith("platform refused")
    ]


async def test_a_refusal_on_every_message_is_logged_as_a_warning_once(
    core: Jardinier, platform: FakePlatform, caplog: pytest.LogCaptureFixture
) -> None:
    """A busy server where the bot lacks Manage Messages: one warning, not one per message;
    the log at DEBUG still has each."""
    message = await undeletable_message(core, platform)
    with caplog.at_level(logging.DEBUG, logger="bot.actions"):
        for _ in range(30):
            assert await core.actions.delete(message) is False
    [warning] = refusal_warnings(caplog)
    assert warning.startswith(
        "platform refused delete: I lack the Manage Messages permission in #general"
    )
    debug = [r for r in caplog.records if r.levelno == logging.DEBUG]
    assert len(debug) == 29


async def test_a_refusal_naming_a_member_names_them_by_id_in_the_log(
    core: Jardinier, platform: FakePlatform, caplog: pytest.LogCaptureFixture
) -> None:
    """The mod-log says whom the platform would not act on, by name; the log, shipped and out
    of /forget_member's reach, by id only: at WARNING, at DEBUG, and for an expected refusal."""
    alice = platform.member("alice")
    platform.refuse["kick"] = ("administrator", {"target": "Alice Martin", "where": "Garden"})
    platform.refuse["unban"] = ("not_banned", {"target": "Alice Martin", "where": "Garden"})

    with caplog.at_level(logging.DEBUG):
        for _ in range(2):
            assert await core.actions.kick(alice) is False
        with core.actions.refusals(expected={"not_banned"}) as lift:
            assert await core.actions.unban(platform.community, alice.user) is False

    reports = [a.text for a in platform.sent() if a.target == platform.channel("mod-log")]
    assert reports == ["⚠️ Alice Martin is an administrator of Garden, so I cannot remove a member"]
    assert lift == ["Alice Martin is not banned from Garden"]  # the cog's words: named
    [warning] = refusal_warnings(caplog)
    assert warning.startswith(
        "platform refused kick: id-alice is an administrator of Garden, so I cannot remove"
    )
    logged = [r.getMessage() for r in caplog.records if r.name == "bot.actions"]
    assert logged[1:] == [
        "platform refused kick: id-alice is an administrator of Garden, so I cannot remove a "
        "member",
        "platform refused unban, as may be: id-alice is not banned from Garden",
    ]


async def test_a_refusal_is_logged_again_after_a_day_a_reload_or_once_it_worked(
    core: Jardinier,
    platform: FakePlatform,
    clock: ManualClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    message = await undeletable_message(core, platform)
    with caplog.at_level(logging.INFO, logger="bot.actions"):
        await core.actions.delete(message)
        clock.advance(timedelta(hours=23))
        await core.actions.delete(message)
        assert len(refusal_warnings(caplog)) == 1
        clock.advance(timedelta(hours=1))
        await core.actions.delete(message)
        assert len(refusal_warnings(caplog)) == 2  # a day later: still refused, said again

        assert await core.reload_rules() is None
        await core.actions.delete(message)
        assert len(refusal_warnings(caplog)) == 3  # the operator may have fixed it: not yet

        refusal = platform.refuse.pop("delete")
        assert await core.actions.delete(message) is True  # the permission was granted...
        platform.refuse["delete"] = refusal
        await core.actions.delete(message)
        await core.actions.delete(message)
        assert len(refusal_warnings(caplog)) == 4  # ...and taken back: said at once, once

        # Another action refused is a warning of its own.
        alice = platform.member("alice")
        platform.refuse["kick"] = ("administrator", {"target": "alice", "where": "Garden"})
        await core.actions.kick(alice)
        assert len(refusal_warnings(caplog)) == 5


async def test_the_mod_log_hears_a_refusal_again_once_it_worked_after_a_reload_or_a_day(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    """A moderator grants Manage Messages, the bot deletes again, then the permission is taken
    back: the mod-log is told at once, not left believing all is well."""
    message = await undeletable_message(core, platform)

    def reports() -> list[str]:
        return [a.text for a in platform.sent() if a.target == platform.channel("mod-log")]

    said = "⚠️ I lack the Manage Messages permission in #general"
    for _ in range(30):
        assert await core.actions.delete(message) is False
    assert reports() == [said]

    refusal = platform.refuse.pop("delete")
    assert await core.actions.delete(message) is True  # the permission was granted...
    platform.refuse["delete"] = refusal
    for _ in range(3):
        assert await core.actions.delete(message) is False
    assert reports() == [said] * 2  # ...and taken back: told at once, once

    assert await core.reload_rules() is None
    await core.actions.delete(message)
    await core.actions.delete(message)
    assert reports() == [said] * 3  # the moderators may think the reload fixed it

    clock.advance(timedelta(hours=23))
    await core.actions.delete(message)
    assert reports() == [said] * 3
    clock.advance(timedelta(hours=1))
    await core.actions.delete(message)
    assert reports() == [said] * 4  # a day later, still refused: said again


async def test_a_block_collects_every_refusal_though_the_mod_log_hears_it_once(
    core: Jardinier, platform: FakePlatform
) -> None:
    message = await undeletable_message(core, platform)
    with core.actions.refusals() as first:
        assert await core.actions.delete(message) is False
    with core.actions.refusals() as second:
        assert await core.actions.delete(message) is False
        assert await core.actions.send(platform.channel(), "still allowed") is not None
    assert await core.actions.delete(message) is False  # outside any block: only logged
    assert first == second == ["I lack the Manage Messages permission in #general"]
    reports = [a for a in platform.sent() if a.target == platform.channel("mod-log")]
    assert len(reports) == 1


async def test_a_refusal_the_block_expects_is_collected_but_not_reported(
    core: Jardinier, platform: FakePlatform
) -> None:
    alice = platform.member("alice")
    platform.refuse["unban"] = ("not_banned", {"target": "alice", "where": "Garden"})
    with core.actions.refusals(expected={"not_banned"}) as lift:
        assert await core.actions.unban(platform.community, alice.user) is False
    assert lift == ["alice is not banned from Garden"]
    assert lift.keys == ["not_banned"]
    assert platform.sent() == []
    # Any other refusal in such a block, or the same one elsewhere, is reported as ever.
    platform.refuse["unban"] = (
        "lacking_permission",
        {"permission": "ban_members", "where": "Garden"},
    )
    with core.actions.refusals(expected={"not_banned"}):
        assert await core.actions.unban(platform.community, alice.user) is False
    platform.refuse["unban"] = ("not_banned", {"target": "alice", "where": "Garden"})
    assert await core.actions.unban(platform.community, alice.user) is False
    reports = [a.text for a in platform.sent() if a.target == platform.channel("mod-log")]
    assert reports == [
        "⚠️ I lack the Ban Members permission in Garden",
        "⚠️ alice is not banned from Garden",
    ]


async def test_a_french_community_reads_refusals_in_french(
    core: Jardinier, platform: FakePlatform, rules_dir: Path
) -> None:
    community_yaml = rules_dir / "community.yaml"
    community_yaml.write_text(community_yaml.read_text().replace("locale: en", "locale: fr"))
    assert await core.reload_rules() is None
    alice = platform.member("alice")
    platform.refuse["timeout"] = (
        "lacking_right",
        {"platform": "Telegram", "where": "Garden", "permission": "can_restrict_members"},
    )
    platform.refuse["kick"] = ("administrator", {"target": "alice", "where": "Garden"})

    assert await core.actions.timeout(alice, core.clock.now() + timedelta(hours=1)) is False
    assert await core.actions.kick(alice) is False

    reports = [a.text for a in platform.sent() if a.target == platform.channel("mod-log")]
    assert reports[-2:] == [
        "⚠️ J'ai besoin du droit d'administrateur «\u00a0Bannir des utilisateurs\u00a0» dans"
        " Garden pour exclure temporairement un membre",
        "⚠️ alice fait partie des administrateurs de Garden, je ne peux donc pas expulser"
        " un membre",
    ]


async def test_unknown_platform_is_skipped(core: Jardinier, platform: FakePlatform) -> None:

    elsewhere = ChannelRef(CommunityRef("matrix", "x"), "general")
    assert await core.actions.send(elsewhere, "hi") is None
    assert platform.actions == []


async def test_buttons_and_files_are_dropped_where_the_platform_has_none(
    core: Jardinier, platform: FakePlatform, tmp_path: Path
) -> None:

    platform.capabilities = frozenset({Capability.SEND})
    chart = tmp_path / "chart.png"
    chart.write_bytes(b"png")
    await core.actions.send(platform.channel(), "report", buttons=[Button("ok", "OK")], file=chart)
    [sent] = platform.sent()
    assert sent.details["buttons"] == ()
    assert sent.details["file"] is None


async def test_a_purge_deletes_every_message_given(
    core: Jardinier, platform: FakePlatform
) -> None:
    channel = platform.channel()
    messages = [await core.actions.send(channel, f"spam {n}") for n in range(3)]
    assert await core.actions.delete_many([m for m in messages if m is not None]) is True
    assert [a.target for a in platform.actions if a.action == "delete"] == messages
    assert await core.actions.delete_many([]) is True


async def test_every_message_the_bot_deletes_reaches_the_cogs_as_one_deletion(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    """Telegram reports no deletion, not even the bot's own, and Discord reports the bot's own
    too: on both, the cogs hear once of each message the bot deletes (a purge takes back the
    points it brought), and of none it could not delete."""
    heard: list[MessageRef] = []

    async def listen(event: Event) -> None:
        assert isinstance(event, MessageDeleted)
        heard.append(event.message)

    core.bus.subscribe("core", MessageDeleted, listen)
    spam, purged, more = (MessageRef(platform.channel(), f"m{n}") for n in range(3))
    assert await core.actions.delete(spam)
    assert await core.actions.delete_many([purged, more])
    assert heard == [spam, purged, more]

    # Discord's gateway reports the same deletions a moment later: not heard again.
    for message in (spam, purged, more):
        await core.handle(MessageDeleted(at=clock.now(), message=message))
    # Nor is a deletion its author made first, then the bot again (a purge of it).
    gone = MessageRef(platform.channel(), "m4")
    await core.handle(MessageDeleted(at=clock.now(), message=gone))
    assert await core.actions.delete_many([gone])
    assert heard == [spam, purged, more, gone]

    kept = await undeletable_message(core, platform)
    assert not await core.actions.delete(kept)
    assert not await core.actions.delete_many([kept])
    assert heard == [spam, purged, more, gone]
