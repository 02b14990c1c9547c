"""A rule book that loads with warnings tells each mod-log those of its own community's files,
once, in its language, whatever reloaded it (a saved file, SIGHUP, /rules_reload)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import yaml

from bot.builtin import RELOAD_ERRORS_SHOWN, RELOAD_EVERY
from bot.clock import ManualClock
from bot.core import Jardinier
from bot.events import ChannelRef, CommunityRef, MemberRef, UserRef
from bot.rulewatch import RuleWatcher
from tests.support.events import command
from tests.support.fake_platform import FakePlatform
from tests.support.waiting import eventually

NOT_READ = "community: not read: overrides go in communities/<platform>-<id>.yaml"
"""The warning of a folder of community files under the wrong name, which is not read."""
NOT_READ_FR = (
    "community: non lu\u00a0: les fichiers propres à une communauté vont dans "
    "communities/<plateforme>-<id>.yaml"
)


def modlog(platform: FakePlatform, community: CommunityRef | None = None) -> list[str]:
    """What the bot posted in the mod-log of ``community`` (default: the fake one)."""
    channel = ChannelRef(community or platform.community, "mod-log", "#mod-log")
    return [sent.text for sent in platform.sent() if sent.target == channel]


def misplace_an_override(rules_dir: Path, name: str = "community") -> Path:
    """Put a community file in a folder the book does not read: a warning, not an error."""
    folder = rules_dir / name
    folder.mkdir()
    (folder / "discord-42.yaml").write_text("community: {}\n", encoding="utf-8")
    return folder


def remove_misplaced(folder: Path) -> None:
    """Undo :func:`misplace_an_override`."""
    for path in folder.iterdir():
        path.unlink()
    folder.rmdir()


async def meet(core: Jardinier, platform: FakePlatform, clock: ManualClock) -> None:
    """Have the bot meet the fake community: a reload tells the mod-logs of those it met."""
    await core.handle(command(platform.member("mod", moderator=True), "/help", clock.now()))


async def test_a_saved_file_with_a_new_warning_tells_the_mod_log_once(
    core: Jardinier, platform: FakePlatform, clock: ManualClock, rules_dir: Path
) -> None:
    await meet(core, platform, clock)
    folder = misplace_an_override(rules_dir)

    assert await core.reload_rules() is None

    assert modlog(platform) == [f"⚠️ Rule book reloaded, with 1 warning worth fixing:\n{NOT_READ}"]
    # Saved again, the warning still there: not said again.
    for _ in range(3):
        assert await core.reload_rules() is None
    assert len(modlog(platform)) == 1
    # Fixed: nothing to say (the book loads as it should); back: said again.
    remove_misplaced(folder)
    assert await core.reload_rules() is None
    assert len(modlog(platform)) == 1
    misplace_an_override(rules_dir)
    assert await core.reload_rules() is None
    assert modlog(platform)[1:] == modlog(platform)[:1]


async def test_a_new_warning_is_told_first_then_those_that_remain(
    core: Jardinier, platform: FakePlatform, clock: ManualClock, rules_dir: Path
) -> None:
    await meet(core, platform, clock)
    misplace_an_override(rules_dir)
    assert await core.reload_rules() is None
    misplace_an_override(rules_dir, "overrides")

    assert await core.reload_rules() is None

    [_, told] = modlog(platform)
    assert told == (
        "⚠️ Rule book reloaded, with 2 warnings worth fixing:\n"
        "overrides: not read: overrides go in communities/<platform>-<id>.yaml\n"
        f"{NOT_READ}"
    )


async def test_a_french_mod_log_reads_the_warnings_in_french(
    core: Jardinier, platform: FakePlatform, clock: ManualClock, rules_dir: Path
) -> None:
    community_yaml = rules_dir / "community.yaml"
    community_yaml.write_text(community_yaml.read_text().replace("locale: en", "locale: fr"))
    assert await core.reload_rules() is None
    await meet(core, platform, clock)
    misplace_an_override(rules_dir)

    assert await core.reload_rules() is None

    assert modlog(platform) == [
        f"⚠️ Règles rechargées, avec 1 avertissement à corriger\u00a0:\n{NOT_READ_FR}"
    ]


async def test_a_warning_whose_words_change_as_it_is_fixed_is_not_told_again(
    core: Jardinier, platform: FakePlatform, clock: ManualClock, rules_dir: Path
) -> None:
    """A community manager copying the texts a newer version added, one save at a time: the
    mod-log reads that they are missing once, not at every save as the count goes down."""
    await meet(core, platform, clock)
    community_yaml = rules_dir / "community.yaml"
    shipped = community_yaml.read_text(encoding="utf-8")
    data = yaml.safe_load(shipped)
    english = data["texts"]["en"]
    removed = {key: english.pop(key) for key in ("rules_reload_more", "data_sent")}
    community_yaml.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")

    assert await core.reload_rules() is None

    [told] = modlog(platform)
    assert told.startswith("⚠️ Rule book reloaded, with 1 warning worth fixing:\ncommunity.yaml:")
    assert "texts.en: 2 texts are missing" in told
    english["data_sent"] = removed["data_sent"]
    community_yaml.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert await core.reload_rules() is None
    assert "texts.en: 1 text is missing" in str(core.rules.current.warnings[0])
    assert len(modlog(platform)) == 1


async def test_each_mod_log_reads_the_warnings_of_its_own_community_s_files_only(
    rules_dir: Path, clock: ManualClock
) -> None:
    platform = TwoServers()
    overrides = rules_dir / "communities"
    overrides.mkdir()
    bot = Jardinier(
        rules_dir=rules_dir, database_url="sqlite+aiosqlite://", platforms=[platform], clock=clock
    )
    await bot.start()
    try:
        servers = [CommunityRef("discord", id, f"Server {id}") for id in ("111", "222")]
        for server in servers:
            mod = MemberRef(server, UserRef("discord", "9", "mod"), platform_moderator=True)
            await bot.handle(command(mod, "/help", clock.now()))
        # A file of server 111's own that the book does not read (not .yaml): its warning.
        (overrides / "discord-111.txt").write_text("community: {}\n", encoding="utf-8")

        assert await bot.reload_rules() is None

        assert modlog(platform, servers[0]) == [
            "⚠️ Rule book reloaded, with 1 warning worth fixing:\n"
            "communities/discord-111.txt: not read: an override file's name ends in .yaml or .yml"
        ]
        assert modlog(platform, servers[1]) == []
        # A warning about a shared place reaches both; 111 reads its own again beside it.
        misplace_an_override(rules_dir)
        assert await bot.reload_rules() is None
        assert modlog(platform, servers[1]) == [
            f"⚠️ Rule book reloaded, with 1 warning worth fixing:\n{NOT_READ}"
        ]
        assert modlog(platform, servers[0])[-1].splitlines()[1:] == [
            NOT_READ,
            "communities/discord-111.txt: not read: an override file's name ends in .yaml or .yml",
        ]
    finally:
        await bot.stop()


class TwoServers(FakePlatform):
    """Discord with two servers, each with a mod-log of its own."""

    def __init__(self) -> None:
        super().__init__("discord")

    async def resolve_channel(self, community: CommunityRef, text: str) -> ChannelRef | None:
        name = text.lstrip("#")
        return ChannelRef(community, name, f"#{name}")


async def test_many_warnings_are_told_as_rules_reload_shows_them_the_first_few_then_dots(
    core: Jardinier, platform: FakePlatform, clock: ManualClock, rules_dir: Path
) -> None:
    await meet(core, platform, clock)
    count = RELOAD_ERRORS_SHOWN + 3
    for number in range(count):
        misplace_an_override(rules_dir, f"folder{number:02}")

    assert await core.reload_rules() is None

    [told] = modlog(platform)
    lines = told.splitlines()
    assert lines[0] == f"⚠️ Rule book reloaded, with {count} warnings worth fixing:"
    assert lines[1].startswith("folder00: not read")
    assert len(lines) == 1 + RELOAD_ERRORS_SHOWN + 1
    assert lines[-1] == "…"


async def test_warnings_already_there_at_start_are_only_logged(
    rules_dir: Path, clock: ManualClock, platform: FakePlatform
) -> None:
    """Every restart would post them again in every mod-log; a reload tells those that are
    new since the start."""
    folder = misplace_an_override(rules_dir)
    bot = Jardinier(
        rules_dir=rules_dir, database_url="sqlite+aiosqlite://", platforms=[platform], clock=clock
    )
    await bot.start()
    try:
        await meet(bot, platform, clock)
        assert await bot.reload_rules() is None
        assert modlog(platform) == []
        remove_misplaced(folder)
        assert await bot.reload_rules() is None
        misplace_an_override(rules_dir)
        assert await bot.reload_rules() is None
        assert modlog(platform) == [
            f"⚠️ Rule book reloaded, with 1 warning worth fixing:\n{NOT_READ}"
        ]
    finally:
        await bot.stop()


async def test_rules_reload_shows_the_asker_the_warnings_and_the_mod_log_reads_them_too(
    core: Jardinier, platform: FakePlatform, clock: ManualClock, rules_dir: Path
) -> None:
    """The other moderators read the mod-log: the book now in force is theirs too."""
    community_yaml = rules_dir / "community.yaml"
    community_yaml.write_text(community_yaml.read_text().replace("  users: []", "  users: [4242]"))
    assert await core.reload_rules() is None
    operator = MemberRef(
        platform.community, UserRef(platform.name, "4242", "mod"), platform_moderator=True
    )
    misplace_an_override(rules_dir)

    await core.handle(command(operator, "/rules_reload", clock.now()))

    answer = f"Rule book reloaded, with 1 warning worth fixing:\n{NOT_READ}"
    assert platform.last_text() == answer
    assert platform.sent()[-1].details["private_to"] == operator
    assert modlog(platform) == [f"⚠️ {answer}"]
    clock.advance(RELOAD_EVERY)
    await core.handle(command(operator, "/rules_reload", clock.now()))
    assert platform.last_text() == answer  # the asker reads it each time they ask
    assert len(modlog(platform)) == 1


async def test_a_save_with_a_warning_reaches_the_mod_log(
    core: Jardinier, platform: FakePlatform, clock: ManualClock, rules_dir: Path
) -> None:
    await meet(core, platform, clock)
    watcher = RuleWatcher(rules_dir, core.reload_rules)
    watcher.start()
    try:
        await asyncio.wait_for(watcher.ready.wait(), 15)
        misplace_an_override(rules_dir)
        await eventually(lambda: len(modlog(platform)) == 1, "the mod-log reads the warning")
        assert modlog(platform) == [
            f"⚠️ Rule book reloaded, with 1 warning worth fixing:\n{NOT_READ}"
        ]
    finally:
        await watcher.stop()


async def test_a_broken_save_between_two_books_with_the_same_warning_does_not_repeat_it(
    core: Jardinier, platform: FakePlatform, clock: ManualClock, rules_dir: Path
) -> None:
    """The running rules stay while the book is broken, their warnings too: once fixed, the
    mod-log reads that the rules are in force again, and of a warning only if it is new."""
    await meet(core, platform, clock)
    misplace_an_override(rules_dir)
    assert await core.reload_rules() is None
    community_yaml = rules_dir / "community.yaml"
    good = community_yaml.read_text()
    community_yaml.write_text(good.replace("locale: en", "locale: [en"))
    assert await core.reload_rules() is not None
    community_yaml.write_text(good)

    assert await core.reload_rules() is None

    fixed = (
        "✅ Rule book reloaded: the errors reported here are fixed, and the new rules are in"
        " force."
    )
    assert modlog(platform)[2:] == [fixed]
    # Broken, then fixed with a new warning: the fix first, then the warnings.
    community_yaml.write_text(good.replace("locale: en", "locale: [en"))
    assert await core.reload_rules() is not None
    community_yaml.write_text(good)
    misplace_an_override(rules_dir, "overrides")
    assert await core.reload_rules() is None
    assert modlog(platform)[4:] == [
        fixed,
        "⚠️ Rule book reloaded, with 2 warnings worth fixing:\n"
        "overrides: not read: overrides go in communities/<platform>-<id>.yaml\n"
        f"{NOT_READ}",
    ]


async def test_a_missing_text_names_the_shipped_file_in_the_chat_not_where_the_server_keeps_it(
    core: Jardinier, platform: FakePlatform, clock: ManualClock, rules_dir: Path
) -> None:
    await meet(core, platform, clock)
    community_yaml = rules_dir / "community.yaml"
    data = yaml.safe_load(community_yaml.read_text(encoding="utf-8"))
    del data["texts"]["en"]["data_sent"]
    community_yaml.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")

    assert await core.reload_rules() is None

    [told] = modlog(platform)
    assert told.endswith("copy them from the shipped community.yaml to rewrite them")
    assert "/" not in told.split("copy them from", 1)[1]
    # The log and check-rules, read by whoever runs the bot, keep where the file is.
    [warning] = core.rules.current.warnings
    assert f"copy them from {Path.cwd().anchor}" in str(warning)


async def test_a_new_warning_is_shown_before_those_already_told(
    core: Jardinier, platform: FakePlatform, clock: ManualClock, rules_dir: Path
) -> None:
    await meet(core, platform, clock)
    for number in range(RELOAD_ERRORS_SHOWN):
        misplace_an_override(rules_dir, f"folder{number:02}")
    assert await core.reload_rules() is None
    misplace_an_override(rules_dir, "later")

    assert await core.reload_rules() is None

    told = modlog(platform)[-1].splitlines()
    assert (
        told[0] == f"⚠️ Rule book reloaded, with {RELOAD_ERRORS_SHOWN + 1} warnings worth fixing:"
    )
    assert told[1].startswith("later: not read")
