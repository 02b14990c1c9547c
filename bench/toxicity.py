"""Toxicity throughput and latency: a Detoxify model of bert-base geometry (random weights, built
locally, never downloaded), one message at a time against the micro-batching worker.

One ``ToxicityWorker`` with the shipped settings (``toxicity:`` in ``rules/netiquette.yaml``:
``batch_size``, ``batch_wait_ms``, ``max_tokens``) loads the model in its thread, as in the bot,
and serves every phase, on the same messages (3 to 30 words, 5 to 32 tokens):

1. One at a time: each message is sent only after the previous verdict, so every batch holds one
   message (``batch_wait_ms`` 0: a lone message is scored at once). Throughput, latency p50/p95.
2. Saturated: all messages are queued at once. Throughput only (its latencies are queueing
   time); ``speedup`` is this throughput over the one-at-a-time one.
3. Offered load, as in a chat: open-loop Poisson arrivals (fixed seed) at a rate of
   ``TARGET_FACTOR`` (3) times the one-at-a-time throughput, for at least ``OFFERED_SECONDS``.
   Latency runs from each message's scheduled arrival to its verdict (a late event loop counts
   against us); ``achieved`` is the completion rate. Above what the worker sustains (the
   saturated rate) the queue grows for as long as the run lasts, and so does p95.
4. The highest offered load, in steps of 0.25 times the one-at-a-time rate from 1, whose p95 stays
   within the target's 500 ms (``within_p95_target_*``): what the worker really sustains.

5. The ceiling: how fast float32 matrix products of the model's own shapes run on this machine
   (``gemm_gflops``, with the worker's thread count), and so the most messages a second any
   batching could score when nothing but the linear layers took time
   (``compute_bound_messages_per_s``, from the messages' token counts) and that rate over the
   one-at-a-time one (``speedup_ceiling``). A lone message streams every weight from memory; a
   batch is bound by arithmetic: where the ceiling is below the target, no batching reaches it.

PyTorch runs only in the worker's thread (the checkpoint is built in a thread that then ends): a
second OpenMP thread team in the process slows the worker's by a fifth or more on two cores.
Prints one JSON object. Timing is shown, never asserted.
Usage: python bench/toxicity.py [messages] [--tiny]   (--tiny: a 2-layer model, for smoke tests)
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import random
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

import commandline
import yaml

if TYPE_CHECKING:
    from cogs.netiquette.config import ToxicityModelConfig

BASE = {
    "hidden_size": 768,
    "num_hidden_layers": 12,
    "num_attention_heads": 12,
    "intermediate_size": 3072,
}
TINY = {
    "hidden_size": 32,
    "num_hidden_layers": 2,
    "num_attention_heads": 2,
    "intermediate_size": 64,
}
SHIPPED_RULES = Path(__file__).resolve().parent.parent / "rules" / "netiquette.yaml"
OFFERED_SECONDS = 8
"""Each offered-load phase lasts at least this long (it repeats the messages as needed)."""
TARGET_FACTOR = 3.0
"""The issue's target: micro-batching serves 3 times the one-at-a-time rate..."""
TARGET_P95_MS = 500.0
"""... with a p95 latency of at most 500 ms."""
MODEL_PACKAGES = {"torch": "PyTorch", "transformers": "Transformers", "detoxify": "Detoxify"}
"""What building and running the model takes: the toxicity extra, PyTorch installed first."""
LABELS = ["toxic", "severe_toxic", "obscene", "threat", "insult", "identity_hate"]
WORDS = [
    "the",
    "garden",
    "tomatoes",
    "basil",
    "seeds",
    "water",
    "soil",
    "compost",
    "plant",
    "grow",
    "sun",
    "rain",
    "you",
    "are",
    "an",
    "idiot",
    "hello",
    "friend",
    "nice",
    "day",
    "flowers",
    "thanks",
    "please",
    "who",
    "wants",
    "to",
    "help",
    "this",
    "saturday",
    "with",
    "my",
    "plot",
    "stupid",
    "fool",
    "share",
    "courgettes",
    "balcony",
    "herbs",
    "greenhouse",
    "lamp",
    "weekend",
    "swap",
    "list",
]


def build_checkpoint(folder: Path, geometry: dict[str, int]) -> tuple[Path, Path]:
    """Write a Detoxify checkpoint with random weights of ``geometry``; (checkpoint, config)."""
    import torch
    from transformers import BertConfig, BertForSequenceClassification

    from cogs.netiquette.checkpoint import write_checkpoint

    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *sorted(set(WORDS))]
    config = BertConfig(vocab_size=len(vocab), num_labels=len(LABELS), **geometry)
    torch.manual_seed(0)
    model = BertForSequenceClassification(config)
    return write_checkpoint(folder, model, vocabulary=vocab, labels=LABELS), folder


