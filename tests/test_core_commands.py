"""Commands as members meet them: help, unknown commands, usage, permissions, reloads."""

from __future__ import annotations

import logging
import re
import sqlite3
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from bot.adapters.console.adapter import ConsolePlatform
from bot.adapters.discord.adapter import DiscordPlatform
from bot.adapters.telegram.adapter import TelegramPlatform
from bot.builtin import RELOAD_EVERY
from bot.clock import ManualClock
from bot.commands.budget import COMMANDS_PER_WINDOW
from bot.commands.context import CommandContext
from bot.commands.spec import CommandSpec, OptionKind, OptionSpec
from bot.core import Jardinier
from bot.events import ChannelRef, CommandInvoked, CommunityRef, MemberRef, Power, UserRef
from bot.platform import Capability
from tests.support.database import held
from tests.support.events import command
from tests.support.fake_platform import FakePlatform
from tests.support.rulebook import edit_section, enable_only

NBSP = "\u00a0"
"""What French puts between a number and its unit (``90 jours``)."""
NNBSP = "\N{NARROW NO-BREAK SPACE}"
"""What CLDR puts between an English hour and its AM or PM."""


async def test_help_lists_only_the_commands_the_member_may_use(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    alice = platform.member("alice")
    await core.handle(command(alice, "/help", clock.now()))
    text = platform.last_text()
    assert text.startswith("Commands you can use in Garden:")
    assert "/help [command]" in text
    assert "/announce" not in text
    assert "/rules_reload" not in text


async def test_help_for_a_moderator_includes_moderator_commands(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    mod = platform.member("mod", moderator=True)
    await core.handle(command(mod, "/help", clock.now()))
    # The moderators' list is for their eyes: members need not read how sanctions are given.
    listed = answer_to(platform, mod)
    assert "/announce <delay> <text…> — Schedule an announcement" in listed
    assert "/ban <member>" in listed
    await core.handle(command(mod, "/help announce", clock.now()))
    assert answer_to(platform, mod).startswith("/announce <delay> <text…>")


async def test_help_on_one_command_shows_its_usage_and_docstring(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    mod = platform.member("mod", moderator=True)
    await core.handle(command(mod, "/help announce", clock.now()))
    text = platform.last_text()
    assert text.splitlines()[0] == "/announce <delay> <text…>"
    assert "Example: /announce 2h" in text


async def test_help_on_a_moderator_command_explains_it_and_says_who_may_run_it(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    alice = platform.member("alice")
    await core.handle(command(alice, "/help announce", clock.now()))
    explained = answer_to(platform, alice)
    assert explained.startswith("/announce <delay> <text…>\nSchedule an announcement")
    assert "Example: /announce 2h" in explained
    assert explained.endswith("\n\nOnly moderators can run /announce.")
    await core.handle(command(alice, "/help ban", clock.now()))
    assert answer_to(platform, alice).endswith(
        "\n\nOnly moderators with the right to ban members can run /ban."
    )
    await core.handle(command(alice, "/help nosuch", clock.now()))
    assert answer_to(platform, alice).startswith("I don't know /nosuch.")


async def test_help_on_a_command_of_a_cog_turned_off_here_knows_no_such_command(
    core: Jardinier, platform: FakePlatform, clock: ManualClock, rules_dir: Path
) -> None:
    enable_only(rules_dir, "netiquette")
    assert await core.reload_rules() is None
    mod = platform.member("mod", moderator=True)
    await core.handle(command(mod, "/help announce", clock.now()))
    assert answer_to(platform, mod) == (
        "I don't know /announce. Type /help to see the commands you can use."
    )
    await core.handle(command(mod, "/announce 1h Hello", clock.now()))
    assert answer_to(platform, mod) == (
        "I don't know /announce. Type /help to see the commands you can use."
    )


async def test_quotes_in_an_announcement_are_posted_as_typed(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    mod = platform.member("mod", moderator=True)
    await core.handle(
        command(mod, '/announce 1m The «big» day is “here”, 5" of snow', clock.now())
    )
    assert "will be posted" in platform.last_text()
    await core.scheduler.advance(timedelta(minutes=1))
    assert platform.last_text() == 'The «big» day is “here”, 5" of snow'


async def test_an_announcement_says_when_in_the_communitys_time(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    mod = platform.member("mod", moderator=True)
    await core.handle(command(mod, "/announce 2h Seed swap today", clock.now()))
    # 2 November, 09:00 UTC, plus two hours: 12:00 in Paris, winter time.
    noon = f"Mon, Nov 2, 2026, 12:00{NNBSP}PM (CET)"
    assert platform.last_text().endswith(f" will be posted in #general on {noon}.")
    await core.handle(command(mod, "/announcements", clock.now()))
    assert noon in platform.last_text()


async def test_an_announcement_is_posted_at_the_date_and_time_asked(
    core: Jardinier, platform: FakePlatform, clock: ManualClock, rules_dir: Path
) -> None:
    """Christmas Eve at 18:00 is typed as such, not as a delay counted from the moment typed
    (``3j6h`` typed at 12:25 posts at 18:25), and posted at 18:00 sharp."""
    mod = await reload_in_french(core, platform, clock, rules_dir)
    await core.handle(command(mod, '/annonce "24/12 18h" Joyeux réveillon !', clock.now()))
    assert platform.last_text().endswith(" le jeu. 24 déc. 2026, 18:00 (CET).")
    [scheduled] = core.scheduler.pending("announcement:")
    assert scheduled.next_run == datetime(2026, 12, 24, 17, 0, tzinfo=UTC)
    await core.handle(command(mod, "/annonce 25/12/2026T09:30 Joyeux Noël", clock.now()))
    await core.handle(command(mod, "/annonces", clock.now()))
    assert "ven. 25 déc. 2026, 09:30 (CET)" in platform.last_text()
    await core.scheduler.advance(datetime(2026, 12, 24, 16, 59, tzinfo=UTC) - clock.now())
    assert "Joyeux réveillon !" not in [sent.text for sent in platform.sent()]
    await core.scheduler.advance(timedelta(minutes=1))
    assert platform.last_text() == "Joyeux réveillon !"
    assert clock.now() == datetime(2026, 12, 24, 17, 0, tzinfo=UTC)


async def test_a_date_an_announcement_cannot_take_is_refused_saying_why(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    mod = platform.member("mod", moderator=True)
    refusals = {
        "/announce tomorrow hello": (
            "'tomorrow' is neither a delay (30m, 2h, 3d) nor a date and time "
            "(24/12/2026 6pm, 2026-12-24 18:00)."
        ),
        "/announce 31/02 hello": (
            "'31/02' is neither a delay (30m, 2h, 3d) nor a date and time "
            "(24/12/2026 6pm, 2026-12-24 18:00)."
        ),
        "/announce 05/12 hello": (
            "'05/12' could be Dec 5, 2026 or May 12, 2027: write the date year first "
            "(YYYY-MM-DD) to say which."
        ),
        "/announce 24/12 6pm hello": (
            "At what time on 24/12? Write the date and the time in quotes: "
            '/announce "24/12 18:00" <text>'
        ),
        '/announce "31/10/2026 18:00" hello': (
            f"Sat, Oct 31, 2026, 6:00{NNBSP}PM (CET) is in the past; pick a later time."
        ),
        "/announce 2027-02-01T10:00 hello": (
            "An announcement can be scheduled at most 90 days ahead."
        ),
    }
    for line, refusal in refusals.items():
        await core.handle(command(mod, line, clock.now()))
        assert answer_to(platform, mod) == refusal
    assert core.scheduler.pending("announcement:") == []
    # The current minute is now, not the past: it posts at once.
    await core.handle(command(mod, '/announce "2026-11-02 10:00" hello', clock.now()))
    [scheduled] = core.scheduler.pending("announcement:")
    assert scheduled.next_run == clock.now() + timedelta(seconds=1)


async def test_unknown_command_gets_a_polite_answer(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    await core.handle(command(platform.member("alice"), "/nosuch", clock.now()))
    assert platform.last_text() == (
        "I don't know /nosuch. Type /help to see the commands you can use."
    )


async def test_wrong_arguments_get_the_usage(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    mod = platform.member("mod", moderator=True)
    await core.handle(command(mod, "/giveaway Seeds 1 tomorrow", clock.now()))
    assert platform.last_text() == (
        "Usage: /giveaway <prize> <winners> <duration> (duration should be a duration such as "
        "10m, 2h or 7d, not 'tomorrow'). Type /help giveaway for details."
    )
    assert core.scheduler.pending("giveaway:") == []


async def test_a_value_the_command_finds_too_long_gets_the_usage(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    mod = platform.member("mod", moderator=True)
    await core.handle(command(mod, "/announce 2h " + "a" * 2001, clock.now()))
    assert platform.last_text() == (
        "Usage: /announce <delay> <text…> (text holds at most 2000 characters)."
        " Type /help announce for details."
    )
    assert core.scheduler.pending("announcement:") == []


async def test_a_delay_out_of_range_says_the_range_or_the_furthest(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    mod = platform.member("mod", moderator=True)
    await core.handle(command(mod, "/announce 0s hello", clock.now()))
    assert platform.last_text() == (
        "Usage: /announce <delay> <text…> (delay should be from 1 second to 90 days, not 0)."
        " Type /help announce for details."
    )
    # However far: longer than any duration the bot reads too (not "1 second to 5,200 weeks").
    for typed in ("91d", "5000w", "6000w", "9" * 30 + "w"):
        await core.handle(command(mod, f"/announce {typed} hello", clock.now()))
        assert platform.last_text() == "An announcement can be scheduled at most 90 days ahead."
    assert core.scheduler.pending("announcement:") == []


async def test_a_french_community_is_told_the_delays_range_in_french_words(
    core: Jardinier, platform: FakePlatform, clock: ManualClock, rules_dir: Path
) -> None:
    mod = await reload_in_french(core, platform, clock, rules_dir)
    await core.handle(command(mod, "/annonce 0j bonjour", clock.now()))
    assert platform.last_text() == (
        f"Utilisation\u00a0: /annonce <délai> <texte…> (délai doit aller de 1{NBSP}seconde"
        f" à 90{NBSP}jours, pas 0). Tapez /aide annonce pour le détail."
    )
    await core.handle(command(mod, "/annonce 91j bonjour", clock.now()))
    assert platform.last_text() == f"Une annonce se programme au plus 90{NBSP}jours à l'avance."
    assert core.scheduler.pending("announcement:") == []


async def test_missing_argument_gets_the_usage(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    mod = platform.member("mod", moderator=True)
    await core.handle(command(mod, "/announce 2h", clock.now()))
    assert "(text is missing)" in platform.last_text()


async def test_non_moderator_is_refused_and_nothing_happens(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    alice = platform.member("alice")
    await core.handle(command(alice, "/announce 1h Free pizza", clock.now()))
    assert platform.last_text() == "Sorry, /announce is for moderators."
    assert core.scheduler.pending("announcement:") == []
    await core.scheduler.advance(timedelta(hours=2))
    assert [a.text for a in platform.sent()] == ["Sorry, /announce is for moderators."]


async def test_rule_book_moderator_role_and_user_are_moderators(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    by_role = platform.member("rosa", roles=["Moderators"])
    assert core.is_moderator(by_role)
    assert not core.is_moderator(platform.member("alice", roles=["Gardeners"]))
    await core.handle(command(by_role, "/announce 1h Hello", clock.now()))
    assert "will be posted" in platform.last_text()


def helper(platform: FakePlatform, *powers: Power) -> MemberRef:
    """A moderator whom the platform lets do only ``powers`` (Discord's Manage Messages alone
    lets them delete messages)."""
    user = UserRef(platform.name, "id-helper", "helper")
    return MemberRef(platform.community, user, platform_moderator=True, powers=frozenset(powers))


async def test_a_moderator_the_platform_would_not_let_do_it_is_told_what_they_lack(
    core: Jardinier, platform: FakePlatform, clock: ManualClock, rules_dir: Path
) -> None:
    # The bot acts with its own rights: it lends them to no moderator the platform would not
    # let manage the community (reload its rules, hand over or erase a member's data).
    platform.member("alice")
    mod = helper(platform, Power.DELETE)
    await core.handle(command(mod, "/rules_reload", clock.now()))
    lacking = "Sorry, /rules_reload needs the right to manage the community, which you do not"
    assert answer_to(platform, mod) == f"{lacking} have here."
    await core.handle(command(mod, "/help rules_reload", clock.now()))
    assert answer_to(platform, mod).startswith("/rules_reload\nReload the rule book")
    assert answer_to(platform, mod).endswith(
        "\n\nOnly moderators with the right to manage the community can run /rules_reload."
    )
    await core.handle(command(mod, "/forget_member alice", clock.now()))
    assert answer_to(platform, mod) == (
        "Sorry, /forget_member needs the right to manage the community, which you do not have"
        " here."
    )
    await core.handle(command(mod, "/help", clock.now()))
    assert "/announce" in answer_to(platform, mod)
    assert "/rules_reload" not in answer_to(platform, mod)
    manager = helper(platform, Power.MANAGE)
    await core.handle(command(manager, "/forget_member alice", clock.now()))
    assert answer_to(platform, manager) == "I keep nothing about alice here."
    # In the community's language.
    community_yaml = rules_dir / "community.yaml"
    community_yaml.write_text(community_yaml.read_text().replace("locale: en", "locale: fr"))
    assert await core.reload_rules() is None
    await core.handle(command(mod, "/regles_recharger", clock.now()))
    assert answer_to(platform, mod) == (
        "Désolé, la commande /regles_recharger demande le droit de gérer la communauté, que"
        " vous n'avez pas ici."
    )


async def test_where_the_platform_says_nothing_of_powers_a_moderator_holds_them_all(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    # The console's moderators, and those of the rule book there: every power is theirs.
    by_role = platform.member("rosa", roles=["Moderators"])
    assert by_role.powers is None
    assert all(core.holds(by_role, power) for power in Power)
    assert not any(core.holds(platform.member("alice"), power) for power in Power)
    await core.handle(command(by_role, "/forget_member alice", clock.now()))
    assert answer_to(platform, by_role) == "I keep nothing about alice here."
    # Where the platform says what a member may do, the rule book adds no power.
    listed = MemberRef(platform.community, by_role.user, by_role.roles, powers=frozenset())
    assert core.is_moderator(listed)
    assert not core.holds(listed, Power.BAN)


async def test_refusals_and_a_moderator_commands_errors_are_private_to_the_member(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    alice = platform.member("alice")
    await core.handle(command(alice, "/rules_reload", clock.now()))
    assert answer_to(platform, alice) == "Sorry, /rules_reload is for moderators."

    mod = platform.member("mod", moderator=True)
    await core.handle(command(mod, "/giveaway Seeds 1 tomorrow", clock.now()))  # parsing refuses
    assert answer_to(platform, mod).startswith("Usage: /giveaway <prize> <winners> <duration>")
    await core.handle(command(mod, "/announce 0s hello", clock.now()))  # the command refuses
    assert answer_to(platform, mod).startswith("Usage: /announce <delay> <text…> (delay should")

    async def explode(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("boom")

    spec = core.commands.get("announcements")
    assert spec is not None
    core.commands.remove_cog(spec.cog)
    core.commands.add(replace(spec, callback=explode))
    await core.handle(command(mod, "/announcements", clock.now()))
    assert answer_to(platform, mod).startswith("Something went wrong with /announcements")


async def test_an_everyone_commands_usage_error_and_failure_are_private_to_the_member(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    async def sow(_ctx: CommandContext, seeds: int) -> None:
        raise RuntimeError(f"no room for {seeds} seeds")

    help_spec = core.commands.get("help")
    assert help_spec is not None
    core.commands.add(
        CommandSpec(
            name="sow",
            description="Sow seeds",
            help="Sow seeds.",
            options=(OptionSpec("seeds", OptionKind.INTEGER, "How many"),),
            cog=help_spec.cog,
            callback=sow,
        )
    )
    alice = platform.member("alice")
    await core.handle(command(alice, "/sow many", clock.now()))
    assert answer_to(platform, alice).startswith("Usage: /sow <seeds>")
    await core.handle(command(alice, "/sow 3", clock.now()))
    assert answer_to(platform, alice).startswith("Something went wrong with /sow")


def answer_to(platform: FakePlatform, member: MemberRef) -> str:
    """The bot's last answer, which must be one only ``member`` sees."""
    last = platform.sent()[-1]
    assert last.details["private_to"] == member, f"{last.text!r} is not private to {member}"
    return last.text


async def test_an_announcement_is_not_posted_once_announcements_are_off_there(
    core: Jardinier, platform: FakePlatform, clock: ManualClock, rules_dir: Path
) -> None:
    mod = platform.member("mod", moderator=True)
    await core.handle(command(mod, "/announce 1h Seed swap at noon", clock.now()))
    await core.handle(command(mod, "/announce 2h Plot visits at three", clock.now()))
    await core.scheduler.advance(timedelta(hours=1))
    assert platform.last_text() == "Seed swap at noon"
    enable_only(rules_dir, "netiquette")
    assert await core.reload_rules() is None
    await core.scheduler.advance(timedelta(hours=1))
    assert "Plot visits at three" not in [sent.text for sent in platform.sent()]


async def test_slash_options_are_used_as_given(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    mod = platform.member("mod", moderator=True)
    event = CommandInvoked(
        at=clock.now(),
        channel=platform.channel(),
        member=mod,
        name="announce",
        options={"delay": "30m", "text": "Typed options"},
    )
    await core.handle(event)
    [scheduled] = core.scheduler.pending("announcement:")
    assert scheduled.kwargs["text"] == "Typed options"
    assert scheduled.next_run == clock.now() + timedelta(minutes=30)


async def test_a_failing_command_is_answered_and_the_bot_keeps_running(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    async def explode(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("boom")

    cog = core.cogs["announcements"]
    spec = core.commands.get("announcements")
    assert spec is not None
    core.commands.remove_cog(cog.name)

    core.commands.add(replace(spec, callback=explode))
    mod = platform.member("mod", moderator=True)
    await core.handle(command(mod, "/announcements", clock.now()))
    assert platform.last_text().startswith("Something went wrong with /announcements")
    await core.handle(command(mod, "/help", clock.now()))
    assert platform.last_text().startswith("Commands you can use")


OPERATOR_ID = "4242"
"""The id the rule book lists under ``moderators.users`` where a test reloads it by command."""


def list_operator(rules_dir: Path) -> None:
    """List :data:`OPERATOR_ID` under ``moderators.users`` in ``rules_dir``."""
    community_yaml = rules_dir / "community.yaml"
    text = community_yaml.read_text(encoding="utf-8")
    assert "  users: []" in text
    community_yaml.write_text(text.replace("  users: []", f"  users: [{OPERATOR_ID}]"))


def operator_of(community: CommunityRef) -> MemberRef:
    """The moderator :func:`list_operator` lists, in ``community``."""
    user = UserRef(community.platform, OPERATOR_ID, "mod")
    return MemberRef(community, user, platform_moderator=True)


async def an_operator(core: Jardinier, platform: FakePlatform, rules_dir: Path) -> MemberRef:
    """A moderator the rule book lists by id: one who may reload it from any community (the
    fake community has no file of its own in communities/). Saved, as a file is: reloaded."""
    list_operator(rules_dir)
    assert await core.reload_rules() is None
    return operator_of(platform.community)


def modlog(platform: FakePlatform) -> list[str]:
    """What the bot posted in the fake community's mod-log."""
    return [sent.text for sent in platform.sent() if sent.target.name == "#mod-log"]


async def reload_in_french(
    core: Jardinier, platform: FakePlatform, clock: ManualClock, rules_dir: Path
) -> MemberRef:
    """Make the community French and have a moderator reload the rules; return the moderator
    (who may reload them again once :data:`RELOAD_EVERY` has passed)."""
    mod = await an_operator(core, platform, rules_dir)
    community_yaml = rules_dir / "community.yaml"
    community_yaml.write_text(community_yaml.read_text().replace("locale: en", "locale: fr"))
    await core.handle(command(mod, "/rules_reload", clock.now()))
    return mod


def dedent_english_netiquette_texts(rules_dir: Path) -> Path:
    """Dedent the English netiquette texts, a mistake that makes every text a wrong locale."""
    netiquette_yaml = rules_dir / "netiquette.yaml"
    head, tail = netiquette_yaml.read_text().split("texts:\n  en:\n", 1)
    english, french = tail.split("\n  fr:\n", 1)
    english = "\n".join(line.removeprefix("  ") for line in english.splitlines())
    netiquette_yaml.write_text(f"{head}texts:\n  en:\n{english}\n  fr:\n{french}")
    return netiquette_yaml


async def test_a_reload_with_hundreds_of_errors_shows_ten_and_counts_the_rest(
    core: Jardinier, platform: FakePlatform, clock: ManualClock, rules_dir: Path
) -> None:
    mod = await an_operator(core, platform, rules_dir)
    dedent_english_netiquette_texts(rules_dir)

    await core.handle(command(mod, "/rules_reload", clock.now()))

    answer = answer_to(platform, mod).splitlines()
    assert answer[0] == "The rule book has errors; the running rules stay in force:"
    # Named in the rule book's folder: a chat never reads where the server keeps its files.
    assert all(line.startswith("netiquette.yaml:") for line in answer[1:11])
    # One error per dedented text, not one more for its value.
    assert not any("should be a mapping" in line for line in answer[2:11])
    more = re.fullmatch(
        r"… and (\d+) more: run `jardinier check-rules (.+)` or see the bot's log", answer[11]
    )
    assert more is not None
    assert int(more[1]) > 30
    assert more[2] == rules_dir.name
    assert len(answer) == 12
    # The errors are the asker's: the mod-logs hear of them from the reload of a saved file.
    assert modlog(platform) == []


async def test_a_french_community_is_told_of_the_errors_not_shown_in_french(
    core: Jardinier, platform: FakePlatform, clock: ManualClock, rules_dir: Path
) -> None:
    mod = await reload_in_french(core, platform, clock, rules_dir)
    dedent_english_netiquette_texts(rules_dir)
    clock.advance(RELOAD_EVERY)

    await core.handle(command(mod, "/regles_recharger", clock.now()))

    last = platform.last_text().splitlines()[-1]
    assert re.fullmatch(
        rf"… et \d+ autres erreurs\u00a0: lancez `jardinier check-rules {rules_dir.name}`"
        " ou consultez le journal du bot",
        last,
    )


async def test_the_line_counting_the_errors_not_shown_is_the_rule_book_s_text(
    core: Jardinier, platform: FakePlatform, clock: ManualClock, rules_dir: Path
) -> None:
    """A community words that line as it words the rest of what the bot says."""
    edit_section(
        rules_dir,
        "community",
        {"texts": {"en": {"rules_reload_more": "({count} more, see `{directory}`)"}}},
    )
    mod = await an_operator(core, platform, rules_dir)
    dedent_english_netiquette_texts(rules_dir)

    await core.handle(command(mod, "/rules_reload", clock.now()))

    last = platform.last_text().splitlines()[-1]
    assert re.fullmatch(rf"\(\d+ more, see `{rules_dir.name}`\)", last)


async def test_a_rule_book_copied_before_the_count_line_existed_reads_the_shipped_one(
    core: Jardinier, platform: FakePlatform, clock: ManualClock, rules_dir: Path
) -> None:
    community_yaml = rules_dir / "community.yaml"
    data = yaml.safe_load(community_yaml.read_text(encoding="utf-8"))
    for texts in data["texts"].values():
        del texts["rules_reload_more"]
    data["moderators"]["users"] = [OPERATOR_ID]
    community_yaml.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert await core.reload_rules() is None
    dedent_english_netiquette_texts(rules_dir)

    await core.handle(command(operator_of(platform.community), "/rules_reload", clock.now()))

    assert (
        platform.last_text()
        .splitlines()[-1]
        .endswith(f"more: run `jardinier check-rules {rules_dir.name}` or see the bot's log")
    )


async def test_rules_reload_swaps_a_valid_book(
    core: Jardinier, platform: FakePlatform, clock: ManualClock, rules_dir: Path
) -> None:
    await reload_in_french(core, platform, clock, rules_dir)
    assert platform.last_text() == "Règles rechargées."
    await core.handle(command(platform.member("alice"), "/nosuch", clock.now()))
    assert platform.last_text().startswith("Je ne connais pas /nosuch.")


async def test_a_french_community_reads_the_commands_by_their_french_names(
    core: Jardinier, platform: FakePlatform, clock: ManualClock, rules_dir: Path
) -> None:
    mod = await reload_in_french(core, platform, clock, rules_dir)
    await core.handle(command(mod, "/aide", clock.now()))
    listed = platform.last_text()
    assert "/annonce <délai> <texte…> — Programmer une annonce" in listed
    assert "/mes_donnees — " in listed
    assert "/announce " not in listed
    names = [line.split()[0] for line in listed.splitlines()[1:]]
    assert names == sorted(names)
    assert names.index("/aide") < names.index("/annonce")
    await core.handle(command(mod, "/aide annonce", clock.now()))
    assert platform.last_text().splitlines()[0] == "/annonce <délai> <texte…>"
    await core.handle(command(mod, "/annonce demain bonjour", clock.now()))
    assert platform.last_text() == (
        "« demain » n'est ni un délai (30m, 2h, 3j) ni une date et heure "
        "(24/12/2026 18h, 2026-12-24T18:00)."
    )
    await core.handle(command(platform.member("alice"), "/regles_recharger", clock.now()))
    assert platform.last_text() == (
        "Désolé, la commande /regles_recharger est réservée aux modérateurs."
    )
    await core.handle(command(platform.member("alice"), "/aide annonce", clock.now()))
    assert platform.last_text().startswith("/annonce <délai> <texte…>\nProgrammer une annonce")
    assert platform.last_text().endswith("\n\nSeuls les modérateurs peuvent utiliser /annonce.")


async def test_a_broken_rule_book_keeps_the_running_rules(
    core: Jardinier, platform: FakePlatform, clock: ManualClock, rules_dir: Path
) -> None:
    mod = await an_operator(core, platform, rules_dir)
    community_yaml = rules_dir / "community.yaml"
    good = community_yaml.read_text()
    community_yaml.write_text(good.replace("locale: en", "locale: [en"))
    await core.handle(command(mod, "/rules_reload", clock.now()))
    answer = answer_to(platform, mod)
    assert answer.startswith("The rule book has errors; the running rules stay in force:\n")
    assert answer.splitlines()[1].startswith("community.yaml:")
    assert str(rules_dir) not in answer
    assert modlog(platform) == []
    await core.handle(command(platform.member("alice"), "/nosuch", clock.now()))
    assert platform.last_text().startswith("I don't know /nosuch.")
    # Saved again, broken: the mod-log reads why; fixed, that the rules are in force again.
    assert await core.reload_rules() is not None
    [broken] = modlog(platform)
    assert broken.startswith("⚠️ The rule book has errors; the running rules stay in force:\n")
    assert broken.splitlines()[1:] == answer.splitlines()[1:]
    community_yaml.write_text(good)
    assert await core.reload_rules() is None
    assert modlog(platform)[1:] == [
        "✅ Rule book reloaded: the errors reported here are fixed, and the new rules are in"
        " force."
    ]


async def test_commands_are_published_to_the_platform_at_start(
    core: Jardinier, platform: FakePlatform
) -> None:
    names = {spec.name for spec in platform.synced}
    assert {"help", "rules_reload", "announce", "announcements", "announce_cancel"} <= names


async def test_a_community_override_can_switch_a_cog_off_for_that_community_only(
    rules_dir: Path, clock: ManualClock
) -> None:
    platform = FakePlatform("discord")
    overrides = rules_dir / "communities"
    overrides.mkdir()
    (overrides / "discord-c2.yaml").write_text("community:\n  cogs: []\n  locale: fr\n")
    bot = Jardinier(
        rules_dir=rules_dir,
        database_url="sqlite+aiosqlite://",
        platforms=[platform],
        clock=clock,
    )
    await bot.start()
    try:
        mod = platform.member("mod", moderator=True)
        await bot.handle(command(mod, "/announce 1h Hello", clock.now()))
        assert "will be posted" in platform.last_text()

        other = MemberRef(
            CommunityRef("discord", "c2", "Other"), mod.user, platform_moderator=True
        )
        await bot.handle(command(other, "/announce 1h Hello", clock.now()))
        assert platform.last_text() == (
            "Je ne connais pas /announce. Tapez /aide pour voir les commandes disponibles."
        )
        await bot.handle(command(other, "/help", clock.now()))
        assert "/announce" not in platform.last_text()
    finally:
        await bot.stop()


async def test_a_cog_enabled_by_a_reload_is_loaded_and_its_commands_published(
    rules_dir: Path, clock: ManualClock, platform: FakePlatform
) -> None:
    list_operator(rules_dir)
    community_yaml = rules_dir / "community.yaml"
    text = community_yaml.read_text()
    community_yaml.write_text(text.replace("  - announcements\n", ""))
    bot = Jardinier(
        rules_dir=rules_dir, database_url="sqlite+aiosqlite://", platforms=[platform], clock=clock
    )
    await bot.start()
    try:
        assert "announce" not in {spec.name for spec in platform.synced}
        mod = operator_of(platform.community)
        await bot.handle(command(mod, "/announce 1h Hello", clock.now()))
        assert platform.last_text().startswith("I don't know /announce.")

        community_yaml.write_text(text)
        await bot.handle(command(mod, "/rules_reload", clock.now()))
        assert "announce" in {spec.name for spec in platform.synced}
        await bot.handle(command(mod, "/announce 1h Hello", clock.now()))
        assert "will be posted" in platform.last_text()
    finally:
        await bot.stop()


async def test_slash_options_left_as_text_are_converted_and_checked_by_the_core(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    mod = platform.member("mod", moderator=True)

    def slash(duration: str) -> CommandInvoked:
        return CommandInvoked(
            at=clock.now(),
            channel=platform.channel(),
            member=mod,
            name="giveaway",
            options={"prize": "Seeds", "winners": "1", "duration": duration},
        )

    await core.handle(slash("a while"))
    assert platform.last_text().startswith(
        "Usage: /giveaway <prize> <winners> <duration> (duration should be a duration such as "
        "10m, 2h or 7d"
    )
    assert core.scheduler.pending("giveaway:") == []
    await core.handle(slash("45m"))
    [scheduled] = core.scheduler.pending("giveaway:")
    assert scheduled.next_run == clock.now() + timedelta(minutes=45)


class TwoServers(FakePlatform):
    """Discord with two servers, each with channels of its own."""

    def __init__(self) -> None:
        super().__init__("discord")

    async def resolve_channel(self, community: CommunityRef, text: str) -> ChannelRef | None:
        name = text.lstrip("#")
        return ChannelRef(community, name, f"#{name}")


async def test_a_failed_reload_shows_each_community_only_its_own_errors(
    rules_dir: Path, clock: ManualClock
) -> None:
    platform = TwoServers()
    overrides = rules_dir / "communities"
    overrides.mkdir()
    # Server 222 is one the rule book is written for: its moderators may reload it.
    (overrides / "discord-222.yaml").write_text("community:\n  timezone: Europe/Paris\n")
    bot = Jardinier(
        rules_dir=rules_dir, database_url="sqlite+aiosqlite://", platforms=[platform], clock=clock
    )
    await bot.start()
    try:
        servers = [CommunityRef("discord", id, f"Server {id}") for id in ("111", "222")]
        mods = [
            MemberRef(server, UserRef("discord", "9", "mod"), platform_moderator=True)
            for server in servers
        ]
        for mod in mods:
            await bot.handle(command(mod, "/help", clock.now()))
        secret = overrides / "discord-111.yaml"
        secret.write_text("community:\n  timezone: Secret/Garden\n")

        # Saved: each mod-log reads the errors of its own community's files.
        assert await bot.reload_rules() is not None

        def modlog(server: CommunityRef) -> list[str]:
            return [
                sent.text
                for sent in platform.sent()
                if sent.target == ChannelRef(server, "mod-log", "#mod-log")
            ]

        [own] = modlog(servers[0])
        assert own.startswith("⚠️ The rule book has errors; the running rules stay in force:")
        assert (
            "communities/discord-111.yaml:2:3: community.timezone: unknown time zone "
            "'Secret/Garden'" in own
        )
        assert str(rules_dir) not in own
        elsewhere = (
            "The rule book has errors in another community's file (the bot's log names them); "
            "the running rules stay in force."
        )
        assert modlog(servers[1]) == [f"⚠️ {elsewhere}"]

        # Asked for: the errors are the asker's answer, no mod-log's post.
        await bot.handle(command(mods[1], "/rules_reload", clock.now()))
        assert answer_to(platform, mods[1]) == elsewhere
        assert len(modlog(servers[0])) == len(modlog(servers[1])) == 1

        community_yaml = rules_dir / "community.yaml"
        community_yaml.write_text(
            community_yaml.read_text().replace("timezone: Europe/Paris", "timezone: Nowhere")
        )
        clock.advance(RELOAD_EVERY)
        await bot.handle(command(mods[1], "/rules_reload", clock.now()))
        answer = answer_to(platform, mods[1])
        assert "community.yaml:" in answer
        assert "Secret" not in answer
        assert await bot.reload_rules() is not None
        assert "Secret" not in modlog(servers[1])[-1]
        assert "Secret" in modlog(servers[0])[-1]
    finally:
        await bot.stop()


def line_of(path: Path, text: str) -> int:
    """The number of the first line of ``path`` holding ``text``."""
    lines = path.read_text().splitlines()
    return next(number for number, line in enumerate(lines, start=1) if text in line)


async def test_a_mod_log_reads_the_book_s_errors_once_in_its_language_then_that_it_is_fixed(
    core: Jardinier, platform: FakePlatform, clock: ManualClock, rules_dir: Path
) -> None:
    """A French community manager edits the rule book while the bot runs: each save reloads."""
    community_yaml = rules_dir / "community.yaml"
    community_yaml.write_text(community_yaml.read_text().replace("locale: en", "locale: fr"))
    assert await core.reload_rules() is None
    await core.handle(command(platform.member("mod", moderator=True), "/aide", clock.now()))
    good = {name: (rules_dir / name).read_text() for name in ("community.yaml", "contests.yaml")}

    def save(name: str, old: str, new: str) -> None:
        path = rules_dir / name
        text = path.read_text()
        assert old in text
        path.write_text(text.replace(old, new, 1))

    save("community.yaml", "timezone: Europe/Paris", "timezon: Europe/Paris")
    save("community.yaml", "ce que je garde sur vous ici.", "ce que je garde sur {membre}.")
    save("contests.yaml", "max_text: 1000", "max_text: beaucoup")
    save("contests.yaml", "open_for: 6d", "open_for: 6 jours")
    assert await core.reload_rules() is not None

    [told] = modlog(platform)
    assert told.startswith("⚠️ Les fichiers de règles contiennent des erreurs")
    assert told.splitlines()[1:] == [
        "community.yaml:9:1: timezon: clé inconnue 'timezon'\u00a0; vouliez-vous dire "
        "'timezone'\u00a0?",
        f"community.yaml:{line_of(rules_dir / 'community.yaml', '{membre}')}:5: texts.fr."
        "data_sent: variable inconnue {membre}\u00a0; ce texte n'en prend aucune",
        f"contests.yaml:{line_of(rules_dir / 'contests.yaml', 'beaucoup')}:3: contests.max_text:"
        " il faut un nombre entier, pas 'beaucoup'",
        f"contests.yaml:{line_of(rules_dir / 'contests.yaml', '6 jours')}:5: challenges."
        "weekly-photo.open_for: '6 jours' n'est pas une durée\u00a0; écrivez un nombre et une "
        "unité, par ex. 30s, 10m, 2h, 7j, 1w",
    ]
    # Saved again with the same errors, even moved by a line added above: said once.
    save("contests.yaml", "contests:\n", "# Concours\ncontests:\n")
    assert await core.reload_rules() is not None
    assert len(modlog(platform)) == 1
    # Another error: said again, with those that remain.
    save("contests.yaml", "max_text: beaucoup", "max_text: 1000")
    save("contests.yaml", "choose_by: votes", "choose_by: vote")
    assert await core.reload_rules() is not None
    assert len(modlog(platform)) == 2
    assert "il faut 'votes' ou 'random', pas 'vote'" in modlog(platform)[-1]
    assert "beaucoup" not in modlog(platform)[-1]
    # Fixed: the mod-log that read the errors reads that the rules are in force again, once.
    for name, text in good.items():
        (rules_dir / name).write_text(text)
    assert await core.reload_rules() is None
    assert await core.reload_rules() is None
    assert modlog(platform)[2:] == [
        "✅ Règles rechargées\u00a0: les erreurs signalées ici sont corrigées et les nouvelles"
        " règles s'appliquent."
    ]


async def test_a_french_mod_log_reads_a_yaml_syntax_error_in_french(
    core: Jardinier, platform: FakePlatform, clock: ManualClock, rules_dir: Path
) -> None:
    """A text holding ': ' left unquoted, and a no-break space typed before a colon as French
    is typed: said in French, with French typography, the user's no-break space shown."""
    community_yaml = rules_dir / "community.yaml"
    community_yaml.write_text(community_yaml.read_text().replace("locale: en", "locale: fr"))
    assert await core.reload_rules() is None
    # A reload tells the mod-logs of the communities the bot has met.
    await core.handle(command(platform.member("mod", moderator=True), "/aide", clock.now()))
    text = community_yaml.read_text().replace("timezone: ", "timezone\u00a0: ")
    community_yaml.write_text(text)
    contests = rules_dir / "contests.yaml"
    contests.write_text(contests.read_text() + "note: Attention: fragile\n")
    assert await core.reload_rules() is not None

    [told] = modlog(platform)
    assert told.splitlines()[1:] == [
        "community.yaml:9:1: timezone\\xa0: clé inconnue 'timezone\\xa0'\u00a0; supprimez le "
        "caractère invisible U+00A0 (no-break space) pour en faire 'timezone'",
        f"contests.yaml:{line_of(contests, 'Attention')}:16: erreur de syntaxe YAML\u00a0: un "
        "texte qui contient un deux-points suivi d'une espace doit être entre guillemets (YAML "
        "y lit le début d'une valeur)\u00a0: mettez tout le texte entre guillemets doubles",
    ]


async def test_a_moderator_of_a_community_the_book_has_no_file_for_may_not_reload_it(
    core: Jardinier, platform: FakePlatform, clock: ManualClock, rules_dir: Path
) -> None:
    """Any Telegram group's owner is a moderator there, and the book serves every community."""
    stranger = platform.member("owner", moderator=True)
    await core.handle(command(stranger, "/help", clock.now()))
    community_yaml = rules_dir / "community.yaml"
    community_yaml.write_text(community_yaml.read_text().replace("locale: en", "locale: [fr"))
    for _ in range(10):
        await core.handle(command(stranger, "/rules_reload", clock.now()))
        assert answer_to(platform, stranger) == (
            "Sorry, /rules_reload is for the moderators of the communities the rule book has a"
            " file for (in communities/) and the people it lists in moderators.users: the rule"
            " book serves every community at once."
        )
    assert modlog(platform) == []
    # Nor was it reloaded: a valid book mid-edit stays unread until its own reload.
    community_yaml.write_text(community_yaml.read_text().replace("locale: [fr", "locale: fr"))
    await core.handle(command(stranger, "/rules_reload", clock.now()))
    assert core.community_config().locale == "en"
    # Refused, it did not use the turn of those who may.
    await core.handle(command(operator_of(platform.community), "/rules_reload", clock.now()))
    assert core.community_config().locale == "en"  # not listed yet: refused too
    list_operator(rules_dir)
    await core.handle(command(stranger, "/rules_reload", clock.now()))
    assert core.community_config().locale == "en"
    assert await core.reload_rules() is None
    assert core.community_config().locale == "fr"


async def test_help_lists_rules_reload_only_to_the_moderators_it_serves(
    core: Jardinier, platform: FakePlatform, clock: ManualClock, rules_dir: Path
) -> None:
    """A moderator by the platform's say alone may not reload the book: /help keeps it from
    them, and still lists it to a moderator the book lists."""
    stranger = platform.member("owner", moderator=True)
    await core.handle(command(stranger, "/help", clock.now()))
    listed = answer_to(platform, stranger)
    assert "/announce" in listed
    assert "/rules_reload" not in listed
    operator = await an_operator(core, platform, rules_dir)
    await core.handle(command(operator, "/help", clock.now()))
    assert "/rules_reload — Reload the rule book" in answer_to(platform, operator)


async def test_the_moderators_of_a_community_with_its_own_file_may_reload_the_book(
    rules_dir: Path, clock: ManualClock
) -> None:
    platform = FakePlatform("discord")
    overrides = rules_dir / "communities"
    overrides.mkdir()
    (overrides / "discord-c1.yaml").write_text("community:\n  locale: fr\n")
    bot = Jardinier(
        rules_dir=rules_dir, database_url="sqlite+aiosqlite://", platforms=[platform], clock=clock
    )
    await bot.start()
    try:
        by_role = platform.member("rosa", roles=["Moderators"])
        await bot.handle(command(by_role, "/regles_recharger", clock.now()))
        assert answer_to(platform, by_role) == "Règles rechargées."
        # Another server's: the role's name is anyone's to give.
        other = MemberRef(CommunityRef("discord", "c2", "Other"), by_role.user, by_role.roles)
        clock.advance(RELOAD_EVERY)
        await bot.handle(command(other, "/rules_reload", clock.now()))
        assert platform.last_text().startswith("Sorry, /rules_reload is for the moderators")
    finally:
        await bot.stop()


async def test_rules_reload_runs_once_every_few_seconds_and_says_when_it_may_again(
    core: Jardinier, platform: FakePlatform, clock: ManualClock, rules_dir: Path
) -> None:
    mod = await an_operator(core, platform, rules_dir)
    await core.handle(command(mod, "/rules_reload", clock.now()))
    assert answer_to(platform, mod) == "Rule book reloaded."
    await core.handle(command(mod, "/rules_reload", clock.now()))
    assert answer_to(platform, mod) == (
        "The rule book was reloaded a moment ago; try again in 10 seconds."
    )
    clock.advance(timedelta(seconds=3, milliseconds=500))
    community_yaml = rules_dir / "community.yaml"
    community_yaml.write_text(community_yaml.read_text().replace("locale: en", "locale: fr"))
    await core.handle(command(mod, "/rules_reload", clock.now()))
    assert answer_to(platform, mod) == (
        "The rule book was reloaded a moment ago; try again in 7 seconds."
    )
    assert core.community_config().locale == "en"
    clock.advance(timedelta(seconds=6, milliseconds=500))
    await core.handle(command(mod, "/rules_reload", clock.now()))
    assert answer_to(platform, mod) == "Règles rechargées."
    clock.advance(timedelta(seconds=9))
    await core.handle(command(mod, "/regles_recharger", clock.now()))
    assert answer_to(platform, mod) == (
        "Les règles viennent d'être rechargées\u00a0; réessayez dans 1\u00a0seconde."
    )


async def test_a_reload_that_loads_tells_the_moderator_the_warnings_in_their_language(
    core: Jardinier, platform: FakePlatform, clock: ManualClock, rules_dir: Path
) -> None:
    """A book that loads with something worth fixing (here a folder of community files under
    the wrong name, which is not read) says so to the moderator who reloaded it, not only to
    the log; a book without warnings reads as before."""
    mod = await an_operator(core, platform, rules_dir)
    (rules_dir / "community").mkdir()
    (rules_dir / "community" / "discord-42.yaml").write_text("community: {}\n", encoding="utf-8")
    await core.handle(command(mod, "/rules_reload", clock.now()))
    assert answer_to(platform, mod) == (
        "Rule book reloaded, with 1 warning worth fixing:\n"
        "community: not read: overrides go in communities/<platform>-<id>.yaml"
    )
    clock.advance(RELOAD_EVERY)
    community_yaml = rules_dir / "community.yaml"
    community_yaml.write_text(community_yaml.read_text().replace("locale: en", "locale: fr"))
    await core.handle(command(mod, "/rules_reload", clock.now()))
    assert answer_to(platform, mod) == (
        "Règles rechargées, avec 1 avertissement à corriger\u00a0:\n"
        "community: non lu\u00a0: les fichiers propres à une communauté vont dans "
        "communities/<plateforme>-<id>.yaml"
    )
    clock.advance(RELOAD_EVERY)
    (rules_dir / "community" / "discord-42.yaml").unlink()
    (rules_dir / "community").rmdir()
    await core.handle(command(mod, "/rules_reload", clock.now()))
    assert answer_to(platform, mod) == "Règles rechargées."


async def test_the_console_s_moderators_reload_the_book_whenever_they_ask(
    rules_dir: Path, clock: ManualClock
) -> None:
    """The console is the terminal of whoever runs the bot; its clock moves only when told."""
    platform = FakePlatform("console")
    bot = Jardinier(
        rules_dir=rules_dir, database_url="sqlite+aiosqlite://", platforms=[platform], clock=clock
    )
    await bot.start()
    try:
        mod = MemberRef(platform.community, UserRef("console", "mod", "mod"))
        for _ in range(3):
            await bot.handle(command(mod, "/rules_reload", clock.now()))
            assert answer_to(platform, mod) == "Rule book reloaded."
        alice = MemberRef(platform.community, UserRef("console", "alice", "alice"))
        await bot.handle(command(alice, "/rules_reload", clock.now()))
        assert answer_to(platform, alice) == "Sorry, /rules_reload is for moderators."
    finally:
        await bot.stop()


async def test_a_member_running_commands_too_fast_is_told_once_and_the_channel_stays_quiet(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    alice = platform.member("alice")
    for _ in range(COMMANDS_PER_WINDOW):
        await core.handle(command(alice, "/help", clock.now()))
    assert len(platform.sent()) == COMMANDS_PER_WINDOW
    assert all(sent.details["private_to"] is None for sent in platform.sent())
    await core.handle(command(alice, "/help", clock.now()))
    assert answer_to(platform, alice) == (
        "You are running commands faster than the channel can follow: try again in 1 minute."
    )
    for _ in range(3):
        await core.handle(command(alice, "/top", clock.now()))
    assert len(platform.sent()) == COMMANDS_PER_WINDOW + 1  # told once
    # Another member, and moderators, are not held back by alice.
    await core.handle(command(platform.member("bob"), "/help", clock.now()))
    mod = platform.member("mod", moderator=True)
    for _ in range(COMMANDS_PER_WINDOW + 3):
        await core.handle(command(mod, "/help", clock.now()))
    assert len(platform.sent()) == COMMANDS_PER_WINDOW + 1 + 1 + COMMANDS_PER_WINDOW + 3
    clock.advance(timedelta(seconds=60))
    await core.handle(command(alice, "/help", clock.now()))
    assert platform.last_text().startswith("Commands you can use in Garden:")


async def test_where_a_private_answer_may_land_in_the_channel_commands_too_fast_are_ignored(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    """As on Telegram, whose answer for one member goes to the group when they have not
    started the bot: a notice there would be one more message in the channel."""
    platform.start_links = True
    platform.capabilities = frozenset(Capability) - {Capability.PRIVATE_ANSWERS}
    alice = platform.member("alice")
    for _ in range(COMMANDS_PER_WINDOW + 3):
        await core.handle(command(alice, "/help", clock.now()))
    assert len(platform.sent()) == COMMANDS_PER_WINDOW


@pytest.mark.parametrize(
    ("adapter", "told"),
    [(DiscordPlatform, True), (ConsolePlatform, True), (TelegramPlatform, False)],
)
async def test_a_member_running_commands_too_fast_is_told_where_the_platform_answers_privately(
    core: Jardinier,
    platform: FakePlatform,
    clock: ManualClock,
    adapter: type[DiscordPlatform | ConsolePlatform | TelegramPlatform],
    told: bool,
) -> None:
    """Discord's ephemeral replies and the console's lines are seen by the member alone;
    Telegram's may land in the group, which a notice would only fill further."""
    assert (Capability.PRIVATE_ANSWERS in adapter.capabilities) is told
    platform.capabilities = adapter.capabilities
    alice = platform.member("alice")
    for _ in range(COMMANDS_PER_WINDOW + 3):
        await core.handle(command(alice, "/help", clock.now()))
    assert len(platform.sent()) == COMMANDS_PER_WINDOW + told
    if told:
        assert answer_to(platform, alice).startswith("You are running commands faster")


async def test_a_command_the_database_refuses_for_a_while_says_so_and_logs_one_line(
    rules_dir: Path,
    clock: ManualClock,
    platform: FakePlatform,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Another process holds the write lock (a backup, a script): the moderator is told to try
    again, and the log reads a warning, not a bug's traceback."""
    monkeypatch.setattr("bot.db.BUSY_TIMEOUT", timedelta(milliseconds=200))
    database = tmp_path / "bot.db"
    bot = Jardinier(
        rules_dir=rules_dir,
        database_url=f"sqlite+aiosqlite:///{database}",
        platforms=[platform],
        clock=clock,
    )
    await bot.start()
    try:
        mod = platform.member("mod", moderator=True)
        platform.member("bob")
        await bot.handle(command(mod, "/help", clock.now()))  # the community is on record
        await bot.members.flush()
        with held(database), caplog.at_level(logging.WARNING):
            await bot.handle(command(mod, "/warn bob Stay courteous", clock.now()))
        assert answer_to(platform, mod) == (
            "The database is busy; /warn was not done. Try again in a minute."
        )
        [said] = [record for record in caplog.records if record.name == "bot.commands.runner"]
        assert said.levelno == logging.WARNING
        assert said.getMessage() == (
            "/warn not done: the database refused for a while "
            "(OperationalError: database is locked)"
        )
        assert "Traceback" not in caplog.text
        assert not [record for record in caplog.records if record.levelno >= logging.ERROR]

        await bot.handle(command(mod, "/warn bob Stay courteous", clock.now()))
        assert answer_to(platform, mod) == "Case 1: warn for bob."
    finally:
        await bot.stop()


async def test_a_table_the_database_lacks_is_a_bug_to_report_not_a_busy_database(
    busy_core: Jardinier,
    clock: ManualClock,
    platform: FakePlatform,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A migration not written or not run fails every time: telling the moderator to try again
    in a minute would send them round in circles, and the log must carry the traceback."""
    mod = platform.member("mod", moderator=True)
    platform.member("bob")
    await busy_core.handle(command(mod, "/help", clock.now()))
    with sqlite3.connect(tmp_path / "bot.db") as connection:
        connection.execute("DROP TABLE netiquette_cases")
    with caplog.at_level(logging.WARNING):
        await busy_core.handle(command(mod, "/warn bob Stay courteous", clock.now()))
    assert answer_to(platform, mod) == (
        "Something went wrong with /warn; the moderators can find it in the logs."
    )
    assert "no such table: netiquette_cases" in caplog.text
    assert "Traceback" in caplog.text


async def test_a_member_the_database_cannot_look_up_for_a_while_is_said_to_be_busy(
    rules_dir: Path,
    clock: ManualClock,
    platform: FakePlatform,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The member a moderator names is looked up in the database before the command runs (one
    the platform no longer knows): while another process holds the write lock, the moderator is
    told to try again, and the log reads a warning, not a bug's traceback."""
    monkeypatch.setattr("bot.db.BUSY_TIMEOUT", timedelta(milliseconds=200))
    database = tmp_path / "bot.db"
    bot = Jardinier(
        rules_dir=rules_dir,
        database_url=f"sqlite+aiosqlite:///{database}",
        platforms=[platform],
        clock=clock,
    )
    await bot.start()
    try:
        mod = platform.member("mod", moderator=True)
        with held(database), caplog.at_level(logging.WARNING):
            # The community's first command: looking carol up records the community first.
            await bot.handle(command(mod, "/warn carol Stay courteous", clock.now()))
        assert answer_to(platform, mod) == (
            "The database is busy; /warn was not done. Try again in a minute."
        )
        [said] = [record for record in caplog.records if record.name == "bot.commands.runner"]
        assert said.levelno == logging.WARNING
        assert said.getMessage() == (
            "/warn not done: the database refused for a while "
            "(OperationalError: database is locked)"
        )
        assert "Traceback" not in caplog.text
        assert not [record for record in caplog.records if record.levelno >= logging.ERROR]
    finally:
        await bot.stop()


async def test_a_command_losing_the_platform_s_connection_is_not_blamed_on_the_database(
    core: Jardinier, platform: FakePlatform, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    async def cut(*_args: object, **_kwargs: object) -> None:
        raise ConnectionResetError("Connection reset by peer")

    spec = core.commands.get("announcements")
    assert spec is not None
    core.commands.remove_cog(spec.cog)
    core.commands.add(replace(spec, callback=cut))
    mod = platform.member("mod", moderator=True)
    with caplog.at_level(logging.WARNING):
        await core.handle(command(mod, "/announcements", clock.now()))
    assert answer_to(platform, mod).startswith("Something went wrong with /announcements")
    assert "ConnectionResetError" in caplog.text  # with its traceback, for the moderators
