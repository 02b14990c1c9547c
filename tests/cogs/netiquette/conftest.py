"""Fixtures for the netiquette cog: a community to drive, and a tiny Detoxify model."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.clock import ManualClock
from bot.core import Jardinier
from tests.cogs.netiquette.forum import Forum, write_netiquette
from tests.support.fake_platform import FakePlatform

ForumFactory = Callable[..., Awaitable[Forum]]

TOXIC = ["you are an idiot", "stupid idiot", "you stupid fool", "idiot fool"]
CLEAN = ["hello friend", "nice day in the garden", "the flowers are nice", "hello garden"]
VOCABULARY = sorted({word for text in TOXIC + CLEAN for word in text.split()})
LABELS = ["toxic", "severe_toxic", "obscene", "threat", "insult", "identity_hate"]


@dataclass(frozen=True)
class TinyModel:
    """A Detoxify checkpoint built by the tests: a two-layer BERT taught a few insults."""

    checkpoint: Path
    config_dir: Path


@pytest.fixture(scope="session")
def tiny_detoxify(tmp_path_factory: pytest.TempPathFactory) -> TinyModel:
    """Build and train the tiny model once per test session (about two seconds on a CPU)."""
    import torch  # heavy: only the toxicity tests pay for it
    from transformers import BertConfig, BertForSequenceClassification

    from cogs.netiquette.checkpoint import write_checkpoint

    folder = tmp_path_factory.mktemp("tiny-detoxify")
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *VOCABULARY]
    config = BertConfig(
        vocab_size=len(vocab),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=64,
        num_labels=len(LABELS),
        problem_type="multi_label_classification",
        hidden_dropout_prob=0.0,
        attention_probs_dropout_prob=0.0,
    )
    torch.manual_seed(0)
    model = BertForSequenceClassification(config)
    index = {token: number for number, token in enumerate(vocab)}
    texts = TOXIC + CLEAN
    width = max(len(text.split()) for text in texts) + 2
    ids = torch.zeros((len(texts), width), dtype=torch.long)
    mask = torch.zeros((len(texts), width), dtype=torch.long)
    for row, text in enumerate(texts):
        tokens = [index["[CLS]"], *(index[word] for word in text.split()), index["[SEP]"]]
        ids[row, : len(tokens)] = torch.tensor(tokens)
        mask[row, : len(tokens)] = 1
    targets = torch.zeros((len(texts), len(LABELS)))
    targets[: len(TOXIC), 0] = 1.0  # toxic
    targets[: len(TOXIC), 4] = 1.0  # insult
    optimiser = torch.optim.Adam(model.parameters(), lr=0.003)
    model.train()
    for _step in range(100):
        optimiser.zero_grad()
        loss = model(input_ids=ids, attention_mask=mask, labels=targets).loss
        loss.backward()
        optimiser.step()
    checkpoint = write_checkpoint(
        folder, model, vocabulary=vocab, labels=LABELS, max_tokens=64, name="tiny.ckpt"
    )
    return TinyModel(checkpoint, folder)


@pytest.fixture
def platform() -> FakePlatform:
    """A platform with every capability that records every action."""
    return FakePlatform()


@pytest.fixture
async def open_forum(rules_dir: Path, clock: ManualClock) -> AsyncIterator[ForumFactory]:
    """Start a community with the netiquette cog: ``await open_forum(rules={...})``.

    ``rules`` replaces the rule list (default: the shipped rules); other keyword arguments set
    keys of the section; ``database=`` a file database (to restart on it).
    """
    started: list[Jardinier] = []

    async def start(
        rules: dict[str, Any] | None = None,
        *,
        platform: FakePlatform | None = None,
        database: Path | None = None,
        **changes: Any,
    ) -> Forum:
        if not started:
            write_netiquette(rules_dir, rules, **changes)
        platform = platform or FakePlatform()
        url = f"sqlite+aiosqlite:///{database}" if database else "sqlite+aiosqlite://"
        core = Jardinier(rules_dir=rules_dir, database_url=url, platforms=[platform], clock=clock)
        await core.start()
        started.append(core)
        return Forum(core, platform, clock)

    yield start
    for core in started:
        await core.stop()
