"""Editing a test's copy of the rule book, and reading the shipped one."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.cogloader import section_models
from bot.resources import shipped_rules_directory
from bot.ruleconf import CoreTexts, RuleBookError, RuleError, load_rule_book


def enable_only(rules_dir: Path, *cogs: str) -> None:
    """Enable exactly ``cogs`` in ``rules_dir``, so a cog's tests see no other cog's posts."""
    edit_section(rules_dir, "community", {"cogs": list(cogs)})


def edit_section(rules_dir: Path, section: str, changes: dict[str, Any]) -> None:
    """Merge ``changes`` into ``rules_dir/<section>.yaml`` (mappings key by key)."""
    path = rules_dir / f"{section}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    _merge(data, changes)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _merge(target: dict[str, Any], layer: dict[str, Any]) -> None:
    for key, value in layer.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = value


@cache
def shipped_texts(locale: str) -> CoreTexts:
    """The core's texts of the shipped rule book in ``locale``."""
    book = load_rule_book(shipped_rules_directory(), section_models())
    return book.community().texts[locale]


def refusal_read_in_french(rules_dir: Path, section: str, changes: dict[str, Any]) -> RuleError:
    """The one error a ``locale: fr`` community's book gets once ``changes`` are merged into
    ``section``: what a French community manager reads when the book refuses them."""
    edit_section(rules_dir, "community", {"locale": "fr"})
    edit_section(rules_dir, section, changes)
    with pytest.raises(RuleBookError) as raised:
        load_rule_book(rules_dir, section_models())
    [error] = raised.value.errors
    return error
