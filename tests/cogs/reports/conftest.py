"""Fixtures for the reports cog: the shipped rule book with reports (and netiquette) enabled."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.core import Jardinier
from cogs.netiquette.cog import NetiquetteCog
from tests.cogs.netiquette.forum import write_netiquette
from tests.support.rulebook import enable_only

TOXICITY_RULE = {
    "triggers": [{"toxicity": {"labels": {"toxicity": 0.8}}}],
    "actions": {"delete": True, "warn": {"reason": "Toxic"}},
}


@pytest.fixture
def rules_dir(rules_dir: Path) -> Path:
    """Netiquette with only a toxicity rule, then the reports cog; time zone UTC."""
    write_netiquette(rules_dir, {"toxicity": TOXICITY_RULE})
    enable_only(rules_dir, "netiquette", "reports")
    community = rules_dir / "community.yaml"
    data = yaml.safe_load(community.read_text(encoding="utf-8"))
    data["timezone"] = "UTC"
    community.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    return rules_dir


class StubClassifier:
    """Scores messages with 'idiot' as toxic, everything else as civil (no model, no download)."""

    def predict(self, texts: list[str]) -> list[dict[str, float]]:
        """One score mapping per text."""
        return [{"toxicity": 0.95 if "idiot" in text else 0.05} for text in texts]


@pytest.fixture
def core(core: Jardinier) -> Jardinier:
    """The started core, its netiquette scoring with the stub classifier."""
    netiquette = core.cogs["netiquette"]
    assert isinstance(netiquette, NetiquetteCog)
    netiquette.classifier_factory = lambda _choice: StubClassifier()
    return core