def gemm_gflops(geometry: dict[str, int], rows: int = 512, seconds: float = 1.0) -> float:
    """Billions of float32 operations a second in the model's biggest matrix product (``rows``
    tokens through a feed-forward layer), as this machine sustains it over ``seconds``."""
    import torch

    hidden, inner = geometry["hidden_size"], geometry["intermediate_size"]
    tokens = torch.randn(rows, hidden)
    weight = torch.randn(inner, hidden)
    for _warm_up in range(3):
        tokens @ weight.T
    products = 0
    started = time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds:
        tokens @ weight.T
        products += 1
    return 2 * rows * hidden * inner * products / elapsed / 1e9


def operations_per_message(geometry: dict[str, int], tokens: int) -> int:
    """Floating-point operations of one message of ``tokens`` tokens through the encoder: its
    linear layers (four of hidden x hidden, two of hidden x intermediate) and its attention."""
    hidden, inner = geometry["hidden_size"], geometry["intermediate_size"]
    per_token = 2 * (4 * hidden * hidden + 2 * hidden * inner) + 4 * tokens * hidden
    return geometry["num_hidden_layers"] * tokens * per_token


def token_count(text: str, max_tokens: int) -> int:
    """The tokens the model reads for one of the bench's messages: every word of :data:`WORDS`
    is in the vocabulary, one token each, between ``[CLS]`` and ``[SEP]``."""
    return min(len(text.split()) + 2, max_tokens)


def require_model_packages(command: argparse.ArgumentParser) -> None:
    """Exit with status 1 and how to install them when the model's packages are missing.

    They are looked for, not imported: PyTorch must load only in the worker's thread."""
    missing = [
        name for module, name in MODEL_PACKAGES.items() if not importlib.util.find_spec(module)
    ]
    if missing:
        command.exit(
            1,
            f"{command.prog}: the toxicity model needs packages that are not installed "
            f"({', '.join(missing)}): "
            "install PyTorch first, then the toxicity extra, as README.md's \"Toxicity model "
            "(optional)\" says: .venv/bin/pip install -e '.[toxicity]'\n",
        )


def messages(count: int) -> list[str]:
    """Chat-like messages of 3 to 30 words."""
    pick = random.Random(7)
    return [" ".join(pick.choices(WORDS, k=pick.randint(3, 30))) for _ in range(count)]


