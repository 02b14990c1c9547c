"""Fixtures for the suggestions cog: the shipped rule book with only this cog enabled."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.clock import ManualClock
from bot.core import Jardinier
from tests.cogs.suggestions.board import Board
from tests.support.fake_platform import FakePlatform
from tests.support.rulebook import enable_only


@pytest.fixture
def rules_dir(rules_dir: Path, tmp_path: Path) -> Path:
    """The shipped rule book with the suggestions cog enabled, digests written under tmp."""
    enable_only(rules_dir, "suggestions")
    path = rules_dir / "suggestions.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["digest"]["folder"] = str(tmp_path / "reports")
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    return rules_dir


@pytest.fixture
def board(core: Jardinier, platform: FakePlatform, clock: ManualClock) -> Board:
    """The fake community with the suggestions cog."""
    return Board(core, platform, clock)
