"""Toxicity through the real Detoxify code, on a tiny model the tests build; and without it."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import threading
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.bus import Priority
from bot.events import MessageCreated, MessageScored
from cogs.netiquette import enforcement
from cogs.netiquette.toxicity import (
    DetoxifyClassifier,
    ModelChoice,
    ToxicityUnavailableError,
    ToxicityWorker,
    length_groups,
)
from tests.cogs.netiquette.conftest import ForumFactory, TinyModel
from tests.cogs.netiquette.forum import NO_INSULTS, Forum, write_netiquette
from tests.support.database import held
from tests.support.waiting import eventually

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


async def test_a_later_rule_that_fires_does_not_spare_a_message_the_toxicity_rule_before_it(
    open_forum: ForumFactory, tiny_detoxify: TinyModel
) -> None:
    gentle = {"triggers": [{"match_words": {"words": ["fool"]}}], "actions": {"reply": True}}
    forum = await open_forum(
        {"toxicity": TOXICITY_RULE, "gentle": gentle}, toxicity=model_settings(tiny_detoxify)
    )
    message = await forum.say("alice", "you stupid fool")
    await forum.cog.settled()
    assert forum.deleted() == [message.id]
    assert [line.split(" · ")[1] for line in forum.modlog()] == ["rule gentle", "rule toxicity"]


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


class Recorder:
    """A classifier that records its batches; the first one waits until ``release`` is set."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.release = threading.Event()

    def predict(self, texts: Sequence[str]) -> list[dict[str, float]]:
        self.batches.append(list(texts))
        if len(self.batches) == 1:
            self.release.wait(timeout=10)
        return [{"toxicity": 0.0} for _ in texts]


async def until_scoring(recorder: Recorder) -> None:
    """Wait (on the loop) until the model thread has taken its first batch."""
    await eventually(lambda: bool(recorder.batches), "the model gets a batch")


async def test_a_lone_message_is_scored_at_once_and_the_next_batch_forms_while_it_runs() -> None:
    recorder = Recorder()
    worker = ToxicityWorker(lambda: recorder, batch_size=4)
    first = asyncio.create_task(worker.score("first"))
    await until_scoring(recorder)
    assert recorder.batches == [["first"]]  # nobody waited for a batch to fill
    later = [asyncio.create_task(worker.score(f"message {number}")) for number in range(10)]
    await eventually(lambda: worker.waiting == 10, "ten messages queue behind the first")
    recorder.release.set()
    await asyncio.gather(first, *later)
    await worker.close()
    # What queued while the model was busy went in the next batches, up to batch_size each.
    assert [len(batch) for batch in recorder.batches] == [1, 4, 4, 2]
    assert worker.batches == 4


async def test_a_model_failure_fails_its_batch_only() -> None:
    class Flaky:
        def __init__(self) -> None:
            self.calls = 0

        def predict(self, texts: Sequence[str]) -> list[dict[str, float]]:
            self.calls += 1
            if self.calls == 1:
                raise RuntimeError("out of memory")
            return [{"toxicity": 0.5} for _ in texts]

    worker = ToxicityWorker(Flaky)
    with pytest.raises(ToxicityUnavailableError, match="the model failed: out of memory"):
        await worker.score("hello")
    assert await worker.score("hello again") == {"toxicity": 0.5}
    assert worker.error is None
    await worker.close()


@pytest.mark.skipif(sys.platform != "linux", reason="a thread's own priority is Linux's")
async def test_the_model_runs_below_the_event_loop() -> None:
    """On a busy machine the loop handles events first; the model scores with what is left."""
    from cogs.netiquette.toxicity import MODEL_NICENESS

    seen: list[int] = []

    class Reporting:
        def predict(self, texts: Sequence[str]) -> list[dict[str, float]]:
            seen.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
            return [{"toxicity": 0.0} for _ in texts]

    loop_niceness = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    worker = ToxicityWorker(Reporting)
    await worker.score("hello")
    await worker.close()
    assert seen == [min(19, loop_niceness + MODEL_NICENESS)]
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == loop_niceness


