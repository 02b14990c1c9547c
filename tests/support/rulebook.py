"""Editing a test's copy of the rule book."""

from __future__ import annotations

from pathlib import Path

import yaml


def enable_only(rules_dir: Path, *cogs: str) -> None:
    """Enable exactly ``cogs`` in ``rules_dir``, so a cog's tests see no other cog's posts."""
    community = rules_dir / "community.yaml"
    data = yaml.safe_load(community.read_text(encoding="utf-8"))
    data["cogs"] = list(cogs)
    community.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
