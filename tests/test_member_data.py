"""A member's data, as members and moderators reach it: /mydata, /member_data, /forget_member."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.clock import ManualClock
from bot.core import Jardinier
from bot.events import CommunityRef, UserRef
from tests.conftest import START
from tests.support.events import command, message
from tests.support.fake_platform import FakePlatform, Recorded
from tests.support.rulebook import edit_section


async def history(core: Jardinier, platform: FakePlatform, clock: ManualClock) -> None:
    """Alice posts, gets thanked by Bob, suggests something and is warned by a moderator."""
    alice, bob = platform.member("alice"), platform.member("bob")
    mod = platform.member("mod", moderator=True)
    await core.handle(
        message(alice, "My tomatoes finally sprouted after two weeks under the lamp.", clock.now())
    )
    clock.advance(timedelta(minutes=1))
    await core.handle(command(alice, "/suggest A seed swap every spring", clock.now()))
    clock.advance(timedelta(minutes=1))
    await core.handle(command(mod, "/warn alice Shouting at newcomers", clock.now()))
    await core.handle(message(bob, "Welcome everyone", clock.now(), message_id="2"))
    await core.caught_up()


def files_sent(platform: FakePlatform) -> list[Recorded]:
    """The direct messages that carried a file."""
    return [
        action for action in platform.actions if action.action == "dm" and "file" in action.details
    ]


def exported(sent: Recorded) -> dict[str, Any]:
    """The JSON file a direct message carried."""
    data: dict[str, Any] = json.loads(sent.details["content"])
    return data


async def test_a_member_gets_what_the_bot_keeps_about_them_privately(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    await history(core, platform, clock)
    alice = platform.members["alice"]

    await core.handle_and_catch_up(command(alice, "/mydata", clock.now()))

    [sent] = files_sent(platform)
    assert sent.target == alice.user
    assert sent.details["file"].name == "data-fake-c1-id-alice.json"
    assert sent.text == (
        "Everything Jardinier keeps about alice in Garden, as of 2026-11-02. "
        "A moderator can erase it on request."
    )
    data = exported(sent)
    assert data["community"] == {"platform": "fake", "id": "c1", "name": "Garden"}
    assert data["user"] == {"id": "id-alice", "name": "alice"}
    assert "incomplete" not in data
    parts = data["data"]
    assert parts["member"]["name"] == "alice"
    assert parts["member"]["first_seen"] == START.isoformat()
    [case] = parts["netiquette"]["cases"]
    assert (case["action"], case["reason"]) == ("warn", "Shouting at newcomers")
    [suggestion] = parts["suggestions"]["suggestions"]["suggestions"]
    assert "A seed swap every spring" in json.dumps(suggestion)
    assert parts["reports"]["reports"]["active_days"] == ["2026-11-02"]
    assert "contributors" in parts
    assert "bob" not in json.dumps(data)  # only her own data
    # The channel only hears that the file went, never what is in it.
    assert platform.last_text() == "I sent you what I keep about you here, in a private message."
    assert all(action.details.get("file") is None for action in platform.sent())


async def test_a_member_who_takes_no_direct_messages_is_told_how_to_get_them(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    await history(core, platform, clock)
    platform.refuse["dm"] = ("no_direct_messages", {"target": "alice"})

    await core.handle_and_catch_up(command(platform.members["alice"], "/mydata", clock.now()))

    assert files_sent(platform) == []
    assert platform.last_text().startswith("I could not write to you privately.")
    assert all(action.details.get("file") is None for action in platform.sent())


async def test_where_members_must_start_the_bot_first_the_answer_links_to_it(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    await history(core, platform, clock)
    platform.start_links = True  # as on Telegram
    platform.refuse["dm"] = ("not_started", {"target": "alice"})
    alice = platform.members["alice"]

    await core.handle_and_catch_up(command(alice, "/mydata", clock.now()))

    assert files_sent(platform) == []
    assert platform.last_text() == (
        "I can write to you privately only once you have started a chat with me: open "
        "start:mydata:c1 and press Start, and your data will arrive there."
    )

    # Pressing Start runs /mydata for the community in the private chat: the file comes.
    del platform.refuse["dm"]
    await core.handle_and_catch_up(
        command(alice, "/mydata", clock.now(), channel="private-alice", private=True)
    )

    [sent] = files_sent(platform)
    assert sent.target == alice.user
    assert exported(sent)["community"]["id"] == "c1"
    answer = platform.sent()[-1]
    assert answer.target.id == "private-alice"
    assert answer.text == "I sent you what I keep about you here, in a private message."


async def test_a_refusal_in_the_private_chat_gives_no_link_again(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    platform.start_links = True
    platform.refuse["dm"] = ("not_started", {"target": "alice"})
    alice = platform.member("alice")

    await core.handle_and_catch_up(
        command(alice, "/mydata", clock.now(), channel="private-alice", private=True)
    )

    assert platform.last_text().startswith("I could not write to you privately.")


async def test_only_commands_meant_for_it_run_from_a_private_chat(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    await history(core, platform, clock)
    mod = platform.members["mod"]
    cases_before = len(platform.actions)

    await core.handle_and_catch_up(
        command(mod, "/warn bob Spam", clock.now(), channel="private-mod", private=True)
    )

    assert (
        platform.last_text() == "I don't know /warn. Type /help to see the commands you can use."
    )
    assert len(platform.actions) == cases_before + 1  # that answer, and no warning


async def test_a_moderator_receives_a_members_data_for_a_request_made_elsewhere(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    await history(core, platform, clock)
    mod = platform.members["mod"]

    await core.handle_and_catch_up(command(mod, "/member_data alice", clock.now()))

    [sent] = files_sent(platform)
    assert sent.target == mod.user
    assert exported(sent)["user"] == {"id": "id-alice", "name": "alice"}
    assert "netiquette" in exported(sent)["data"]
    [answer] = platform.sent()[-1:]
    assert answer.text == "I sent you what I keep about alice here, in a private message."
    assert answer.details["private_to"] == mod


async def test_forgetting_a_member_erases_every_part_and_tells_the_mod_log(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    await history(core, platform, clock)
    mod, alice = platform.members["mod"], platform.members["alice"]

    await core.handle_and_catch_up(command(mod, "/forget_member alice", clock.now()))

    parts = (
        "member record, moderation cases, contributions, suggestions and votes, activity figures"
    )
    answers = [action for action in platform.sent() if action.details.get("private_to") == mod]
    assert answers[-1].text == (
        f"Forgot alice ({parts}). What they do from now on counts again, as for a newcomer."
    )
    [modlog] = [action for action in platform.sent() if action.text.startswith("🗑️")]
    assert modlog.text == f"🗑️ mod had the bot forget alice ({parts})."
    assert await core.members.get(platform.community, alice.user.id) is None

    await core.handle_and_catch_up(command(mod, "/member_data alice", clock.now()))
    [sent] = files_sent(platform)
    assert exported(sent)["data"] == {}
    # Bob's data is untouched.
    bob = await core.members.get(platform.community, "id-bob")
    assert bob is not None


@pytest.mark.parametrize("mod_log", ["mod-log", None])
async def test_the_log_says_who_was_forgotten_by_id_only(
    core: Jardinier,
    platform: FakePlatform,
    clock: ManualClock,
    rules_dir: Path,
    caplog: pytest.LogCaptureFixture,
    mod_log: str | None,
) -> None:
    """The log is shipped and kept out of the erasure's reach: with or without a mod-log to post
    the notice in, it does not keep the forgotten member's name."""
    edit_section(rules_dir, "community", {"channels": {"mod_log": mod_log}})
    assert await core.reload_rules() is None
    await history(core, platform, clock)
    caplog.clear()

    with caplog.at_level(logging.DEBUG):
        await core.handle_and_catch_up(
            command(platform.members["mod"], "/forget_member alice", clock.now())
        )

    parts = (
        "member record, moderation cases, contributions, suggestions and votes, activity figures"
    )
    notice = f"mod-log fake-c1: 🗑️ id-mod had the bot forget id-alice ({parts})."
    level = logging.INFO if mod_log is None else logging.DEBUG
    assert notice in [r.getMessage() for r in caplog.records if r.levelno == level]
    assert "forget alice" not in caplog.text