def percentile(values: list[float], fraction: float) -> float:
    """The ``fraction`` percentile of ``values`` (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def one_at_a_time(worker: Any, texts: list[str]) -> tuple[float, list[float]]:
    """Messages per second and latencies, each message sent only after the previous verdict."""
    latencies: list[float] = []
    started = time.perf_counter()
    for text in texts:
        start = time.perf_counter()
        await worker.score(text)
        latencies.append(time.perf_counter() - start)
    return len(texts) / (time.perf_counter() - started), latencies


async def saturated(worker: Any, texts: list[str]) -> float:
    """Messages per second with every message queued at once."""
    started = time.perf_counter()
    await asyncio.gather(*(worker.score(text) for text in texts))
    return len(texts) / (time.perf_counter() - started)


async def offered(worker: Any, texts: list[str], rate: float) -> tuple[float, list[float]]:
    """Completions per second and latencies with open-loop Poisson arrivals at ``rate``."""
    pick = random.Random(11)
    loop = asyncio.get_running_loop()
    latencies: list[float] = []

    async def one(text: str, at: float) -> None:
        await asyncio.sleep(at - loop.time())
        await worker.score(text)
        latencies.append(loop.time() - at)

    start = loop.time() + 0.05
    arrivals: list[float] = []
    at = start
    for _text in texts:
        at += pick.expovariate(rate)
        arrivals.append(at)
    await asyncio.gather(*(one(text, at) for text, at in zip(texts, arrivals, strict=True)))
    return len(texts) / (loop.time() - start), latencies


async def load_point(worker: Any, texts: list[str], rate: float, seconds: float) -> dict[str, Any]:
    """Offered and achieved rates, mean batch and latency percentiles at an offered ``rate``."""
    total = max(len(texts), round(rate * seconds))
    arriving = [texts[number % len(texts)] for number in range(total)]
    batches = worker.batches
    achieved, latencies = await offered(worker, arriving, rate)
    return {
        "offered_messages_per_s": round(rate, 1),
        "achieved_messages_per_s": round(achieved, 1),
        "mean_batch": round(total / (worker.batches - batches), 1),
        "p50_ms": milliseconds(latencies, 0.5),
        "p95_ms": milliseconds(latencies, 0.95),
    }


def shipped_settings() -> ToxicityModelConfig:
    """The ``toxicity`` settings of the shipped rule book (batch size, wait, token limit)."""
    from cogs.netiquette.config import ToxicityModelConfig

    book = yaml.safe_load(SHIPPED_RULES.read_text(encoding="utf-8"))
    return ToxicityModelConfig(**book["toxicity"])


def milliseconds(values: list[float], fraction: float) -> float:
    """The ``fraction`` percentile of ``values`` (seconds), in milliseconds."""
    return round(percentile(values, fraction) * 1000, 1)


async def main(count: int, tiny: bool, settings: ToxicityModelConfig) -> dict[str, Any]:
    from cogs.netiquette.toxicity import DetoxifyClassifier, ModelChoice, ToxicityWorker

    with tempfile.TemporaryDirectory() as folder:
        # Built in a thread that then ends: the event loop's thread never runs PyTorch, as in
        # the bot (see the docstring).
        geometry = TINY if tiny else BASE
        with ThreadPoolExecutor(max_workers=1) as builder:
            built = builder.submit(build_checkpoint, Path(folder), geometry)
            checkpoint, config_dir = built.result()
            gflops = builder.submit(gemm_gflops, geometry).result()
        choice = ModelChoice("original", checkpoint, config_dir, settings.max_tokens)
        worker = ToxicityWorker(
            lambda: DetoxifyClassifier(choice),
            batch_size=settings.batch_size,
            batch_wait=settings.batch_wait_ms / 1000,
            max_characters=settings.max_characters,
        )
        texts = messages(count)
        for text in texts[:4]:  # load and warm up outside the timings
            await worker.score(text)
        await asyncio.gather(*(worker.score(text) for text in texts[:16]))

        batches = worker.batches
        single_rate, single = await one_at_a_time(worker, texts)
        figures: dict[str, Any] = {
            "model": "tiny" if tiny else "bert-base geometry, random weights",
            "messages": count,
            "batch_size": settings.batch_size,
            "batch_wait_ms": settings.batch_wait_ms,
            "one_at_a_time_messages_per_s": round(single_rate, 1),
            "one_at_a_time_mean_batch": round(count / (worker.batches - batches), 1),
            "one_at_a_time_p50_ms": milliseconds(single, 0.5),
            "one_at_a_time_p95_ms": milliseconds(single, 0.95),
        }
        batches = worker.batches
        batched_rate = await saturated(worker, texts)
        figures["micro_batching_messages_per_s"] = round(batched_rate, 1)
        figures["saturated_mean_batch"] = round(count / (worker.batches - batches), 1)
        figures["speedup"] = round(batched_rate / single_rate, 2)
        seconds = 0 if tiny else OFFERED_SECONDS
        target = await load_point(worker, texts, TARGET_FACTOR * single_rate, seconds)
        figures.update({f"micro_batching_{key}": value for key, value in target.items()})
        # The highest load (in steps of a quarter of the one-at-a-time rate) served within the
        # target's p95: what the worker really sustains for chat.
        figures["within_p95_target_load_factor"] = 0.0
        factor = 1.0
        while factor < TARGET_FACTOR:
            point = await load_point(worker, texts, factor * single_rate, seconds)
            if point["p95_ms"] > TARGET_P95_MS:
                break
            figures["within_p95_target_load_factor"] = factor
            figures.update({f"within_p95_target_{key}": value for key, value in point.items()})
            factor += 0.25
        await worker.close()
    operations = sum(
        operations_per_message(geometry, token_count(text, settings.max_tokens)) for text in texts
    )
    ceiling = gflops * 1e9 * len(texts) / operations
    figures["gemm_gflops"] = round(gflops, 1)
    figures["compute_bound_messages_per_s"] = round(ceiling, 1)
    figures["speedup_ceiling"] = round(ceiling / single_rate, 2)
    return figures


if __name__ == "__main__":
    command = commandline.parser(
        __doc__,
        f"micro-batching serves at least {TARGET_FACTOR:g} times the one-at-a-time rate with "
        f"a p95 latency of at most {TARGET_P95_MS:g} ms (the bert-base model; --tiny is for "
        "smoke tests)",
    )
    command.add_argument(
        "messages",
        nargs="?",
        type=commandline.count,
        default=128,
        help="how many messages each phase scores, the offered loads repeating them for at "
        f"least {OFFERED_SECONDS} s (default: %(default)s)",
    )
    command.add_argument(
        "--tiny", action="store_true", help="a 2-layer model instead of bert-base, for smoke tests"
    )
    options = command.parse_args()
    require_model_packages(command)
    print(json.dumps(asyncio.run(main(options.messages, options.tiny, shipped_settings()))))