def test_a_batch_is_split_by_length_only_where_padding_costs_more_than_a_pass() -> None:
    assert length_groups([5, 500, 4, 495]) == [[2, 0], [3, 1]]
    assert length_groups([5, 500, 4, 470]) == [[2, 0], [3], [1]]
    assert length_groups([12, 10, 11, 14]) == [[1, 2, 0, 3]]
    # When padding costs little (the linear layers skip it), only far lengths are split.
    assert length_groups([6, 30, 8, 28], padding_weight=0.2) == [[0, 2, 3, 1]]
    assert length_groups([6, 300, 8], padding_weight=0.2) == [[0, 2], [1]]
    assert length_groups([]) == []


@pytest.mark.parametrize("onednn", [True, False])
def test_a_batch_scores_as_each_message_alone_and_as_detoxify(
    tiny_detoxify: TinyModel, monkeypatch: pytest.MonkeyPatch, onednn: bool
) -> None:
    import torch
    from detoxify import Detoxify

    if not onednn:
        monkeypatch.setattr(torch.backends.mkldnn, "is_available", lambda: False)
    elif not torch.backends.mkldnn.is_available():
        pytest.skip("this PyTorch has no oneDNN")
    classifier = DetoxifyClassifier(
        ModelChoice("original", tiny_detoxify.checkpoint, tiny_detoxify.config_dir)
    )
    assert (classifier.packed_layers > 0) is onednn
    texts = ["idiot", "hello friend", "you stupid fool " * 6, "nice day in the garden " * 12]
    together = classifier.predict(texts)
    alone = [classifier.predict([text])[0] for text in texts]
    detoxify = Detoxify(
        "original",
        str(tiny_detoxify.checkpoint),
        huggingface_config_path=str(tiny_detoxify.config_dir),
    ).predict(texts)
    for index, scores in enumerate(together):
        assert scores.keys() == detoxify.keys()
        for label, score in scores.items():
            assert score == pytest.approx(alone[index][label], abs=1e-5)
            assert score == pytest.approx(detoxify[label][index], abs=1e-5)


def test_short_messages_are_not_padded_to_a_long_one(tiny_detoxify: TinyModel) -> None:
    classifier = DetoxifyClassifier(
        ModelChoice("original", tiny_detoxify.checkpoint, tiny_detoxify.config_dir)
    )
    widths: list[int] = []
    model = classifier._model
    forward = model.forward

    def recording(*args: object, **kwargs: object) -> object:
        widths.append(kwargs["input_ids"].shape[1])  # type: ignore[attr-defined]
        return forward(*args, **kwargs)

    model.forward = recording
    classifier.predict(["idiot", "hello friend", "nice day in the garden " * 12, "hello"])
    assert sorted(widths) == [4, 62]


def test_only_the_first_max_tokens_are_read(tiny_detoxify: TinyModel) -> None:
    texts = ["nice day in the garden " * 4 + "you stupid fool", "nice day in the garden " * 4]
    short = DetoxifyClassifier(
        ModelChoice("original", tiny_detoxify.checkpoint, tiny_detoxify.config_dir, max_tokens=16)
    )
    whole = DetoxifyClassifier(
        ModelChoice("original", tiny_detoxify.checkpoint, tiny_detoxify.config_dir)
    )
    cut_toxic, cut_clean = short.predict(texts)
    assert cut_toxic == cut_clean  # the insult is after the 16th token
    toxic, clean = whole.predict(texts)
    assert toxic["toxicity"] > clean["toxicity"] + 0.3


