"""Toxicity through the real Detoxify code, on a tiny model the tests build; and without it."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import pytest

from bot.bus import Priority
from bot.events import MessageCreated
from cogs.netiquette.toxicity import DetoxifyClassifier, ModelChoice, ToxicityWorker
from tests.cogs.netiquette.conftest import ForumFactory, TinyModel
from tests.cogs.netiquette.forum import NO_INSULTS

TOXICITY_RULE = {
    "triggers": [{"toxicity": {"labels": {"toxicity": 0.8, "insult": 0.8}}}],
    "actions": {"delete": True, "warn": {"reason": "Toxic"}},
}


def model_settings(model: TinyModel, **more: object) -> dict[str, object]:
    return {
        "model": "original",
        "checkpoint": str(model.checkpoint),
        "config_dir": str(model.config_dir),
        **more,
    }


def test_the_classifier_runs_the_real_detoxify_code(tiny_detoxify: TinyModel) -> None:
    classifier = DetoxifyClassifier(
        ModelChoice("original", tiny_detoxify.checkpoint, tiny_detoxify.config_dir)
    )
    toxic, clean = classifier.predict(["you are an idiot", "hello friend"])
    assert set(toxic) == {
        "toxicity",
        "severe_toxicity",
        "obscene",
        "threat",
        "insult",
        "identity_attack",
    }
    assert toxic["toxicity"] > 0.9
    assert toxic["insult"] > 0.9
    assert clean["toxicity"] < 0.1


async def test_toxic_messages_are_deleted_after_the_other_listeners_ran(
    open_forum: ForumFactory, tiny_detoxify: TinyModel
) -> None:
    forum = await open_forum({"toxicity": TOXICITY_RULE}, toxicity=model_settings(tiny_detoxify))
    seen: list[str] = []

    async def counter(event: MessageCreated) -> None:
        seen.append(event.text)

    forum.core.bus.subscribe("netiquette", MessageCreated, counter, priority=Priority.OBSERVATION)  # type: ignore[arg-type]
    toxic = await forum.say("alice", "you stupid fool")
    clean = await forum.say("bob", "nice day in the garden")
    # The fast listeners never wait for the model: the others saw both messages already.
    assert seen == ["you stupid fool", "nice day in the garden"]
    await forum.cog.settled()
    assert forum.deleted() == [toxic.id]
    assert forum.core.bus.is_removed(toxic)
    assert not forum.core.bus.is_removed(clean)
    [line] = forum.modlog()
    assert line.startswith("🛡️ Case 1 · rule toxicity · alice · delete, warn · toxicity: ")
    score = float(line.split("toxicity: ")[1].split()[1])
    assert score >= 0.8


async def test_a_message_a_fast_rule_removed_is_not_judged_again(
    open_forum: ForumFactory, tiny_detoxify: TinyModel
) -> None:
    forum = await open_forum(
        {**NO_INSULTS, "toxicity": TOXICITY_RULE}, toxicity=model_settings(tiny_detoxify)
    )
    message = await forum.say("alice", "you are an idiot")
    await forum.cog.settled()
    assert forum.deleted() == [message.id]
    assert len(forum.modlog()) == 1
    assert "rule no_insults" in forum.modlog()[0]


async def test_messages_are_scored_in_micro_batches(
    open_forum: ForumFactory, tiny_detoxify: TinyModel
) -> None:
    forum = await open_forum(
        {"toxicity": TOXICITY_RULE},
        toxicity=model_settings(tiny_detoxify, batch_size=8, batch_wait_ms=50),
    )
    texts = ["hello friend", "you are an idiot", "nice day", "stupid idiot"] * 4
    for number, text in enumerate(texts):
        await forum.say(f"member{number}", text)
    await forum.cog.settled()
    worker = forum.cog.worker(forum.platform.community)
    assert 2 <= worker.batches <= 6
    assert len(forum.deleted()) == 8


async def test_batches_are_bucketed_by_length() -> None:
    class Recorder:
        def __init__(self) -> None:
            self.batches: list[list[str]] = []

        def predict(self, texts: list[str]) -> list[dict[str, float]]:
            self.batches.append(list(texts))
            return [{"toxicity": 0.0} for _ in texts]

    recorder = Recorder()
    worker = ToxicityWorker(lambda: recorder, batch_size=8, batch_wait=0.05)
    import asyncio

    texts = ["short", "x" * 500, "tiny", "y" * 480]
    await asyncio.gather(*(worker.score(text) for text in texts))
    await worker.close()
    assert sorted(len(batch) for batch in recorder.batches) == [2, 2]
    assert all(max(map(len, b)) <= 2 * max(16, min(map(len, b))) for b in recorder.batches)


async def test_without_detoxify_the_bot_starts_says_so_and_words_still_work(
    open_forum: ForumFactory, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setitem(sys.modules, "detoxify", None)  # import detoxify now fails
    caplog.set_level(logging.ERROR, logger="cogs.netiquette")
    forum = await open_forum({**NO_INSULTS, "toxicity": TOXICITY_RULE})
    assert "toxicity checks are off: detoxify is not installed" in caplog.text
    insult = await forum.say("alice", "idiot")
    await forum.say("bob", "you stupid fool")
    await forum.say("carol", "hello")
    await forum.cog.settled()
    assert forum.deleted() == [insult.id]
    off = [line for line in forum.modlog() if line.startswith("⚠️")]
    assert off == [
        "⚠️ Toxicity checks are off: detoxify is not installed; install PyTorch first "
        "(pip install torch==2.13.0), then the toxicity extra (pip install "
        "'jardinier[toxicity]'). Every other rule still works."
    ]


async def test_a_model_that_cannot_load_is_reported_once(
    open_forum: ForumFactory, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.ckpt"
    broken.write_bytes(b"not a checkpoint")
    forum = await open_forum(
        {**NO_INSULTS, "toxicity": TOXICITY_RULE},
        toxicity={"model": "original", "checkpoint": str(broken)},
    )
    await forum.say("alice", "hello")
    await forum.say("bob", "hello again")
    insult = await forum.say("carol", "crétin")
    await forum.cog.settled()
    assert forum.deleted() == [insult.id]
    [off] = [line for line in forum.modlog() if line.startswith("⚠️")]
    assert f"the original model could not load from {broken}" in off
