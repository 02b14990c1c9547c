"""Saving a rule file reloads the rule book, once per save; a broken save changes nothing."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.core import Jardinier
from bot.errors import JardinierError
from bot.rulewatch import RuleWatcher, is_rule_file, watching_enabled
from tests.support.events import command
from tests.support.fake_platform import FakePlatform
from tests.support.waiting import eventually


async def watching(directory: Path, reload: Callable[[], object]) -> RuleWatcher:
    async def call() -> None:
        reload()

    watcher = RuleWatcher(directory, call)
    watcher.start()
    await asyncio.wait_for(watcher.ready.wait(), 15)
    return watcher


def set_locale(rules_dir: Path, old: str, new: str) -> None:
    community = rules_dir / "community.yaml"
    community.write_text(community.read_text().replace(f"locale: {old}", f"locale: {new}"))


async def test_saving_a_rule_file_reloads_the_running_book(
    core: Jardinier, rules_dir: Path, platform: FakePlatform
) -> None:
    watcher = RuleWatcher(rules_dir, core.reload_rules)
    watcher.start()
    try:
        await asyncio.wait_for(watcher.ready.wait(), 15)
        assert core.community_config().locale == "en"
        set_locale(rules_dir, "en", "fr")
        await eventually(lambda: core.community_config().locale == "fr", "the book is reloaded")
    finally:
        await watcher.stop()


async def test_a_broken_save_keeps_the_running_rules_until_it_is_fixed(
    core: Jardinier, rules_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    watcher = RuleWatcher(rules_dir, core.reload_rules)
    watcher.start()
    try:
        await asyncio.wait_for(watcher.ready.wait(), 15)
        community = rules_dir / "community.yaml"
        good = community.read_text()
        community.write_text(good.replace("locale: en", "locale: [en"))  # unclosed list
        await eventually(lambda: "rule book not reloaded" in caplog.text, "the error is logged")
        assert "community.yaml:" in caplog.text  # it names where the file broke
        assert core.community_config().locale == "en"
        community.write_text(good.replace("locale: en", "locale: fr"))
        await eventually(lambda: core.community_config().locale == "fr", "the fix is loaded")
    finally:
        await watcher.stop()


async def test_every_save_of_a_broken_file_tells_the_mod_log_once_and_the_fix_too(
    core: Jardinier, rules_dir: Path, platform: FakePlatform, clock: ManualClock
) -> None:
    await core.handle(command(platform.member("mod", moderator=True), "/help", clock.now()))
    reloads: list[object] = []

    async def reload() -> None:
        reloads.append(await core.reload_rules())

    def modlog() -> list[str]:
        return [sent.text for sent in platform.sent() if sent.target.name == "#mod-log"]

    watcher = RuleWatcher(rules_dir, reload)
    watcher.start()
    try:
        await asyncio.wait_for(watcher.ready.wait(), 15)
        community = rules_dir / "community.yaml"
        good = community.read_text()
        broken = good.replace("locale: en", "locale: [en")
        for saves in range(1, 4):
            community.write_text(broken + "\n" * saves)  # saved again, still broken
            await eventually(lambda saves=saves: len(reloads) == saves, "the save is reloaded")
        [told] = modlog()
        assert told.startswith("⚠️ The rule book has errors; the running rules stay in force:")
        community.write_text(good)
        await eventually(lambda: len(reloads) == 4, "the fix is reloaded")
        assert modlog()[1:] == [
            "✅ Rule book reloaded: the errors reported here are fixed, and the new rules are in"
            " force."
        ]
    finally:
        await watcher.stop()


async def test_one_save_is_one_reload_and_other_files_are_ignored(rules_dir: Path) -> None:
    reloads: list[float] = []
    watcher = await watching(rules_dir, lambda: reloads.append(time.monotonic()))
    try:
        (rules_dir / ".community.yaml.swp").write_text("editor state")
        (rules_dir / "community.yaml~").write_text("backup")
        (rules_dir / "notes.txt").write_text("to do")
        await asyncio.sleep(1.0)
        assert reloads == []
        # An editor's save: a temporary file renamed over the original, then touched again.
        staged = rules_dir / "community.yaml.tmp"
        staged.write_text((rules_dir / "community.yaml").read_text() + "\n# edited\n")
        staged.replace(rules_dir / "community.yaml")
        (rules_dir / "community.yaml").touch()
        await eventually(lambda: len(reloads) == 1, "the save is reloaded")
        await asyncio.sleep(1.0)
        assert len(reloads) == 1
        (rules_dir / "communities").mkdir(exist_ok=True)
        await asyncio.sleep(1.0)  # a new folder is watched once the watcher has seen it
        (rules_dir / "communities" / "console-console.yaml").write_text("locale: fr\n")
        await eventually(lambda: len(reloads) == 2, "a community override is watched too")
    finally:
        await watcher.stop()


def as_a_configmap(rules_dir: Path) -> None:
    """Lay the folder out as Kubernetes mounts a ConfigMap: each file a symlink through ``..data``
    to the version in force, ``..v1``."""
    version = rules_dir / "..v1"
    version.mkdir()
    for path in sorted(rules_dir.glob("*.yaml")):
        path.replace(version / path.name)
        path.symlink_to(Path("..data") / path.name)
    (rules_dir / "..data").symlink_to("..v1")


async def test_a_configmap_update_reloads_the_book(core: Jardinier, rules_dir: Path) -> None:
    as_a_configmap(rules_dir)
    shutil.copytree(rules_dir / "..v1", rules_dir / "..v2")
    set_locale(rules_dir / "..v2", "en", "fr")  # the next version, not yet in force
    watcher = RuleWatcher(rules_dir, core.reload_rules)
    watcher.start()
    try:
        await asyncio.wait_for(watcher.ready.wait(), 15)
        # The update: ..data swapped at once to the new version (kubelet then deletes the old one).
        (rules_dir / "..data_tmp").symlink_to("..v2")
        os.replace(rules_dir / "..data_tmp", rules_dir / "..data")
        await eventually(lambda: core.community_config().locale == "fr", "the update is loaded")
    finally:
        await watcher.stop()


async def test_a_folder_replaced_by_a_copy_is_watched_in_its_place(
    core: Jardinier, rules_dir: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    reloads: list[float] = []

    async def reload() -> None:
        reloads.append(time.monotonic())
        await core.reload_rules()

    watcher = RuleWatcher(rules_dir, reload)
    watcher.start()
    try:
        await asyncio.wait_for(watcher.ready.wait(), 15)
        old = tmp_path / "rules.old"
        rules_dir.rename(old)
        shutil.copytree(old, rules_dir)
        shutil.rmtree(old)
        await eventually(lambda: len(reloads) >= 1, "the copy is read")
        set_locale(rules_dir, "en", "fr")  # an edit to the copy, the folder now in force
        await eventually(lambda: core.community_config().locale == "fr", "the edit is loaded")
        assert "not watching" not in caplog.text  # a folder put in place at once is not "gone"
    finally:
        await watcher.stop()


async def test_a_folder_gone_is_said_once_and_watched_again_when_back(
    core: Jardinier, rules_dir: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    watcher = RuleWatcher(rules_dir, core.reload_rules)
    watcher.start()
    try:
        await asyncio.wait_for(watcher.ready.wait(), 15)
        kept = tmp_path / "kept"
        shutil.copytree(rules_dir, kept)
        with caplog.at_level(logging.WARNING):
            shutil.rmtree(rules_dir)
            await eventually(lambda: "any more" in caplog.text, "the watcher says it")
        assert f"not watching {rules_dir} any more: the folder is gone" in caplog.text
        assert core.community_config().locale == "en"  # the running rules stay
        set_locale(kept, "en", "fr")
        shutil.copytree(kept, rules_dir)
        await eventually(lambda: core.community_config().locale == "fr", "the folder is read")
        assert caplog.text.count("any more") == 1
    finally:
        await watcher.stop()


async def test_a_folder_that_cannot_be_watched_is_logged_and_the_bot_goes_on(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    reloads: list[float] = []
    with caplog.at_level(logging.WARNING):
        watcher = await watching(tmp_path / "missing", lambda: reloads.append(0))
        await watcher.stop()
    assert "not watching" in caplog.text
    assert "/rules_reload and SIGHUP still reload it" in caplog.text


def test_the_setting_is_on_by_default_and_says_what_it_wants() -> None:
    assert watching_enabled({}) is True
    assert watching_enabled({"JARDINIER_WATCH_RULES": "0"}) is False
    assert watching_enabled({"JARDINIER_WATCH_RULES": "yes"}) is True
    with pytest.raises(JardinierError, match="write 1"):
        watching_enabled({"JARDINIER_WATCH_RULES": "sometimes"})


class ServingPlatform(FakePlatform):
    """A platform that serves until it is stopped, as a real one does."""

    def __init__(self) -> None:
        super().__init__()
        self._stopped = asyncio.Event()

    async def start(self, sink: object) -> None:
        await self._stopped.wait()

    async def stop(self) -> None:
        self._stopped.set()


@pytest.mark.parametrize("watch", [False, True])
async def test_a_serving_bot_watches_only_when_asked(
    watch: bool, rules_dir: Path, tmp_path: Path
) -> None:
    bot = Jardinier(
        rules_dir=rules_dir,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'watch.db'}",
        platforms=[ServingPlatform()],
        watch_rules=watch,
    )
    serving = asyncio.create_task(bot.run())
    await eventually(lambda: bot.cogs.get("netiquette") is not None, "the bot serves")
    await asyncio.sleep(1.5)  # the watch is in place once it has answered once
    set_locale(rules_dir, "en", "fr")
    if watch:
        await eventually(lambda: bot.community_config().locale == "fr", "a reload")
    else:
        await asyncio.sleep(1.5)
        assert bot.community_config().locale == "en"
    await bot.stop_platforms()
    await asyncio.wait_for(serving, 15)


async def test_a_save_while_the_bot_starts_is_loaded_once_it_serves(
    rules_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot = Jardinier(
        rules_dir=rules_dir,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'watch.db'}",
        platforms=[ServingPlatform()],
        watch_rules=True,
    )
    starting = bot.start

    async def start_while_saved(*, jobs_on_time: bool = True) -> None:
        await starting(jobs_on_time=jobs_on_time)
        set_locale(rules_dir, "en", "fr")  # saved while migrating, loading cogs, publishing

    monkeypatch.setattr(bot, "start", start_while_saved)
    serving = asyncio.create_task(bot.run())
    try:
        await eventually(lambda: bot.community_config().locale == "fr", "the save is loaded")
    finally:
        await bot.stop_platforms()
        await asyncio.wait_for(serving, 15)


@pytest.mark.parametrize(
    ("name", "counts"),
    [
        ("community.yaml", True),
        ("communities/discord-42.YAML", True),
        ("netiquette.yml", True),
        (".community.yaml.swp", False),
        ("community.yaml~", False),
        ("community.yaml.tmp", False),
    ],
)
def test_rule_files_are_known_by_their_extension_in_any_case(name: str, counts: bool) -> None:
    assert is_rule_file(None, f"/srv/rules/{name}") is counts
