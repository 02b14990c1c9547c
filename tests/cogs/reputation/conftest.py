"""Fixtures for the reputation cog: netiquette (a toxicity rule, a stand-in model) and the
reputation cog watching "Jardinier" and "Graines Bio"; time zone UTC."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.core import Jardinier
from cogs.netiquette.cog import NetiquetteCog
from cogs.reputation.cog import ReputationCog
from tests.cogs.netiquette.forum import write_netiquette
from tests.cogs.reputation.newsroom import Newsroom
from tests.support.fake_platform import FakePlatform
from tests.support.rulebook import edit_section, enable_only

TOXICITY_RULE = {
    "triggers": [{"toxicity": {"labels": {"toxicity": 0.8}}}],
    "actions": {"delete": True, "warn": {"reason": "Toxic"}},
}
NAMES = ["Jardinier", "Graines Bio"]


@pytest.fixture
def rules_dir(rules_dir: Path) -> Path:
    """Netiquette with only a toxicity rule, then the reputation cog; time zone UTC."""
    write_netiquette(rules_dir, {"toxicity": TOXICITY_RULE})
    enable_only(rules_dir, "netiquette", "reputation")
    edit_section(rules_dir, "community", {"timezone": "UTC"})
    edit_section(rules_dir, "reputation", {"names": NAMES})
    return rules_dir


class StubClassifier:
    """Scores "idiot" 0.95 (the netiquette deletes it), "pathetic" 0.6 (hostile to the
    reputation cog, under the netiquette's rule), everything else 0.05."""

    def predict(self, texts: list[str]) -> list[dict[str, float]]:
        """One score mapping per text."""
        return [
            {"toxicity": 0.95 if "idiot" in text else 0.6 if "pathetic" in text else 0.05}
            for text in texts
        ]


def scored_by_stub(core: Jardinier) -> Jardinier:
    """``core`` with its netiquette scoring with the stand-in model."""
    netiquette = core.cogs["netiquette"]
    assert isinstance(netiquette, NetiquetteCog)
    netiquette.classifier_factory = lambda _choice: StubClassifier()
    return core


@pytest.fixture
def core(core: Jardinier) -> Jardinier:
    """The started core, its netiquette scoring with the stand-in model."""
    return scored_by_stub(core)


@pytest.fixture
def busy_core(busy_core: Jardinier) -> Jardinier:
    """The shared busy core (tests/conftest.py), scoring with the stand-in model."""
    return scored_by_stub(busy_core)


@pytest.fixture
def newsroom(core: Jardinier, platform: FakePlatform, clock: ManualClock) -> Newsroom:
    """The fake community with the reputation cog."""
    return Newsroom(core, platform, clock)


@pytest.fixture
def cog(core: Jardinier) -> ReputationCog:
    """The reputation cog."""
    found = core.cogs["reputation"]
    assert isinstance(found, ReputationCog)
    return found
