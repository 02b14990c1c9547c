"""The rule book in force: a reload swaps it only when the new one is valid everywhere."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from bot.ruleconf import RuleBookError, RuleStore

if TYPE_CHECKING:
    from conftest import RuleDir
    from pydantic import BaseModel


def test_the_store_loads_at_once(
    valid_rules: RuleDir, section_models: dict[str, type[BaseModel]]
) -> None:
    store = RuleStore(valid_rules.path, section_models)

    assert store.current.community().locale == "en"
    assert store.directory == valid_rules.path


def test_a_store_on_a_broken_book_raises(
    valid_rules: RuleDir, section_models: dict[str, type[BaseModel]]
) -> None:
    valid_rules.write("welcome.yaml", "max_mentions: [\n")

    with pytest.raises(RuleBookError):
        RuleStore(valid_rules.path, section_models)


def test_a_reload_that_succeeds_swaps_the_book(
    valid_rules: RuleDir,
    section_models: dict[str, type[BaseModel]],
    welcome_yaml: str,
) -> None:
    store = RuleStore(valid_rules.path, section_models)
    before = store.current
    valid_rules.write("welcome.yaml", welcome_yaml.replace("max_mentions: 3", "max_mentions: 8"))

    reloaded = store.reload()

    assert reloaded is store.current
    assert store.current is not before
    assert store.current.section("welcome").max_mentions == 8
    assert before.section("welcome").max_mentions == 3


def test_a_reload_that_fails_keeps_the_old_book(
    valid_rules: RuleDir,
    section_models: dict[str, type[BaseModel]],
    welcome_yaml: str,
    community_yaml: str,
) -> None:
    store = RuleStore(valid_rules.path, section_models)
    before = store.current
    # One good change and one broken file: nothing of the new book may take effect.
    valid_rules.write("welcome.yaml", welcome_yaml.replace("max_mentions: 3", "max_mentions: 8"))
    valid_rules.write("community.yaml", community_yaml.replace("locale: en", "locale: [en]"))

    with pytest.raises(RuleBookError) as caught:
        store.reload()

    assert [str(error) for error in caught.value.errors] == [
        f"{valid_rules.path}/community.yaml:1:1: locale: "
        "Input should be a valid string, got a list"
    ]
    assert store.current is before
    assert store.current.section("welcome").max_mentions == 3