@pytest.mark.parametrize(("max_tokens", "deleted"), [(None, True), (16, False)])
async def test_the_rule_book_sets_how_many_tokens_are_read(
    open_forum: ForumFactory, tiny_detoxify: TinyModel, max_tokens: int | None, deleted: bool
) -> None:
    rule = {
        "triggers": [{"toxicity": {"labels": {"toxicity": 0.5}}}],
        "actions": {"delete": True},
    }
    more = {} if max_tokens is None else {"max_tokens": max_tokens}
    forum = await open_forum({"toxicity": rule}, toxicity=model_settings(tiny_detoxify, **more))
    message = await forum.say("alice", "nice day in the garden " * 4 + "you stupid fool")
    await forum.cog.settled()
    assert forum.deleted() == ([message.id] if deleted else [])


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
    # Jardinier is installed from its folder, as the README says, not from a package index.
    hint = (
        "install PyTorch first (pip install torch==2.13.0), then the toxicity extra from "
        "Jardinier's folder (pip install -e '.[toxicity]')"
    )
    off = [line for line in forum.modlog() if line.startswith("⚠️")]
    assert off == [
        f"⚠️ Toxicity checks are off: detoxify is not installed; {hint}. "
        "Every other rule still works."
    ]
    # Said once, at start: the messages scored later do not say it again in other words.
    logged = [
        record.getMessage() for record in caplog.records if "toxicity" in record.getMessage()
    ]
    assert logged == [
        f"toxicity checks are off: detoxify is not installed; {hint}; every other rule still works"
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


def overflow_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    """What the netiquette logged about its toxicity checks overflowing, in order."""
    return [r.getMessage() for r in caplog.records if "toxicity checks" in r.getMessage()]


async def overflowing_forum(
    open_forum: ForumFactory, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> tuple[Forum, threading.Event]:
    """A forum whose model is stuck until the event is set, two checks at most waiting, and
    five messages said: two wait, three went unscored."""
    from cogs.netiquette import automod

    monkeypatch.setattr(automod, "MAX_BACKGROUND", 2)
    release = threading.Event()

    class Stuck:
        def predict(self, texts: Sequence[str]) -> list[dict[str, float]]:
            release.wait(10)
            return [{"toxicity": 0.0, "insult": 0.0} for _ in texts]

    forum = await open_forum({"toxicity": TOXICITY_RULE})
    forum.cog.classifier_factory = lambda _choice: Stuck()
    caplog.set_level(logging.WARNING, logger="cogs.netiquette")
    for n in range(5):
        await forum.say("alice", f"hello garden {n}")
    return forum, release


async def test_an_overflow_of_toxicity_checks_is_logged_once_then_its_end(
    open_forum: ForumFactory, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    forum, release = await overflowing_forum(open_forum, monkeypatch, caplog)
    assert overflow_lines(caplog) == [
        "2 toxicity checks are waiting; new messages are not scored while they do"
    ]
    release.set()
    await forum.cog.settled()
    await forum.say("alice", "hello again")
    assert overflow_lines(caplog)[1:] == [
        "toxicity checks caught up (0 waiting); 3 messages were not scored"
    ]
    await forum.cog.settled()


async def test_a_load_the_model_cannot_keep_up_with_is_logged_once_not_at_each_freed_slot(
    open_forum: ForumFactory, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Each check the model finishes frees a slot that the next message takes at once: the
    overflow ends, for the log, only once the queue has drained to half."""
    from cogs.netiquette import automod

    monkeypatch.setattr(automod, "MAX_BACKGROUND", 4)
    batches = threading.Semaphore(0)
    busy = threading.Event()

    class OneBatchAtATime:
        def predict(self, texts: Sequence[str]) -> list[dict[str, float]]:
            busy.set()
            batches.acquire(timeout=10)
            return [{"toxicity": 0.0, "insult": 0.0} for _ in texts]

    forum = await open_forum({"toxicity": TOXICITY_RULE})
    forum.cog.classifier_factory = lambda _choice: OneBatchAtATime()
    scored: list[MessageScored] = []
    checks: list[asyncio.Task[Any]] = []

    async def count(event: MessageScored) -> None:
        scored.append(event)
        # Published from inside the message's check: once that ends, its slot is free.
        check = asyncio.current_task()
        assert check is not None
        checks.append(check)

    forum.core.bus.subscribe("core", MessageScored, count)
    caplog.set_level(logging.WARNING, logger="cogs.netiquette")

    await forum.say("alice", "hello garden")
    await eventually(busy.is_set, "the model scores the first message")  # alone
    for n in range(4):  # three wait behind it; the fourth finds the queue full
        await forum.say("alice", f"hello garden {n}")
    batches.release()  # the first is scored: three wait, the next message takes the free slot
    await eventually(lambda: bool(scored), "the first message is scored")
    finished, _ = await asyncio.wait(checks, timeout=15)
    assert finished == set(checks), "the first message's check never ended"
    assert len(scored) == 1
    await forum.say("alice", "taken at once")
    await forum.say("alice", "finds it full again")
    assert overflow_lines(caplog) == [
        "4 toxicity checks are waiting; new messages are not scored while they do"
    ]
    for _ in range(10):
        batches.release()
    await forum.cog.settled()
    await forum.say("alice", "after the flood")
    assert overflow_lines(caplog)[1:] == [
        "toxicity checks caught up (0 waiting); 2 messages were not scored"
    ]
    for _ in range(10):
        batches.release()
    await forum.cog.settled()
    assert len(scored) == 6


async def test_a_bot_stopping_in_an_overflow_says_how_many_messages_went_unscored(
    open_forum: ForumFactory, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    forum, release = await overflowing_forum(open_forum, monkeypatch, caplog)
    release.set()
    await forum.cog.teardown()
    assert overflow_lines(caplog)[1:] == [
        "stopping with 2 toxicity checks waiting; 3 messages were not scored"
    ]


async def test_a_replay_scores_every_message_and_reports_the_toxic_ones(
    tiny_detoxify: TinyModel, rules_dir: Path, tmp_path: Path
) -> None:
    """The live bot lets verdicts come in their own time; the replay waits for each, in order."""
    from bot.replay import replay

    write_netiquette(
        rules_dir, {"toxicity": TOXICITY_RULE}, toxicity=model_settings(tiny_detoxify)
    )
    texts = ["hello friend", "you stupid fool", "nice day in the garden", "stupid idiot"] * 30
    history = tmp_path / "chat.csv"
    history.write_text(
        "timestamp,user,text\n"
        + "".join(f"{1_700_000_000 + n},member{n % 7},{text}\n" for n, text in enumerate(texts)),
        encoding="utf-8",
    )
    report = await replay([history], rules_dir=rules_dir)
    (toxicity,) = report.rules
    assert (toxicity["rule"], toxicity["count"]) == ("toxicity", 60)
    assert {example["text"] for example in toxicity["examples"]} <= {
        "you stupid fool",
        "stupid idiot",
    }
    assert sum(day["acted_on"] for day in report.activity) == 60


async def test_a_replay_moves_on_while_another_process_holds_the_database(
    open_forum: ForumFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The replay waits for each message's verdict and what it fired; a case the database
    refuses stays queued, and the replay goes on to the next message."""
    monkeypatch.setattr("bot.db.BUSY_TIMEOUT", timedelta(milliseconds=200))
    monkeypatch.setattr(enforcement, "ENFORCE_RETRY", timedelta(milliseconds=50))

    class Harsh:
        def predict(self, texts: Sequence[str]) -> list[dict[str, float]]:
            return [dict.fromkeys(("toxicity", "insult"), float("fool" in t)) for t in texts]

    database = tmp_path / "bot.db"
    forum = await open_forum({"toxicity": TOXICITY_RULE}, database=database)
    forum.cog.classifier_factory = lambda _choice: Harsh()
    await forum.say("alice", "hello garden")
    await forum.core.caught_up(slow=True)
    with held(database), caplog.at_level(logging.WARNING, logger="cogs.netiquette"):
        toxic = await forum.say("bob", "you stupid fool")
        async with asyncio.timeout(10):
            await forum.core.caught_up(slow=True)
        assert forum.deleted() == [toxic.id]  # removed at once; its case waits
        assert forum.modlog() == []
    assert any("the database refuses them for now" in line for line in caplog.messages)
    await forum.core.caught_up(slow=True)
    [line] = forum.modlog()
    assert line.startswith("🛡️ Case 1 · rule toxicity · bob")


async def test_a_command_waits_for_the_verdict_on_what_it_would_post(
    open_forum: ForumFactory, tiny_detoxify: TinyModel
) -> None:
    forum = await open_forum({"toxicity": TOXICITY_RULE}, toxicity=model_settings(tiny_detoxify))
    await forum.run("alice", "/help you stupid fool")
    texts = [sent.text for sent in forum.platform.sent()]
    assert texts[0].startswith("Not done: what you wrote breaks the rule toxicity (toxicity: ")
    forum.clear()
    await forum.run("alice", "/help nice day in the garden")  # clean: /help answers
    assert not any(sent.text.startswith("Not done") for sent in forum.platform.sent())
    assert forum.platform.sent()