async def test_a_forgotten_moderator_is_left_off_the_cases_they_decided(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    await history(core, platform, clock)
    head = platform.member("head", moderator=True)
    mod = platform.members["mod"]
    netiquette: Any = core.cogs["netiquette"]

    await core.handle_and_catch_up(command(head, "/member_data mod", clock.now()))
    [sent] = files_sent(platform)
    [acted] = exported(sent)["data"]["netiquette"]["acted_on"]
    assert (acted["action"], acted["decided"], acted["pardoned"]) == ("warn", True, False)

    await core.handle_and_catch_up(command(head, "/forget_member mod", clock.now()))

    # Alice's warning stays on her record; who gave it is no longer named.
    [case] = await netiquette.casebook.of_member(platform.community, "id-alice")
    assert (case.action, case.moderator_id, case.moderator_name) == ("warn", "", "")
    assert case.by == "—"
    assert await netiquette.export_member_data(platform.community, mod.user) == {}


async def test_a_forgotten_member_who_comes_back_is_recorded_as_new(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    await history(core, platform, clock)
    alice = platform.members["alice"]
    await core.handle_and_catch_up(
        command(platform.members["mod"], "/forget_member alice", clock.now())
    )
    clock.advance(timedelta(days=3))

    await core.handle_and_catch_up(
        message(alice, "Back from holidays!", clock.now(), message_id="9")
    )

    record = await core.members.get(platform.community, alice.user.id)
    assert record is not None
    assert record.first_seen == clock.now()


async def test_forgetting_someone_the_bot_never_saw_says_so(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    platform.member("carol")
    mod = platform.member("mod", moderator=True)

    await core.handle_and_catch_up(command(mod, "/forget_member carol", clock.now()))

    assert platform.last_text() == "I keep nothing about carol here."
    assert [action for action in platform.sent() if action.text.startswith("🗑️")] == []


async def test_only_moderators_may_forget_a_member(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    await history(core, platform, clock)

    await core.handle_and_catch_up(
        command(platform.members["bob"], "/forget_member alice", clock.now())
    )

    assert platform.last_text() == "Sorry, /forget_member is for moderators."
    assert await core.members.get(platform.community, "id-alice") is not None


async def test_a_part_that_cannot_be_erased_is_named_and_the_rest_still_goes(
    core: Jardinier, platform: FakePlatform, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    await history(core, platform, clock)

    async def locked(community: CommunityRef, user: UserRef) -> None:
        raise RuntimeError("database is locked")

    monkeypatch.setattr(core.cogs["reports"], "erase_member_data", locked)
    mod = platform.members["mod"]

    await core.handle_and_catch_up(command(mod, "/forget_member alice", clock.now()))

    answers = [action for action in platform.sent() if action.details.get("private_to") == mod]
    assert answers[-1].text == (
        "Could not erase everything about alice: activity figures failed (see the logs). "
        "Run the command again to finish."
    )
    monkeypatch.undo()
    await core.handle_and_catch_up(command(mod, "/member_data alice", clock.now()))
    [sent] = files_sent(platform)
    assert set(exported(sent)["data"]) == {"reports"}  # the rest is gone


async def test_an_export_that_could_not_read_a_part_says_it_is_incomplete(
    core: Jardinier, platform: FakePlatform, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    await history(core, platform, clock)

    async def broken(community: CommunityRef, user: UserRef) -> dict[str, Any]:
        raise RuntimeError("database is locked")

    monkeypatch.setattr(core.cogs["contributors"], "export_member_data", broken)

    await core.handle_and_catch_up(command(platform.members["alice"], "/mydata", clock.now()))

    [sent] = files_sent(platform)
    assert exported(sent)["incomplete"] == ["contributors"]
    assert "netiquette" in exported(sent)["data"]
    assert platform.last_text() == (
        "I sent you what I keep about you here, in a private message.\n"
        "Part of it could not be read (contributions); the moderators can find why in the logs."
    )


async def test_an_incomplete_export_names_the_part_in_the_communitys_language(
    core: Jardinier,
    platform: FakePlatform,
    clock: ManualClock,
    rules_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    community_yaml = rules_dir / "community.yaml"
    community_yaml.write_text(community_yaml.read_text().replace("locale: en", "locale: fr"))
    assert await core.reload_rules() is None
    await history(core, platform, clock)

    async def broken(community: CommunityRef, user: UserRef) -> dict[str, Any]:
        raise RuntimeError("database is locked")

    monkeypatch.setattr(core.cogs["netiquette"], "export_member_data", broken)

    await core.handle_and_catch_up(command(platform.members["alice"], "/mes_donnees", clock.now()))

    # As /oublier_membre names it (texts.fr.data_parts), not by the cog's code name.
    assert platform.last_text() == (
        "Je vous ai envoyé en privé ce que je garde sur vous ici.\n"
        "Une partie n'a pas pu être lue (dossiers de modération)\u00a0; "
        "les modérateurs en trouveront la raison dans les journaux."
    )
    [sent] = files_sent(platform)
    assert exported(sent)["incomplete"] == ["netiquette"]  # the file keeps the code name


async def test_what_the_platform_keeps_is_exported_and_erased_as_its_own_part(
    core: Jardinier, platform: FakePlatform, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A platform that keeps something of its own about members (Telegram: who started the
    bot, whom it holds at the charter gate) answers for it as a cog does, under its name."""
    await history(core, platform, clock)
    kept: dict[str, dict[str, Any]] = {"id-alice": {"started_the_bot": True}}

    async def export(community: CommunityRef, user: UserRef) -> dict[str, Any]:
        return dict(kept.get(user.id, {}))

    async def erase(community: CommunityRef, user: UserRef) -> None:
        kept.pop(user.id, None)

    monkeypatch.setattr(platform, "export_member_data", export, raising=False)
    monkeypatch.setattr(platform, "erase_member_data", erase, raising=False)
    alice, mod = platform.members["alice"], platform.members["mod"]

    await core.handle_and_catch_up(command(alice, "/mydata", clock.now()))
    [sent] = files_sent(platform)
    assert exported(sent)["data"]["fake"] == {"started_the_bot": True}

    await core.handle_and_catch_up(command(mod, "/forget_member alice", clock.now()))
    answers = [action for action in platform.sent() if action.details.get("private_to") == mod]
    assert answers[-1].text.startswith("Forgot alice (member record, moderation cases")
    assert ", activity figures, fake). What they do" in answers[-1].text
    assert kept == {}

    async def broken(community: CommunityRef, user: UserRef) -> dict[str, Any]:
        raise RuntimeError("the state store is locked")

    monkeypatch.setattr(platform, "export_member_data", broken, raising=False)
    await core.handle_and_catch_up(command(mod, "/member_data bob", clock.now()))
    assert exported(files_sent(platform)[-1])["incomplete"] == ["fake"]


async def test_a_french_community_gets_french_answers_and_command_names(
    core: Jardinier, platform: FakePlatform, clock: ManualClock, rules_dir: Path
) -> None:
    community_yaml = rules_dir / "community.yaml"
    community_yaml.write_text(community_yaml.read_text().replace("locale: en", "locale: fr"))
    assert await core.reload_rules() is None
    await history(core, platform, clock)
    mod = platform.members["mod"]

    await core.handle_and_catch_up(command(platform.members["alice"], "/mes_donnees", clock.now()))
    await core.handle_and_catch_up(command(mod, "/oublier_membre alice", clock.now()))

    [sent] = files_sent(platform)
    assert sent.text.startswith(
        "Tout ce que Jardinier garde sur alice dans Garden, au 2026-11-02."
    )
    texts = [action.text for action in platform.sent()]
    assert "Je vous ai envoyé en privé ce que je garde sur vous ici." in texts
    # The parts are named in the community's language too.
    assert texts[-2].startswith("alice est oublié·e (fiche de membre, dossiers de modération")
    assert texts[-1].startswith(
        "🗑️ mod a fait oublier alice au bot (fiche de membre, dossiers de modération"
    )
