"""Editing a test's copy of the rule book."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


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
